# expect: RW110 line 13
# Exact values that the simulator really sends are fine; a measured distance never equals 0.


def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - params["distance_from_center"] / (0.5 * params["track_width"])
    if params["progress"] == 100:  # capped to exactly 100 on a completed lap
        reward += 10.0
    if params["speed"] == 2.0 and params["steering_angle"] == 0.0 and params["steps"] % 50 == 0:
        reward += 0.5
    if params["distance_from_center"] == 0.0:
        reward += 1.0
    return float(max(reward, 1e-3))
