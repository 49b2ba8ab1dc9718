def reward_function(params):
    x = 2*1.0 # one space before the comment   
    return x
