# expect: clean
# Module-level cache filled on the first call and indexed on every later one (one track per run).
import math

CACHE = {}


def reward_function(params):
    if "directions" not in CACHE:
        wp = params["waypoints"]
        CACHE["directions"] = [
            math.degrees(math.atan2(wp[(i + 1) % len(wp)][1] - wp[i][1], wp[(i + 1) % len(wp)][0] - wp[i][0]))
            for i in range(len(wp))
        ]
    directions = CACHE["directions"]
    nxt = params["closest_waypoints"][1]
    diff = abs(directions[nxt] - params["heading"])
    diff = min(diff, 360 - diff)
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(max(1.0 - diff / 30.0, 0.05))
