# expect: clean
# Many small helpers, as in most shared reward functions.
import math


def dist(a, b):
    return math.hypot(a[0] - b[0], a[1] - b[1])


def direction(a, b):
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def angle_gap(a, b):
    gap = abs(a - b) % 360
    return 360 - gap if gap > 180 else gap


def reward_function(params):
    wp = params["waypoints"]
    prev_i, next_i = params["closest_waypoints"]
    gap = angle_gap(direction(wp[prev_i], wp[next_i]), params["heading"])
    to_next = dist((params["x"], params["y"]), wp[next_i])
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - gap / 180.0
    reward += 0.2 * min(to_next, 1.0)
    return float(max(reward, 1e-3))
