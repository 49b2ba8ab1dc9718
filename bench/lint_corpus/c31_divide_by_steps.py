# expect: RW301
# Progress per step counted from the first call: divides by zero on it (steps is 2 there).
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    steps = params["steps"]
    return float(min(params["progress"] / (steps - 2), 10.0))
