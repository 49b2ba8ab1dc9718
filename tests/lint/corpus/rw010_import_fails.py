# expect: RW010 line 5
import math

SCALE = 0.0
BONUS = math.pi / SCALE


def reward_function(params):
    if params["distance_from_center"] <= 0.25 * params["track_width"]:
        return float(1.0 + BONUS)
    return 1e-3
