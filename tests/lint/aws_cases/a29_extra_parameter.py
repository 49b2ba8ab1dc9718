def reward_function(params, scale=1.0):
    return float(scale)
