# expect: RW101 line 4
def reward_function(params):
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    if params.get("speeed", 0) > 2.0:
        reward += 0.5
    return float(reward)
