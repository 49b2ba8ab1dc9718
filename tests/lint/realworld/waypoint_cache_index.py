# expect: clean
# The classic: keep params["waypoints"] in a global on the first call, index it with closest_waypoints later.
import math

waypoints = None


def reward_function(params):
    global waypoints
    if waypoints is None:
        waypoints = params["waypoints"]
    prev_i, next_i = params["closest_waypoints"]
    a, b = waypoints[prev_i], waypoints[next_i]
    direction = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    diff = abs(direction - params["heading"])
    if diff > 180:
        diff = 360 - diff
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(max(1.0 - diff / 90.0, 1e-3))
