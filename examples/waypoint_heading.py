"""Point the car along the track: reward the alignment of the heading with the local track direction.

The track direction is the angle of the segment joining the two waypoints that bracket the car
(``closest_waypoints`` = [behind, ahead]); both angles are in degrees, so the difference is folded into
[0, 180] before comparing. More than 10° off halves the reward.
"""

import math

DIRECTION_THRESHOLD_DEG = 10.0


def reward_function(params):
    waypoints = params["waypoints"]
    behind, ahead = params["closest_waypoints"]
    next_point = waypoints[ahead]
    prev_point = waypoints[behind]

    track_direction = math.degrees(math.atan2(next_point[1] - prev_point[1], next_point[0] - prev_point[0]))
    direction_diff = abs(track_direction - params["heading"])
    if direction_diff > 180.0:
        direction_diff = 360.0 - direction_diff

    reward = 1.0
    if direction_diff > DIRECTION_THRESHOLD_DEG:
        reward *= 0.5
    return float(reward)
