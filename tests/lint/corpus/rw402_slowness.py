# expect: RW402 line 2
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    if params["speed"] < 0.5:
        return 1.0
    return 0.1
