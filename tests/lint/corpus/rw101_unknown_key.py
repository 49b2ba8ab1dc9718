# expect: RW101 line 3
def reward_function(params):
    distance = params["distance_from_centre"]
    return float(1.0 - distance / params["track_width"])
