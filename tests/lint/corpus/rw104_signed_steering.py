# expect: RW104 line 4
def reward_function(params):
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    if params["steering_angle"] > 15:
        reward *= 0.8
    return float(max(reward, 1e-3))
