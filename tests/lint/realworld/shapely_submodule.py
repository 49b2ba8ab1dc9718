# expect: clean
# Racers import geometry classes from shapely's real submodules; the validator and the sandbox accept them.
from shapely.geometry.point import Point
from shapely.geometry.polygon import LineString


def reward_function(params):
    centre = LineString(params["waypoints"])
    car = Point(params["x"], params["y"])
    offset = centre.distance(car)
    half = 0.5 * params["track_width"]
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(max(1.0 - offset / half, 1e-3))
