# expect: RW109
# atan2 normalised into [0, 360) as if it were in degrees, then compared by compass sector.
import math


def reward_function(params):
    wp = params["waypoints"]
    prev_i, next_i = params["closest_waypoints"]
    direction = (math.atan2(wp[next_i][1] - wp[prev_i][1], wp[next_i][0] - wp[prev_i][0]) + 360) % 360
    heading = (params["heading"] + 360) % 360
    sector_gap = abs(int(direction // 90) - int(heading // 90))
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - min(params["distance_from_center"] / (0.5 * params["track_width"]), 1.0)
    if sector_gap > 0:
        reward *= 0.8
    return float(max(reward, 1e-3))
