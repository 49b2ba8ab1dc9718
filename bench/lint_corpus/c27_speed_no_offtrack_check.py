# expect: RW404
# A speed reward that never checks the track.
def reward_function(params):
    speed = params["speed"]
    reward = speed / 4.0
    if abs(params["steering_angle"]) > 20:
        reward *= 0.8
    return float(max(reward, 1e-3))
