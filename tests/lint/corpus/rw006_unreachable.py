# expect: RW006 line 5
def reward_function(params):
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    return float(max(reward, 1e-3))
    reward += 1.0
