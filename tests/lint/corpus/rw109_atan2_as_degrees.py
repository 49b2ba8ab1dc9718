# expect: RW109 line 10
import math


def reward_function(params):
    waypoints = params["waypoints"]
    prev_index, next_index = params["closest_waypoints"]
    dx = waypoints[next_index][0] - waypoints[prev_index][0]
    dy = waypoints[next_index][1] - waypoints[prev_index][1]
    direction = math.radians(math.atan2(dy, dx))
    alignment = math.cos(direction - math.radians(params["heading"]))
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    return float(max(reward, 1e-3) * (1.5 + 0.5 * alignment))
