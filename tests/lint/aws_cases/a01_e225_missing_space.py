def reward_function(params):
    x=1.0
    return x
