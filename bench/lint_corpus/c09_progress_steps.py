# expect: clean
# Progress per step, and a lap bonus when progress is exactly 100 (the simulator caps it to 100).
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    steps = params["steps"]
    progress = params["progress"]
    reward = 1.0
    if steps > 0:
        reward += progress / steps
    if steps % 100 == 0 and progress > steps / 3.0:
        reward += 5.0
    if progress == 100:
        reward += 100.0
    return float(reward)
