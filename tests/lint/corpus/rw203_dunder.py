# expect: RW203 line 3
def reward_function(params):
    name = params.__class__
    return float(params["speed"] + len(str(name)))
