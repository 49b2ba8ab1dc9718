# expect: RW101
# A misspelt key read with a default: silently always the default.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    distance = params.get("distance_from_centre", 0.0)
    return float(max(1.0 - distance / (0.5 * params["track_width"]), 1e-3) + 0.1 * params["speed"])
