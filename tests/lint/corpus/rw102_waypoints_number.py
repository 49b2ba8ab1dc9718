# expect: RW102 line 4
def reward_function(params):
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    scale = params["waypoints"] / 10.0
    return float(reward * scale)
