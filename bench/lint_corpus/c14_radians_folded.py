# expect: clean
# Everything in radians, folded with pi.
import math


def reward_function(params):
    wp = params["waypoints"]
    prev_i, next_i = params["closest_waypoints"]
    track = math.atan2(wp[next_i][1] - wp[prev_i][1], wp[next_i][0] - wp[prev_i][0])
    heading = math.radians(params["heading"])
    gap = abs(track - heading)
    if gap > math.pi:
        gap = 2 * math.pi - gap
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(max(math.cos(gap), 0.0) + 1e-3)
