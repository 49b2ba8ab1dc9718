# expect: RW406 line 2
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return -10.0
    # penalties only: the best the car can do is lose a little less every step
    return float(-params["distance_from_center"] - 0.1 * abs(params["steering_angle"]) / 30.0 - 0.01)
