# expect: clean
# Centre line with speed and steering penalties, the classic template grown by hand.
def reward_function(params):
    on_track = params["all_wheels_on_track"]
    distance = params["distance_from_center"]
    width = params["track_width"]
    speed = params["speed"]
    steering = abs(params["steering_angle"])
    if not on_track:
        return 1e-3
    if distance <= 0.1 * width:
        reward = 1.0
    elif distance <= 0.25 * width:
        reward = 0.5
    elif distance <= 0.5 * width:
        reward = 0.1
    else:
        reward = 1e-3
    if steering > 15:
        reward *= 0.8
    if speed < 1.0:
        reward *= 0.8
    return float(reward)
