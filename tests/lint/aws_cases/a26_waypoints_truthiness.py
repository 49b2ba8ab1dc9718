def reward_function(params):
    if params['waypoints']:
        return 1.0
    return 0.5
