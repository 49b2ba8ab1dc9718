# expect: RW002 line 1
def reward(params):
    return float(params["speed"])
