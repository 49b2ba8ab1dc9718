# expect: RW202 line 3
def reward_function(params):
    reader = open
    return float(params["speed"] if reader else 0.0)
