# expect: RW110 line 5
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    if params["distance_from_center"] == 0:
        return 2.0
    if params["progress"] == 100 or params["speed"] == 1.0:  # exact values: legitimate
        return 1.5
    return float(max(1.0 - params["distance_from_center"] / params["track_width"], 1e-3))
