# expect: RW108 line 10
import math


def reward_function(params):
    waypoints = params["waypoints"]
    prev_index, next_index = params["closest_waypoints"]
    dx = waypoints[next_index][0] - waypoints[prev_index][0]
    dy = waypoints[next_index][1] - waypoints[prev_index][1]
    if abs(math.atan2(dy, dx)) > 90:  # atan2 is in radians: never more than pi
        return 0.5
    return float(max(1.0 - params["distance_from_center"] / params["track_width"], 1e-3))
