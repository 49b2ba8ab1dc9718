# expect: RW107
# The AWS sample's direction check without its wrap-around fold.
import math


def reward_function(params):
    wp = params["waypoints"]
    prev_i, next_i = params["closest_waypoints"]
    track_direction = math.atan2(wp[next_i][1] - wp[prev_i][1], wp[next_i][0] - wp[prev_i][0])
    track_direction = math.degrees(track_direction)
    direction_diff = abs(track_direction - params["heading"])
    reward = 1.0
    if direction_diff > 10.0:
        reward *= 0.5
    if not params["all_wheels_on_track"]:
        reward = 1e-3
    return float(reward)
