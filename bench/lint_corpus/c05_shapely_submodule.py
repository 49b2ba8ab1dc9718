# expect: clean
# shapely classes from their real submodules (accepted by the validator and the sandbox).
from shapely.geometry.point import Point
from shapely.geometry.polygon import LineString


def reward_function(params):
    wp = params["waypoints"]
    i = params["closest_waypoints"][1]
    ahead = LineString([wp[i], wp[(i + 3) % len(wp)]])
    gap = ahead.distance(Point(params["x"], params["y"]))
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(1.0 / (1.0 + 4.0 * gap))
