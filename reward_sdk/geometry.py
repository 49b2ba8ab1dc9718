"""THE car-state → ``params`` function, scalar and vectorised.

Everything that produces a params dict — the simulator at every step, replay from a logged row, lint's generated
states — goes through this module, so all of them agree with the real simulator (``shared/spec/PARAMS.md`` §2).

Inputs (units): position of the car's **front point** ``x, y`` in metres (what the simulator logs as X/Y and
passes as ``params['x']``), or of the car **origin** with ``origin=True``; ``heading`` in degrees, CCW positive;
commanded ``speed`` (m/s) and ``steering_angle`` (deg, + = left); ``steps`` (float); the episode's start position
``start_ndist`` (fraction of the lap in [0, 1)) and the previous step's progress ``prev_progress`` (%).

Rules, paraphrasing the simulator:

* ``ndist`` = normalised arc position of the front point's nearest point C on the centre line (first nearest
  segment wins on ties, as GEOS does); ``projection_distance = ndist · track_length``;
* ``distance_from_center = |P − C|``; ``track_width = |I − O|`` where I and O are the inner/outer border points
  nearest to C (not to the car);
* ``closest_waypoints = [prev, next]`` bracket ``ndist`` in the waypoints' arc positions (``bisect_right``,
  wrapping); the last waypoint's arc position is forced to 1.0;
* ``is_left_of_center = (|P − I| < |P − O|) XOR (not is_ccw)``;
* wheel centres: the car origin is 0.14 m behind the front point; the four wheel centres sit at
  :data:`WHEEL_OFFSETS` in the car frame; ``all_wheels_on_track`` = all strictly inside the road polygon,
  ``is_offtrack`` = none inside;
* a non-finite ``x`` or ``y`` gives NaN distances, ``ndist`` and width, and an off-track car;
* ``progress``: ``p = 100·(ndist − start_ndist)``, +100 when ``p ≤ 0``; +100 more when ``prev_progress > p + 50``
  (finish line crossed), −100 when ``p > prev_progress + 50`` (start line crossed backwards); capped at the int
  ``100``.

The vectorised :func:`params_batch` (:func:`_core_columns`: a compiled Cython loop,
:mod:`reward_sdk.geometry_kernel`, or the numpy form when the extension is not built) and the scalar :func:`params_from_pose`
(plain floats, :func:`_scalar_core`, a few µs per state for the simulator) implement the same rules over the
same precomputed indexes and constants (:mod:`reward_sdk.track_geometry`, :mod:`reward_sdk.car_frame`); a
property test checks they agree to 1e-9. Object keys are computed in :mod:`reward_sdk.objects`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from reward_sdk.car_frame import (
    CAR_LENGTH,
    CAR_WIDTH,
    FRONT_OFFSET,
    WHEEL_OFFSETS,
    WHEEL_OFFSETS_FROM_FRONT,
    car_origin,
    front_point,
)
from reward_sdk.geometry_kernel import kernel_tables
from reward_sdk.objects import Obstacle, object_params
from reward_sdk.params import OBJECT_PARAM_NAMES, PARAM_NAMES, RewardParams
from reward_sdk.track_geometry import TrackGeometry, road_polygon, track_constants, track_geometry
from reward_sdk.tracks import DUPLICATE_TOLERANCE_M, FloatArray, Track

__all__ = [
    "CAR_LENGTH",
    "CAR_WIDTH",
    "FRONT_OFFSET",
    "PER_STATE_KEYS",
    "WHEEL_OFFSETS",
    "Obstacle",
    "TrackGeometry",
    "car_origin",
    "closest_waypoint_pairs",
    "default_object_params",
    "front_point",
    "ndist",
    "object_params",
    "params_batch",
    "params_from_pose",
    "progress_from_ndist",
    "road_polygon",
    "row_from_columns",
    "start_pose",
    "track_constants",
    "track_geometry",
    "wheel_positions",
]

PER_STATE_KEYS: tuple[str, ...] = tuple(
    name for name in PARAM_NAMES if name not in OBJECT_PARAM_NAMES | {"track_length", "waypoints", "sim_time"}
)
"""Keys that :func:`params_batch` returns as columns (the rest are per-track constants or object keys)."""


def wheel_positions(x_front: ArrayLike, y_front: ArrayLike, heading_deg: ArrayLike) -> FloatArray:
    """(N, 4, 2) world positions of the four wheel centres for cars given by their front point."""
    yaw = np.radians(np.atleast_1d(np.asarray(heading_deg, dtype=np.float64)))
    cos_yaw, sin_yaw = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    forward, lateral = WHEEL_OFFSETS_FROM_FRONT[:, 0], WHEEL_OFFSETS_FROM_FRONT[:, 1]
    wheels_x = np.atleast_1d(x_front)[:, None] + cos_yaw * forward - sin_yaw * lateral
    wheels_y = np.atleast_1d(y_front)[:, None] + sin_yaw * forward + cos_yaw * lateral
    return np.stack((wheels_x, wheels_y), axis=-1)


def ndist(track: Track, x: ArrayLike, y: ArrayLike) -> FloatArray:
    """Normalised arc position in [0, 1] of the nearest centre-line point to each ``(x, y)``."""
    geometry = track_geometry(track)
    nearest = geometry.center_index.nearest(np.atleast_1d(np.asarray(x, dtype=np.float64)), np.atleast_1d(y))
    return nearest.arc / geometry.length


def progress_from_ndist(
    ndist_values: ArrayLike, start_ndist: ArrayLike, prev_progress: ArrayLike
) -> FloatArray:
    """Progress (%) from the car's arc position, the episode start and the previous step's progress.

    Implements the simulator's wrap rules (module docstring). Values are capped at 100.
    """
    progress = 100.0 * (
        np.asarray(ndist_values, dtype=np.float64) - np.asarray(start_ndist, dtype=np.float64)
    )
    progress = np.where(progress <= 0.0, progress + 100.0, progress)
    previous = np.asarray(prev_progress, dtype=np.float64)
    progress = np.where(previous > progress + 50.0, progress + 100.0, progress)
    progress = np.where(progress > previous + 50.0, progress - 100.0, progress)
    return np.asarray(np.minimum(progress, 100.0), dtype=np.float64)


def closest_waypoint_pairs(track: Track, ndist_values: ArrayLike) -> NDArray[np.int64]:
    """(N, 2) ``[prev, next]`` waypoint indices bracketing each normalised arc position (``find_prev_next``)."""
    ndists = track_geometry(track).waypoint_ndists
    count = len(ndists)
    upper = np.searchsorted(ndists, np.asarray(ndist_values, dtype=np.float64), side="right").astype(np.int64)
    lower = upper - 1
    lower = np.where(lower == -1, count - 1, lower)
    upper = np.where(upper == count, 0, upper)
    return np.stack((lower, upper), axis=-1)


def _core_columns(track: Track, x: FloatArray, y: FloatArray, heading: FloatArray) -> dict[str, Any]:
    """Position-derived columns for N front points: the compiled kernel when built, else the numpy form."""
    tables = kernel_tables(track)
    if tables is None:
        return _core_columns_numpy(track, x, y, heading)
    return tables.core_columns(x, y, heading)


def _core_columns_numpy(track: Track, x: FloatArray, y: FloatArray, heading: FloatArray) -> dict[str, Any]:
    """Numpy form of :func:`_core_columns` (same rules and operations as :mod:`reward_sdk._geometry_kernel`)."""
    geometry = track_geometry(track)
    centre = geometry.center_index.nearest(x, y)
    ndist_values = centre.arc / geometry.length
    inner_table, inner_counts, _ = geometry.inner_candidates
    outer_table, outer_counts, _ = geometry.outer_candidates
    inner = geometry.inner_index.nearest(
        centre.foot_x, centre.foot_y, inner_table[centre.segment], inner_counts[centre.segment]
    )
    outer = geometry.outer_index.nearest(
        centre.foot_x, centre.foot_y, outer_table[centre.segment], outer_counts[centre.segment]
    )
    inner_xy = np.column_stack((inner.foot_x, inner.foot_y))
    outer_xy = np.column_stack((outer.foot_x, outer.foot_y))
    distance_from_center = centre.distance
    track_width = np.sqrt((inner_xy[:, 0] - outer_xy[:, 0]) ** 2 + (inner_xy[:, 1] - outer_xy[:, 1]) ** 2)
    to_inner = np.sqrt((x - inner_xy[:, 0]) ** 2 + (y - inner_xy[:, 1]) ** 2)
    to_outer = np.sqrt((x - outer_xy[:, 0]) ** 2 + (y - outer_xy[:, 1]) ** 2)
    is_left = (to_inner < to_outer) ^ (not geometry.is_ccw)
    wheels = wheel_positions(x, y, heading).reshape(-1, 2)
    inside = shapely.contains_xy(geometry.road, wheels[:, 0], wheels[:, 1]).reshape(-1, 4)
    unknown = ~(np.isfinite(x) & np.isfinite(y))
    if unknown.any():  # no position: NaN distances (off track, as every wheel test fails)
        ndist_values, distance_from_center, track_width = (
            np.where(unknown, np.nan, column) for column in (ndist_values, distance_from_center, track_width)
        )
        is_left = is_left & ~unknown
    return {
        "ndist": ndist_values,
        "distance_from_center": distance_from_center,
        "projection_distance": ndist_values * geometry.length,
        "track_width": track_width,
        "closest_waypoints": closest_waypoint_pairs(track, ndist_values),
        "is_left_of_center": is_left,
        "all_wheels_on_track": inside.all(axis=1),
        "is_offtrack": ~inside.any(axis=1),
    }


def _broadcast(value: ArrayLike | None, count: int, default: float) -> FloatArray:
    if value is None:
        return np.full(count, default, dtype=np.float64)
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (count,)).astype(np.float64)


def params_batch(
    track: Track,
    x: ArrayLike,
    y: ArrayLike,
    heading: ArrayLike,
    *,
    speed: ArrayLike | None = None,
    steering_angle: ArrayLike | None = None,
    steps: ArrayLike | None = None,
    start_ndist: ArrayLike | None = None,
    prev_progress: ArrayLike | None = None,
    progress: ArrayLike | None = None,
    origin: bool = False,
) -> dict[str, Any]:
    """Vectorised params for N car states on one track.

    :param x: (N,) x of the front point (or of the origin when ``origin=True``), metres.
    :param y: (N,) y, metres.
    :param heading: (N,) car yaw, degrees.
    :param speed: commanded speed, m/s (scalar or (N,); default 0).
    :param steering_angle: commanded steering, degrees (default 0).
    :param steps: step counter (default 2.0, the first reward call of an episode).
    :param start_ndist: episode start as a lap fraction in [0, 1) (default 0).
    :param prev_progress: previous step's progress in % (default 0).
    :param progress: when given, used as-is instead of being computed (replay passes the logged value).
    :param origin: ``x, y`` are the car origin; the front point is computed.
    :returns: dict of columns for every key in :data:`PER_STATE_KEYS` (numpy arrays; ``closest_waypoints`` is
        (N, 2) int64) plus ``ndist``. ``waypoints``/``track_length`` come from :func:`track_constants`; object
        keys keep their defaults (see :func:`default_object_params`).
    """
    heading_values = np.atleast_1d(np.asarray(heading, dtype=np.float64))
    x_values = np.atleast_1d(np.asarray(x, dtype=np.float64))
    y_values = np.atleast_1d(np.asarray(y, dtype=np.float64))
    if origin:
        x_values, y_values = front_point(x_values, y_values, heading_values)
    count = len(x_values)
    if not (len(y_values) == count and len(heading_values) == count):
        raise ValueError(
            f"x, y and heading must have the same length, got {count}, {len(y_values)}, {len(heading_values)}"
        )
    columns = _core_columns(track, x_values, y_values, heading_values)
    if progress is None:
        progress_values = progress_from_ndist(
            columns["ndist"], _broadcast(start_ndist, count, 0.0), _broadcast(prev_progress, count, 0.0)
        )
    else:
        progress_values = _broadcast(progress, count, 0.0)
    columns.update(
        x=x_values,
        y=y_values,
        heading=heading_values,
        progress=progress_values,
        steps=_broadcast(steps, count, 2.0),
        speed=_broadcast(speed, count, 0.0),
        steering_angle=_broadcast(steering_angle, count, 0.0),
        is_reversed=np.full(count, track.is_reversed),
    )
    return columns


_DEFAULT_OBJECT_PARAMS: dict[str, Any] = {
    name: RewardParams.model_fields[name].get_default(call_default_factory=True)
    for name in PARAM_NAMES
    if name in OBJECT_PARAM_NAMES
} | {"closest_objects": [0, 0]}


def default_object_params() -> dict[str, Any]:
    """Object keys as the simulator fills them when the track has no objects (defaults of the params model).

    A fresh copy each call: the lists are mutable and the caller may hand the dict to user code.
    """
    return {
        key: list(value) if isinstance(value, list) else value
        for key, value in _DEFAULT_OBJECT_PARAMS.items()
    }


def params_from_pose(
    track: Track,
    x: float,
    y: float,
    heading: float,
    *,
    speed: float = 0.0,
    steering_angle: float = 0.0,
    steps: float = 2.0,
    start_ndist: float = 0.0,
    prev_progress: float = 0.0,
    progress: float | None = None,
    origin: bool = False,
    objects: Sequence[Obstacle] | None = None,
) -> dict[str, Any]:
    """The full 27-key params dict (26 without ``sim_time``) for one car state, in the simulator's key order.

    Arguments as in :func:`params_batch` (scalars). ``objects`` fills the object keys (PARAMS.md §2.18);
    without objects they keep their defaults. Types match the simulator: Python ``float``/``bool``/``int``,
    ``waypoints`` a list of tuples, ``progress`` the int ``100`` when capped.
    """
    if origin:
        yaw = math.radians(heading)
        x, y = x + FRONT_OFFSET * math.cos(yaw), y + FRONT_OFFSET * math.sin(yaw)
    row = _scalar_core(track, float(x), float(y), float(heading))
    if progress is None:
        progress = _scalar_progress(row.pop("ndist"), start_ndist, prev_progress)
    else:
        row.pop("ndist")
    row.update(
        progress=100 if progress == 100.0 else float(progress),
        steps=float(steps),
        speed=float(speed),
        steering_angle=float(steering_angle),
    )
    geometry = track_geometry(track)
    row["track_length"] = geometry.length
    row["waypoints"] = list(geometry.waypoints)
    row.update(default_object_params())
    if objects:
        row.update(object_params(track, row, objects))
    return {key: row[key] for key in _KEY_ORDER}


def _scalar_progress(ndist_value: float, start_ndist: float, prev_progress: float) -> float:
    """Scalar twin of :func:`progress_from_ndist`."""
    progress = 100.0 * (ndist_value - start_ndist)
    if progress <= 0.0:
        progress += 100.0
    if prev_progress > progress + 50.0:
        progress += 100.0
    if progress > prev_progress + 50.0:
        progress -= 100.0
    return min(progress, 100.0)


def _scalar_core(track: Track, x: float, y: float, heading: float) -> dict[str, Any]:
    """Scalar twin of :func:`_core_columns` in plain Python floats (one simulator step costs a few µs)."""
    geometry = track_geometry(track)
    segment, _, foot_x, foot_y, arc, distance = geometry.center_index.nearest_one(x, y)
    ndist_value = arc / geometry.length
    inner = geometry.inner_index.nearest_one(foot_x, foot_y, geometry.inner_candidates[2][segment])
    outer = geometry.outer_index.nearest_one(foot_x, foot_y, geometry.outer_candidates[2][segment])
    inner_x, inner_y, outer_x, outer_y = inner[2], inner[3], outer[2], outer[3]
    to_inner = math.sqrt((x - inner_x) ** 2 + (y - inner_y) ** 2)
    to_outer = math.sqrt((x - outer_x) ** 2 + (y - outer_y) ** 2)
    yaw = math.radians(heading)
    cos_yaw, sin_yaw = math.cos(yaw), math.sin(yaw)
    origin_x, origin_y = x - FRONT_OFFSET * cos_yaw, y - FRONT_OFFSET * sin_yaw
    wheels_x = [origin_x + cos_yaw * dx - sin_yaw * dy for dx, dy in _WHEEL_OFFSET_LIST]
    wheels_y = [origin_y + sin_yaw * dx + cos_yaw * dy for dx, dy in _WHEEL_OFFSET_LIST]
    inside = shapely.contains_xy(geometry.road, wheels_x, wheels_y)
    ndists = geometry.waypoint_ndist_list
    upper = bisect_right(ndists, ndist_value)
    lower = len(ndists) - 1 if upper == 0 else upper - 1
    upper = 0 if upper == len(ndists) else upper
    return {
        "ndist": ndist_value,
        "all_wheels_on_track": bool(inside.all()),
        "x": x,
        "y": y,
        "heading": heading,
        "distance_from_center": distance,
        "projection_distance": ndist_value * geometry.length,
        "track_width": math.sqrt((inner_x - outer_x) ** 2 + (inner_y - outer_y) ** 2),
        "closest_waypoints": [lower, upper],
        "is_left_of_center": (to_inner < to_outer) != (not geometry.is_ccw),
        "is_reversed": geometry.is_reversed,
        "is_offtrack": not bool(inside.any()),
    }


_WHEEL_OFFSET_LIST: list[tuple[float, float]] = [(float(dx), float(dy)) for dx, dy in WHEEL_OFFSETS]


def row_from_columns(columns: dict[str, Any], index: int) -> dict[str, Any]:
    """Row ``index`` of :func:`params_batch` columns as plain Python values (simulator types)."""
    row: dict[str, Any] = {}
    for key in PER_STATE_KEYS:
        value = columns[key][index]
        if key == "closest_waypoints":
            row[key] = [int(value[0]), int(value[1])]
        elif isinstance(value, np.bool_ | bool):
            row[key] = bool(value)
        else:
            row[key] = float(value)
    if row["progress"] == 100.0:
        row["progress"] = 100  # the simulator's min(p, 100) yields the int 100
    return row


_KEY_ORDER: tuple[str, ...] = tuple(name for name in PARAM_NAMES if name != "sim_time")


def start_pose(track: Track, start_ndist: float) -> tuple[float, float, float]:
    """Car origin and yaw (degrees) at an episode start: on the centre line at ``start_ndist``, facing the next
    waypoint (zero-length segments are skipped so the yaw is always defined)."""
    geometry = track_geometry(track)
    position = geometry.center_line.interpolate(start_ndist % 1.0, normalized=True)
    index = int(closest_waypoint_pairs(track, [start_ndist % 1.0])[0][1])
    center = track.center
    target = center[index]
    for _ in range(len(center)):
        if np.hypot(target[0] - position.x, target[1] - position.y) > DUPLICATE_TOLERANCE_M:
            break
        index = (index + 1) % len(center)
        target = center[index]
    yaw = float(np.degrees(np.arctan2(target[1] - position.y, target[0] - position.x)))
    return float(position.x), float(position.y), yaw
