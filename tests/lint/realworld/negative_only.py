# expect: RW406 line 4
# Penalties only: every step costs something, so the car learns that crashing early loses least.
# (the weaving/crawling/reversing comparisons among rewards that are all below zero are not reported)
def reward_function(params):
    penalty = params["distance_from_center"] / params["track_width"] + abs(params["steering_angle"]) / 60.0
    if not params["all_wheels_on_track"]:
        penalty += 5.0
    return float(-penalty - 0.05)
