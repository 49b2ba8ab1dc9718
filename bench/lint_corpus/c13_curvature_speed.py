# expect: clean
# Waypoint look-ahead: sharper turns ahead ask for lower speed.
import math


def reward_function(params):
    wp = params["waypoints"]
    n = len(wp)
    i = params["closest_waypoints"][1]
    a, b, c = wp[i % n], wp[(i + 3) % n], wp[(i + 6) % n]
    first = math.atan2(b[1] - a[1], b[0] - a[0])
    second = math.atan2(c[1] - b[1], c[0] - b[0])
    bend = abs(math.degrees(second - first))
    if bend > 180:
        bend = 360 - bend
    target = 3.0 if bend < 10 else 1.8 if bend < 25 else 1.2
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(max(1.0 - abs(params["speed"] - target) / 3.0, 1e-3))
