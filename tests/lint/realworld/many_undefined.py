# expect: RW007 line 11, RW007 line 13, RW007 line 14
# ruff: noqa: F821  (the undefined names are the point of this file)
import math


def reward_function(params):
    speed = params["speed"]
    reward = 1.0
    if not params["all_wheels_on_track"]:
        return 1e-3
    if params["distance_from_center"] > 0.4 * track_widht:
        reward *= 0.5
    if abs(params["steering_angle"]) > steering_limit:
        reward *= math.exp(-spd)
    return float(reward * speed)
