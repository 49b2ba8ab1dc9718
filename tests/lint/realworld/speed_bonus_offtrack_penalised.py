# expect: clean
# A speed bonus with a real off-track penalty: at any one speed, leaving the track costs 25 %.
def reward_function(params):
    reward = 0.5 + params["speed"]
    if not params["all_wheels_on_track"]:
        reward *= 0.75
    return float(reward)
