"""The car's body frame: where the reported point, the wheels and the footprint are relative to its origin.

Dimensions from the DeepRacer URDF (``shared/spec/PARAMS.md`` §2.0-2.1, §2.17). The car frame has x forward and y
to the left; the origin is the Gazebo model origin, roughly midway between the axles.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

FRONT_OFFSET = 0.14
"""Metres from the car model's origin to the point whose position is reported as ``x, y``."""

WHEEL_OFFSETS: FloatArray = np.array(
    [
        [-0.0817, 0.0811],  # rear left
        [-0.0817, -0.0811],  # rear right
        [0.0823, 0.0796],  # front left
        [0.0823, -0.0796],  # front right
    ]
)
"""(4, 2) wheel-centre offsets from the car origin in the car frame (x forward, y left), metres (URDF)."""

WHEEL_OFFSETS_FROM_FRONT: FloatArray = WHEEL_OFFSETS - np.array([FRONT_OFFSET, 0.0])
"""(4, 2) the same wheel centres relative to the front point (the reported ``x, y``), car frame, metres."""

CAR_LENGTH = 0.32352
"""Footprint length of the car, metres (crash rule)."""

CAR_WIDTH = 0.1961
"""Footprint width of the car, metres (crash rule)."""


def front_point(x_origin: ArrayLike, y_origin: ArrayLike, heading_deg: ArrayLike) -> tuple[Any, Any]:
    """Front point (reported x, y) of a car whose origin is at ``(x_origin, y_origin)`` with yaw ``heading_deg``."""
    yaw = np.radians(heading_deg)
    return np.add(x_origin, FRONT_OFFSET * np.cos(yaw)), np.add(y_origin, FRONT_OFFSET * np.sin(yaw))


def car_origin(x_front: ArrayLike, y_front: ArrayLike, heading_deg: ArrayLike) -> tuple[Any, Any]:
    """Inverse of :func:`front_point`."""
    yaw = np.radians(heading_deg)
    return np.subtract(x_front, FRONT_OFFSET * np.cos(yaw)), np.subtract(y_front, FRONT_OFFSET * np.sin(yaw))
