# expect: clean
# Directions from helpers, folded correctly in both units; steering differences need no folding.
import math

import numpy as np


def direction_deg(a, b):
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def direction_rad(a, b):
    return np.arctan2(b[1] - a[1], b[0] - a[0])


def reward_function(params):
    wp = params["waypoints"]
    prev_i, next_i = params["closest_waypoints"]
    track_deg = direction_deg(wp[prev_i], wp[next_i])
    diff = abs((track_deg - params["heading"] + 180) % 360 - 180)
    track_rad = direction_rad(wp[prev_i], wp[(next_i + 3) % len(wp)])
    turn = abs(track_rad - math.radians(params["heading"]))
    if turn > math.pi:
        turn = 2 * math.pi - turn
    steer_gap = abs(params["steering_angle"] - math.degrees(turn))
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - params["distance_from_center"] / (0.5 * params["track_width"])
    if diff > 20 or steer_gap > 25:
        reward *= 0.6
    return float(max(reward, 1e-3))
