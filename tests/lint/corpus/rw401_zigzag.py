# expect: RW401 line 2
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    if abs(params["steering_angle"]) > 15:
        return 1.0
    return 0.5
