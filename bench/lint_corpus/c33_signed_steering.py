# expect: RW104
# Only left turns are penalised.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - min(params["distance_from_center"] / (0.5 * params["track_width"]), 1.0)
    if params["steering_angle"] > 20:
        reward *= 0.5
    return float(max(reward, 1e-3))
