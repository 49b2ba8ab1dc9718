def reward_function(params):
    name = 'loadtxt'
    return float(len(name))
