# expect: RW405
# Rewards the progress still missing: turning round pays.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float((100.0 - params["progress"]) / 10.0 + 0.1)
