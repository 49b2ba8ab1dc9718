"""Object keys of the params dict (obstacles and bot cars on the track, ``shared/spec/PARAMS.md`` §2.17-2.18)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon

from reward_sdk.car_frame import CAR_LENGTH, CAR_WIDTH, car_origin
from reward_sdk.track_geometry import track_geometry
from reward_sdk.tracks import Track

OBSTACLE_LENGTH = 0.5  # m, footprint of an obstacle box along its heading
OBSTACLE_WIDTH = 0.4  # m, across its heading

CAMERA_HALF_FOV_DEG = 60.0
"""Half of the car camera's horizontal field of view (a 120° wide-angle lens), degrees."""

CAMERA_RANGE_M = 5.0
"""Beyond this distance (m) an object is not counted as ``object_in_camera`` (our approximation)."""


@dataclass(frozen=True)
class Obstacle:
    """Another object on the track: an obstacle box or a bot car.

    :param x: x of the object origin, metres.
    :param y: y of the object origin, metres.
    :param heading: yaw in **radians** (as the simulator reports bot cars); 0 for obstacles.
    :param speed: speed, m/s (0 for obstacles).
    """

    x: float
    y: float
    heading: float = 0.0
    speed: float = 0.0


def object_params(track: Track, params: dict[str, Any], objects: Sequence[Obstacle]) -> dict[str, Any]:
    """Object keys for the car in ``params`` (needs ``x, y, heading, projection_distance``) and ``objects``."""
    geometry = track_geometry(track)
    object_x = np.array([item.x for item in objects], dtype=np.float64)
    object_y = np.array([item.y for item in objects], dtype=np.float64)
    points = shapely.points(object_x, object_y)
    distances = np.asarray(shapely.line_locate_point(geometry.center_line, points), dtype=np.float64)
    from_center = np.asarray(shapely.distance(geometry.center_line, points), dtype=np.float64)
    in_inner = shapely.contains_xy(geometry.inner_area, object_x, object_y)
    left = in_inner ^ (not geometry.is_ccw)
    order = np.argsort(distances, kind="stable")
    sorted_distances = distances[order]
    upper = int(np.searchsorted(sorted_distances, params["projection_distance"], side="right"))
    lower = upper - 1
    lower = len(objects) - 1 if lower == -1 else lower
    upper = 0 if upper == len(objects) else upper
    behind, ahead = int(order[lower]), int(order[upper])
    return {
        "closest_objects": [behind, ahead],
        "objects_location": [[float(px), float(py)] for px, py in zip(object_x, object_y, strict=True)],
        "objects_left_of_center": [bool(value) for value in left],
        "object_in_camera": _in_camera(params, objects[ahead]),
        "objects_speed": [float(item.speed) for item in objects],
        "objects_heading": [float(item.heading) for item in objects],
        "objects_distance_from_center": [float(value) for value in from_center],
        "objects_distance": [float(value) for value in distances],
        "is_crashed": _is_crashed(params, objects),
    }


def _in_camera(params: dict[str, Any], item: Obstacle) -> bool:
    """Approximate frustum test: the object is ahead within the camera's half field of view and range."""
    dx, dy = item.x - params["x"], item.y - params["y"]
    distance = float(np.hypot(dx, dy))
    if distance > CAMERA_RANGE_M or distance <= 0.0:
        return False
    bearing = np.degrees(np.arctan2(dy, dx)) - params["heading"]
    bearing = (bearing + 180.0) % 360.0 - 180.0
    return bool(abs(bearing) <= CAMERA_HALF_FOV_DEG)


def _footprint(x: float, y: float, yaw_rad: float, length: float, width: float) -> Polygon:
    corners = np.array([[0.5, 0.5], [0.5, -0.5], [-0.5, -0.5], [-0.5, 0.5]]) * [length, width]
    rotation = np.array([[np.cos(yaw_rad), -np.sin(yaw_rad)], [np.sin(yaw_rad), np.cos(yaw_rad)]])
    return Polygon(corners @ rotation.T + [x, y])


def _is_crashed(params: dict[str, Any], objects: Sequence[Obstacle]) -> bool:
    """True when the car footprint (centred on its origin) overlaps an object's rectangle."""
    origin_x, origin_y = car_origin(params["x"], params["y"], params["heading"])
    car = _footprint(float(origin_x), float(origin_y), np.radians(params["heading"]), CAR_LENGTH, CAR_WIDTH)
    for item in objects:
        is_bot = item.speed > 0.0
        length, width = (CAR_LENGTH, CAR_WIDTH) if is_bot else (OBSTACLE_LENGTH, OBSTACLE_WIDTH)
        if car.intersects(_footprint(item.x, item.y, item.heading, length, width)):
            return True
    return False
