def reward_function(params):
    big = [0.0] * (10 ** 11)
    return float(len(big))
