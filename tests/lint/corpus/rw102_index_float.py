# expect: RW102 line 3
def reward_function(params):
    first = params["speed"][0]
    return float(1.0 - params["distance_from_center"] / params["track_width"] + first)
