# expect: RW103 line 7
import math


def reward_function(params):
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    reward *= 1.0 + 0.1 * math.cos(params["heading"])
    return float(reward)
