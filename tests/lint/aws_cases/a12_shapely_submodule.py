from shapely.geometry import Point


def reward_function(params):
    return float(Point(0, 0).x)
