# expect: RW108
# A sharp-turn test written in degrees on a value in radians.
import math


def reward_function(params):
    wp = params["waypoints"]
    n = len(wp)
    i = params["closest_waypoints"][1]
    a, b = wp[i], wp[(i + 5) % n]
    turn = math.atan2(b[1] - a[1], b[0] - a[0])
    speed = params["speed"]
    reward = 1.0 - min(params["distance_from_center"] / (0.5 * params["track_width"]), 1.0)
    if abs(turn) > 45 and speed > 2.0:
        reward *= 0.5
    return float(max(reward, 1e-3))
