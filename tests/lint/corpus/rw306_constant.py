# expect: RW306 line 2
def reward_function(params):
    speed = params["speed"]
    return 1.0 if speed == speed else 2.0
