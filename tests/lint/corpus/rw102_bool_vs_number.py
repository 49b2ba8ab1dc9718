# expect: RW102 line 4
def reward_function(params):
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    if params["all_wheels_on_track"] == 1:
        reward += 0.5
    return float(reward)
