# expect: clean
# Racers import geometry classes from shapely's real submodules; the validator and the sandbox accept them.
from shapely.geometry.point import Point
from shapely.geometry.polygon import LineString

CENTRE = []


def reward_function(params):
    if not CENTRE:  # built once per run (one track): shapely construction is slow for every step
        CENTRE.append(LineString(params["waypoints"]))
    centre = CENTRE[0]
    offset = centre.distance(Point(params["x"], params["y"]))
    half = 0.5 * params["track_width"]
    if not params["all_wheels_on_track"]:
        return 1e-3
    return float(max(1.0 - offset / half, 1e-3))
