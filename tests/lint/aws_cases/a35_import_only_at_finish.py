def reward_function(params):
    if params['progress'] == 100:
        import math
        return float(math.pi)
    return 1.0
