# expect: RW405 line 5
import math


def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    waypoints = params["waypoints"]
    behind, ahead = params["closest_waypoints"]
    dx = waypoints[ahead][0] - waypoints[behind][0]
    dy = waypoints[ahead][1] - waypoints[behind][1]
    diff = abs(math.degrees(math.atan2(dy, dx)) - params["heading"]) % 360.0
    diff = min(diff, 360.0 - diff)
    return 2.0 if diff > 90.0 else 1.0
