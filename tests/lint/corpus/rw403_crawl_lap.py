# expect: RW403 line 3
# select: RW403
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(1.0 - params["distance_from_center"] / params["track_width"])
