# expect: RW107 line 10
import math


def reward_function(params):
    waypoints = params["waypoints"]
    prev_index, next_index = params["closest_waypoints"]
    prev_point, next_point = waypoints[prev_index], waypoints[next_index]
    track_direction = math.degrees(math.atan2(next_point[1] - prev_point[1], next_point[0] - prev_point[0]))
    direction_diff = abs(track_direction - params["heading"])
    reward = 1.0 - params["distance_from_center"] / params["track_width"]
    if direction_diff > 10.0:
        reward *= 0.5
    return float(max(reward, 1e-3))
