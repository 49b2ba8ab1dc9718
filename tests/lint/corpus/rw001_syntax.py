# expect: RW001 line 3
def reward_function(params):
    return float(params['speed']
