# expect: RW406
# Penalties only: every step costs, so ending the episode early is best.
def reward_function(params):
    reward = -params["distance_from_center"] / params["track_width"]
    reward -= abs(params["steering_angle"]) / 100.0
    if not params["all_wheels_on_track"]:
        reward -= 1.0
    return float(reward - 0.1)
