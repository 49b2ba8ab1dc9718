# expect: RW103 line 8
import math


def reward_function(params):
    steer = params["steering_angle"]
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    reward *= 1.0 + 0.1 * math.sin(steer)
    return float(reward)
