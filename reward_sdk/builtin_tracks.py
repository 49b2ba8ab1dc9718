"""Built-in tracks drawn by our own code: control points, a smooth closed curve through them, and borders.

Each built-in track is a closed loop, stored counter-clockwise (the inner border on the left of travel), with
waypoints every :data:`WAYPOINT_SPACING_M` metres like the real tracks. They need no data files, so the demo,
the tests and lint's incentive audit always have a track to drive on.

* ``oval`` — a 24.6 m stadium: two 6 m straights and two 2 m-radius bends, constant 1.0 m width.
* ``club`` — a 37 m club circuit with fast and slow left corners and one right-hand kink, 1.067 m wide.
* ``technical`` — a 73 m technical track: hairpins, an S-bend, a chicane; width varies 0.9-1.2 m.

Construction: a centripetal Catmull-Rom spline through the control points, resampled at equal arc-length
steps; borders are offset along the unit normal by half the local width. Because the curve's radius stays
well above half the width, the borders never cross themselves (checked when the track is built).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from reward_sdk.errors import TrackError
from reward_sdk.tracks import FloatArray, Track, signed_area, track_from_rows

WAYPOINT_SPACING_M = 0.25
"""Distance between consecutive built-in waypoints, metres (real tracks use 0.13-0.44 m)."""

_SPLINE_SAMPLES_PER_SPAN = 60


def _stadium_centre(straight_m: float, radius_m: float) -> FloatArray:
    """Dense CCW centre line of a stadium (two straights joined by half circles), starting mid-straight."""
    samples = 400
    bottom = np.column_stack((np.linspace(0.0, straight_m, samples, endpoint=False), np.full(samples, 0.0)))
    angles = np.linspace(-np.pi / 2, np.pi / 2, samples, endpoint=False)
    right = np.column_stack((straight_m + radius_m * np.cos(angles), radius_m + radius_m * np.sin(angles)))
    top = np.column_stack(
        (np.linspace(straight_m, 0.0, samples, endpoint=False), np.full(samples, 2 * radius_m))
    )
    angles = np.linspace(np.pi / 2, 3 * np.pi / 2, samples, endpoint=False)
    left = np.column_stack((radius_m * np.cos(angles), radius_m + radius_m * np.sin(angles)))
    centre = np.vstack((bottom, right, top, left))
    return centre - [straight_m / 2.0, 0.0]


def _catmull_rom_closed(control_points: FloatArray) -> FloatArray:
    """Dense closed curve through ``control_points`` (centripetal Catmull-Rom, alpha = 0.5)."""
    points = np.asarray(control_points, dtype=np.float64)
    count = len(points)
    curve: list[FloatArray] = []
    for index in range(count):
        p0, p1, p2, p3 = (points[(index + offset) % count] for offset in (-1, 0, 1, 2))
        t0 = 0.0
        t1 = t0 + np.linalg.norm(p1 - p0) ** 0.5
        t2 = t1 + np.linalg.norm(p2 - p1) ** 0.5
        t3 = t2 + np.linalg.norm(p3 - p2) ** 0.5
        t = np.linspace(t1, t2, _SPLINE_SAMPLES_PER_SPAN, endpoint=False)[:, None]
        a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
        a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
        a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
        b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
        b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
        curve.append((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2)
    return np.vstack(curve)


def _resample_closed(dense: FloatArray, spacing_m: float) -> FloatArray:
    """Closed polyline resampled at equal arc-length steps (last point = first point)."""
    closed = np.vstack((dense, dense[:1]))
    step_lengths = np.linalg.norm(np.diff(closed, axis=0), axis=1)
    arc = np.concatenate(([0.0], np.cumsum(step_lengths)))
    count = max(8, round(arc[-1] / spacing_m))
    targets = np.linspace(0.0, arc[-1], count + 1)
    return np.column_stack((np.interp(targets, arc, closed[:, 0]), np.interp(targets, arc, closed[:, 1])))


def _rows_with_borders(centre: FloatArray, width_at: Callable[[FloatArray], FloatArray]) -> FloatArray:
    """(N, 6) rows: centre, inner (left of a CCW loop), outer; ``width_at(fraction_of_lap) -> width``."""
    if signed_area(centre) < 0:
        centre = centre[::-1].copy()
    # Central differences on the closed loop (skip the repeated last point).
    loop = centre[:-1]
    tangent = np.roll(loop, -1, axis=0) - np.roll(loop, 1, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    left_normal = np.column_stack((-tangent[:, 1], tangent[:, 0]))
    fractions = np.arange(len(loop)) / len(loop)
    half_width = width_at(fractions)[:, None] / 2.0
    inner = loop + left_normal * half_width
    outer = loop - left_normal * half_width
    rows = np.hstack((loop, inner, outer))
    return np.vstack((rows, rows[:1]))


def _constant(width_m: float) -> Callable[[FloatArray], FloatArray]:
    return lambda fractions: np.full(len(fractions), width_m)


_CLUB_CONTROL_POINTS = np.array(
    [
        [0.0, 0.0],
        [4.0, 0.0],
        [7.5, 0.3],
        [9.3, 2.0],
        [8.8, 4.2],
        [6.6, 4.8],
        [5.0, 6.0],
        [5.2, 8.2],
        [3.6, 9.6],
        [1.2, 9.2],
        [-0.9, 7.4],
        [-2.6, 5.0],
        [-3.2, 2.2],
        [-2.2, 0.4],
    ]
)
"""CCW club circuit; the dent at (6.6, 4.8)-(5.0, 6.0) is the right-hand corner."""

_TECHNICAL_CONTROL_POINTS = np.array(
    [
        [0.0, 0.0],
        [5.0, 0.0],
        [10.0, 0.0],
        [13.0, 0.8],
        [14.2, 3.0],
        [13.0, 5.0],
        [10.6, 5.2],
        [9.0, 6.6],
        [10.2, 8.6],
        [13.0, 9.2],
        [15.4, 10.6],
        [15.6, 13.4],
        [13.4, 15.0],
        [10.2, 14.6],
        [7.8, 12.6],
        [5.6, 12.2],
        [3.8, 13.8],
        [1.4, 14.6],
        [-1.4, 13.6],
        [-2.2, 11.0],
        [-0.4, 9.0],
        [1.4, 7.4],
        [0.6, 5.4],
        [-1.8, 4.6],
        [-3.2, 2.6],
        [-2.4, 0.6],
    ]
)
"""CCW technical track with hairpins, an S-bend and a chicane."""


def _technical_width(fractions: FloatArray) -> FloatArray:
    # Narrow in the chicane, wide on the main straight: 0.85-1.2 m.
    return 1.025 + 0.175 * np.cos(2 * np.pi * fractions) * np.cos(6 * np.pi * fractions)


def _build(name: str) -> Track:
    if name == "oval":
        centre = _resample_closed(_stadium_centre(6.0, 2.0), WAYPOINT_SPACING_M)
        rows = _rows_with_borders(centre, _constant(1.0))
    elif name == "club":
        centre = _resample_closed(_catmull_rom_closed(_CLUB_CONTROL_POINTS), WAYPOINT_SPACING_M)
        rows = _rows_with_borders(centre, _constant(1.067))
    elif name == "technical":
        centre = _resample_closed(_catmull_rom_closed(_TECHNICAL_CONTROL_POINTS), WAYPOINT_SPACING_M)
        rows = _rows_with_borders(centre, _technical_width)
    else:
        raise TrackError(f"unknown built-in track '{name}' (built-ins: {', '.join(builtin_track_names())})")
    return track_from_rows(rows, name)


BUILTIN_DESCRIPTIONS: dict[str, str] = {
    "oval": "stadium oval, two straights and two equal bends, 1.0 m wide",
    "club": "club circuit, fast and slow left corners and a right-hand kink, 1.067 m wide",
    "technical": "long technical track, hairpins, S-bend and chicane, 0.9-1.2 m wide",
}


def builtin_track_names() -> list[str]:
    """Names of the built-in tracks, shortest first."""
    return list(BUILTIN_DESCRIPTIONS)


@cache
def _cached_builtin(name: str) -> Track:
    return _build(name)


def builtin_track(name: str) -> Track:
    """A built-in track by name (``oval``, ``club``, ``technical``); built once per process.

    :raises TrackError: unknown name.
    """
    if name not in BUILTIN_DESCRIPTIONS:
        raise TrackError(f"unknown built-in track '{name}' (built-ins: {', '.join(builtin_track_names())})")
    return _cached_builtin(name)
