def reward_function(params):
    if params['progress'] == 100:
        raise ValueError
    return 1.0
