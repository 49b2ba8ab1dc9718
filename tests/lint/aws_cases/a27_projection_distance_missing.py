def reward_function(params):
    return float(params['projection_distance'])
