# expect: RW108
# atan2's radians compared with the heading in degrees.
import math


def reward_function(params):
    wp = params["waypoints"]
    prev_i, next_i = params["closest_waypoints"]
    direction = math.atan2(wp[next_i][1] - wp[prev_i][1], wp[next_i][0] - wp[prev_i][0])
    heading = params["heading"]
    reward = 1.0 if abs(direction - heading) < 10 else 0.3
    if not params["all_wheels_on_track"]:
        reward = 1e-3
    return float(reward)
