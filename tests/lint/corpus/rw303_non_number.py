# expect: RW303 line 2
def reward_function(params):
    reward = None
    if params["all_wheels_on_track"]:
        reward = 1.0 - params["distance_from_center"] / params["track_width"]
    return reward
