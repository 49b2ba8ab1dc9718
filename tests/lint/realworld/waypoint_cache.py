# expect: clean
# Caches the track on the first call (a real run trains on one track) and indexes it on later calls.
import math

TRACK = []
SEGMENTS = []


def reward_function(params):
    if not TRACK:
        TRACK.extend(params["waypoints"])
        for i in range(len(TRACK)):
            a, b = TRACK[i], TRACK[(i + 1) % len(TRACK)]
            SEGMENTS.append(math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])))
    ahead = params["closest_waypoints"][1]
    direction = SEGMENTS[(ahead + 2) % len(SEGMENTS)]
    diff = abs(direction - params["heading"])
    if diff > 180:
        diff = 360 - diff
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - params["distance_from_center"] / (0.5 * params["track_width"])
    return float(max(reward, 1e-3) * (1.0 if diff < 15 else 0.5))
