# expect: RW109
# atan2 converted with radians() as if it returned degrees.
import math


def reward_function(params):
    wp = params["waypoints"]
    prev_i, next_i = params["closest_waypoints"]
    direction = math.atan2(wp[next_i][1] - wp[prev_i][1], wp[next_i][0] - wp[prev_i][0])
    gap = math.radians(direction) - math.radians(params["heading"])
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(1.0 + math.cos(gap))
