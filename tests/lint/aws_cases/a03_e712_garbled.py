def reward_function(params):
    if params['all_wheels_on_track'] == True:
        return 1.0
    return 0.001
