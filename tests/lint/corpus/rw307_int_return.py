# expect: RW307 line 2
def reward_function(params):
    if params["all_wheels_on_track"] and params["distance_from_center"] < 0.25 * params["track_width"]:
        return 1
    return 0
