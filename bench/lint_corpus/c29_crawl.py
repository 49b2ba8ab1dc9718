# expect: RW402
# Low speeds pay best.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(1.0 / (0.2 + params["speed"]))
