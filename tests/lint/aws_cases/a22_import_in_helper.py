def helper():
    from numpy import linalg
    return float(linalg.norm([3.0, 4.0]))


def reward_function(params):
    return helper()
