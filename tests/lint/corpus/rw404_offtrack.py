# expect: RW404 line 2
def reward_function(params):
    return float(params["speed"])
