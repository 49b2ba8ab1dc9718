# expect: RW401
# Rewards steering: the car learns to weave.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    steering = abs(params["steering_angle"])
    return float(0.2 + steering / 15.0)
