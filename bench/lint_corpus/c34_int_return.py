# expect: RW307
# Returns ints on some paths (the simulator converts them, the validator does not).
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 0
    if params["distance_from_center"] < 0.1 * params["track_width"]:
        return 1
    return 0.5
