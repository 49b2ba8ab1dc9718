# expect: RW011 line 4
import math

def reward_function(params):
    half = 0.5 * params["track_width"]
    share = params["distance_from_center"] / half
    return float(max(1e-3, math.cos(min(share, 1.0) * math.pi / 2)))
