# expect: RW301 line 3
def reward_function(params):
    return float(1.0 / params["progress"])
