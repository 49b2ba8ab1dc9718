def reward_function(params):
    open('x')
    return 1.0
