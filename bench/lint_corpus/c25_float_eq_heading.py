# expect: RW110
# An exact heading test.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - min(params["distance_from_center"] / (0.5 * params["track_width"]), 1.0)
    if params["heading"] == 90.0:
        reward += 1.0
    return float(max(reward, 1e-3))
