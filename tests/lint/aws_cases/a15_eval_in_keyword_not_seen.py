def reward_function(params):
    return float(max([1.0], key=lambda v: eval('v')))
