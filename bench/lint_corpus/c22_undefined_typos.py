# expect: RW007, RW007
# ruff: noqa: F821  (the undefined names are the point of this file)
# Two typos in branches that few states reach.
def reward_function(params):
    reward = 1.0
    if not params["all_wheels_on_track"]:
        return 1e-3
    if params["distance_from_center"] > 0.45 * params["track_width"]:
        reward *= penalty_factor
    if abs(params["steering_angle"]) > 28:
        reward *= 0.5 * stearing_scale
    return float(reward)
