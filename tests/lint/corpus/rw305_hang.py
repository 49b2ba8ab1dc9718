# expect: RW305 line 2
def reward_function(params):
    while params["progress"] >= 100:
        pass
    return float(1.0 - params["distance_from_center"] / params["track_width"])
