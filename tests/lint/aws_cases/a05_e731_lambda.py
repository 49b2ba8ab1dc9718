def reward_function(params):
    f = lambda v: v * 2.0
    return f(1.0)
