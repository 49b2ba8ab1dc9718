"""Centre-line reward that discourages zig-zagging: steering harder than 15° costs 20 % of the reward.

Steering is signed (left positive), so the threshold is compared with its absolute value.
"""

STEERING_THRESHOLD_DEG = 15.0


def reward_function(params):
    track_width = params["track_width"]
    distance_from_center = params["distance_from_center"]

    if distance_from_center <= 0.1 * track_width:
        reward = 1.0
    elif distance_from_center <= 0.25 * track_width:
        reward = 0.5
    elif distance_from_center <= 0.5 * track_width:
        reward = 0.1
    else:
        reward = 1e-3

    if abs(params["steering_angle"]) > STEERING_THRESHOLD_DEG:
        reward *= 0.8
    return float(reward)
