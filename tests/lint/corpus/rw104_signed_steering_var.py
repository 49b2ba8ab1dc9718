# expect: RW104 line 5
def reward_function(params):
    steering = params["steering_angle"]
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    if steering >= 20.0:
        reward *= 0.5
    return float(max(reward, 1e-3))
