# expect: clean
# A discrete action space sends its exact speeds: comparing them with == is legitimate.
SPEEDS = (1.3, 2.6, 3.9)


def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - min(params["distance_from_center"] / (0.5 * params["track_width"]), 1.0)
    if params["speed"] == SPEEDS[2] and abs(params["steering_angle"]) < 10:
        reward += 0.5
    elif params["speed"] == 1.3 and params["steering_angle"] == 0.0:
        reward *= 0.8
    return float(max(reward, 1e-3))
