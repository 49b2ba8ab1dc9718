# expect: RW003 line 2
def reward_function(params, weights):
    return float(params["speed"] * weights)
