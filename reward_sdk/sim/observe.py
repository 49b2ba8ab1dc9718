"""The ``features`` observation: a small track-relative vector, every entry normalised to about [−1, 1].

====  ======================  =====================================================  ==========
 idx  name                    meaning                                                 scale
====  ======================  =====================================================  ==========
 0    lateral_offset          origin's distance from the centre line, + = left        / (width/2)
 1    heading_error_sin       sin(car yaw − track direction)                           1
 2    heading_error_cos       cos(car yaw − track direction)                           1
 3    speed                   actual speed, m/s                                        / 4.0
 4    steering                actual steering angle                                    / 30°
 5…   curvature_<d>m          centre-line curvature d m ahead (+ = left), 1/m          / 3.0
====  ======================  =====================================================  ==========

Look-ahead distances :data:`LOOKAHEAD_M`. Values are clipped to [−3, 3] (lateral offset is > 1 off the road).
"""

from __future__ import annotations

import math

import numpy as np

from reward_sdk.sim.car import MAX_SPEED_CMD, MAX_STEERING_DEG, CarState
from reward_sdk.sim.trackline import Cursor, TrackLine

LOOKAHEAD_M = (0.5, 1.0, 1.5, 2.0, 3.0)  # m ahead along the centre line where curvature is sampled
CURVATURE_SCALE = 3.0  # 1/m: tightest DeepRacer bends (~0.33 m radius) map to ±1
FEATURE_CLIP = 3.0  # features are clipped to ± this
FEATURE_NAMES = (
    "lateral_offset",
    "heading_error_sin",
    "heading_error_cos",
    "speed",
    "steering",
    *(f"curvature_{d:g}m" for d in LOOKAHEAD_M),
)


def features(car: CarState, cursor: Cursor, half_width: float) -> np.ndarray:
    """The feature vector (float32, shape ``(len(FEATURE_NAMES),)``) for ``car`` on ``cursor``'s track."""
    line: TrackLine = cursor.line
    i, offset = cursor.signed_offset(car.x, car.y)
    error = car.yaw - float(line.tangent_yaw[i])
    here = float(line.arc[i])
    curv = [float(line.curvature[line.index_at(here + d)]) / CURVATURE_SCALE for d in LOOKAHEAD_M]
    values = [
        offset / max(half_width, 1e-6),
        math.sin(error),
        math.cos(error),
        car.speed / MAX_SPEED_CMD,
        math.degrees(car.steer) / MAX_STEERING_DEG,
        *curv,
    ]
    return np.clip(np.asarray(values, dtype=np.float32), -FEATURE_CLIP, FEATURE_CLIP)
