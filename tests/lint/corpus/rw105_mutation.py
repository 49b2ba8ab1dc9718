# expect: RW105 line 3
def reward_function(params):
    params["track_width"] = max(params["track_width"], 0.5)
    return float(1.0 - params["distance_from_center"] / params["track_width"])
