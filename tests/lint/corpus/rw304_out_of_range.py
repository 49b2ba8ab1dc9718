# expect: RW304 line 2
def reward_function(params):
    return float(1e6 * (1.0 + params["progress"]))
