# expect: RW004 line 5
def reward_function(params):
    half = 0.5 * params["track_width"]
    if params["distance_from_center"] < half:
        return float(1.0 - params["distance_from_center"] / half)
