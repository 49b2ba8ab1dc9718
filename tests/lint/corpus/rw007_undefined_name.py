# expect: RW007 line 9
def reward_function(params):
    speed = params["speed"]
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    if not params["all_wheels_on_track"]:
        return 1e-3
    if abs(params["steering_angle"]) > 25.0:
        # a typo in a branch that few states reach: only a static check sees it every time
        reward *= 0.5 + 0.0 * sped
    return float(max(reward, 1e-3) * (1.0 + 0.1 * speed))
