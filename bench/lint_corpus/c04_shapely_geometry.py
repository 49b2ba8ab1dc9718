# expect: clean
# shapely from its public package: distance to a line parallel to the centre line.
from shapely.geometry import LineString, Point


def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    centre = LineString(params["waypoints"])
    gap = centre.distance(Point(params["x"], params["y"]))
    half = 0.5 * params["track_width"]
    return float(max(1.0 - gap / half, 1e-3))
