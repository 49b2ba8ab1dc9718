# expect: RW106 line 4
def reward_function(params):
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    if params["objects_distance"][0] < 0.5:
        reward *= 0.5
    return float(reward)
