"""Compute a racing line for a track: place it (min-curvature or K1999), check the margin, profile the speed.

:func:`racing_line` is the one entry point; :class:`RacingLine` carries everything the CLI prints, plots and emits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reward_sdk.errors import UserError
from reward_sdk.raceline import corridor as corridors
from reward_sdk.raceline.corridor import DEFAULT_SPACING_M, Corridor, FloatArray
from reward_sdk.raceline.optimise import (
    MIN_CURVATURE_ROUNDS,
    k1999_offsets,
    menger_curvature,
    min_curvature_offsets,
)
from reward_sdk.raceline.speed import Limits, lap_time, speed_profile
from reward_sdk.sim.car import MAX_STEERING_DEG, CarParams, physics_profile
from reward_sdk.tracks import Track

METHODS = ("min-curvature", "k1999")
DEFAULT_MARGIN_M = 0.15  # m to the nearest border: the wheels sit 0.08 m beside the line, plus tracking error
DEFAULT_PHYSICS = "droa-2026"
PEAK_STEERING_SHARE = 0.7  # the line's peak curvature needs at most this share of the 30° clip at low speed
MARGIN_REPAIR_ROUNDS = 6  # re-solves with tighter bounds where the shapely check finds a point too close
OPTIMISE_SPACING_M = 0.2  # m between the points the optimisers move (the line is resampled finer afterwards)
K1999_LEVELS = 4  # K1999 runs at 8x, 4x, 2x and 1x the optimiser spacing
MARGIN_TOLERANCE_M = 0.005  # m: a point this much inside the margin counts as too close


@dataclass(frozen=True)
class RacingLine:
    """A racing line and its speed profile.

    :param track: the track (in its driving direction). :param method: one of :data:`METHODS`.
    :param margin: m kept from the borders. :param points: (N, 2) line points in m, evenly spaced, a loop without
        its closing point. :param speeds: (N,) target speed at each point, m/s.
    :param curvature: (N,) signed curvature, 1/m (+ = left). :param steps: (N,) distance to the next point, m.
    :param clearance: (N,) distance of each point to the nearest border (negative: off the road), m.
    :param lap_time: predicted flying-lap time, s. :param centre_lap_time: the same profile's time on the centre
        line, s. :param limits: the car limits used. :param is_loop: the line closes on itself.
    """

    track: Track
    method: str
    margin: float
    points: FloatArray
    speeds: FloatArray
    curvature: FloatArray
    steps: FloatArray
    clearance: FloatArray
    lap_time: float
    centre_lap_time: float
    limits: Limits
    is_loop: bool

    @property
    def length(self) -> float:
        """Length of the line in m."""
        return float(np.sum(self.steps if self.is_loop else self.steps[:-1]))

    def summary(self) -> dict[str, object]:
        """Plain figures (the ``--format json`` body): lengths m, speeds m/s, times s, curvature 1/m."""
        return {
            "track": self.track.name,
            "method": self.method,
            "margin_m": self.margin,
            "points": len(self.points),
            "length_m": round(self.length, 4),
            "centre_length_m": round(self.track.length, 4),
            "lap_time_s": round(self.lap_time, 4),
            "centre_lap_time_s": round(self.centre_lap_time, 4),
            "min_clearance_m": round(float(np.min(self.clearance)), 4),
            "peak_curvature_per_m": round(float(np.max(np.abs(self.curvature))), 4),
            "speed_min_mps": round(float(np.min(self.speeds)), 4),
            "speed_max_mps": round(float(np.max(self.speeds)), 4),
            "limits": {
                "top_speed_mps": self.limits.top_speed,
                "lateral_mps2": self.limits.lateral,
                "accel_mps2": self.limits.accel,
                "decel_mps2": self.limits.decel,
            },
        }


def peak_curvature(car: CarParams) -> float:
    """The largest curvature (1/m) a line may have: what :data:`PEAK_STEERING_SHARE` of the steering clip turns
    at walking pace (``tan(δ) / wheelbase``)."""
    return math.tan(math.radians(PEAK_STEERING_SHARE * MAX_STEERING_DEG)) / car.wheelbase


def check_margin(track: Track, margin: float) -> None:
    """:raises UserError: ``margin`` is negative, not finite, or leaves no room on the narrowest part of the
    road (it must be below half the narrowest width)."""
    if not math.isfinite(margin) or margin < 0.0:
        raise UserError(f"--margin must be a number of metres >= 0, got {margin:g}")
    half = 0.5 * float(np.min(track.widths))
    if margin >= half:
        raise UserError(
            f"--margin {margin:g} m leaves no room on {track.name}: it must be below half the narrowest road "
            f"width ({half:.3f} m)"
        )


def racing_line(
    track: Track,
    method: str = "min-curvature",
    margin: float = DEFAULT_MARGIN_M,
    car: CarParams | None = None,
    spacing: float = DEFAULT_SPACING_M,
    limits: Limits | None = None,
) -> RacingLine:
    """The racing line of ``track`` by ``method`` with ``margin`` m to the borders, for the car ``car``
    (default: the calibrated ``droa-2026`` profile).

    :raises UserError: unknown method, bad margin (see :func:`check_margin`).
    """
    if method not in METHODS:
        raise UserError(f"unknown --method {method!r}: choose one of {', '.join(METHODS)}")
    if not track.is_loop:
        raise UserError(f"{track.name} is an open track: racing lines are computed for loops only")
    check_margin(track, margin)
    car = car or physics_profile(DEFAULT_PHYSICS)
    limits = limits or Limits.of(car)
    points = _place(track, method, margin, car, spacing)
    centre = corridors.resample(_open_centre(track), track.is_loop, spacing)
    return _profiled(track, method, margin, points, centre, car, limits)


def _open_centre(track: Track) -> FloatArray:
    center = np.asarray(track.center, dtype=float)
    return center[:-1] if track.is_loop else center


def _place(track: Track, method: str, margin: float, car: CarParams, spacing: float) -> FloatArray:
    """The line's points every ``spacing`` m: the chosen method on a corridor sampled every
    :data:`OPTIMISE_SPACING_M`, then margin repairs checked with shapely (:func:`corridors.clearance`)."""
    coarse = max(spacing, OPTIMISE_SPACING_M)
    if method == "k1999":
        area, alpha = _k1999(track, margin, coarse)
    else:
        reference = _open_centre(track)
        for _ in range(MIN_CURVATURE_ROUNDS):
            area = corridors.corridor(track, reference, coarse)
            alpha = min_curvature_offsets(area, margin, peak_curvature(car))
            reference = area.points + alpha[:, None] * area.normals
    extra = np.zeros(len(area.points))
    for attempt in range(MARGIN_REPAIR_ROUNDS + 1):
        line = area.points + alpha[:, None] * area.normals
        points = corridors.resample(line, track.is_loop, spacing)
        short = margin - MARGIN_TOLERANCE_M - corridors.clearance(points, track)
        if attempt == MARGIN_REPAIR_ROUNDS or not np.any(short > 0.0):
            break
        # points too close to a border (the ray along the normal overestimated the room): ask for more there
        nearest = np.argmin(
            np.hypot(points[:, None, 0] - line[None, :, 0], points[:, None, 1] - line[None, :, 1]), axis=1
        )
        shortfall = np.zeros(len(line))
        np.maximum.at(shortfall, nearest, np.maximum(short, 0.0))
        extra = extra + 1.5 * _widen(shortfall) + 0.002 * (_widen(shortfall) > 0)
        tightened = _tightened(area, extra)
        if method == "k1999":
            alpha = k1999_offsets(tightened, margin, alpha)
        else:
            alpha = min_curvature_offsets(tightened, margin, peak_curvature(car))
    return points


def _k1999(track: Track, margin: float, spacing: float) -> tuple[Corridor, FloatArray]:
    """K1999 coarse to fine: each level starts from the offsets of the level twice as coarse."""
    alpha: FloatArray | None = None
    previous: FloatArray | None = None
    area = corridors.corridor(track, spacing=spacing)
    for level in range(K1999_LEVELS - 1, -1, -1):
        area = corridors.corridor(track, spacing=spacing * 2**level)
        start = None
        if alpha is not None and previous is not None:
            start = _stretch(alpha, len(area.points), track.is_loop)
        alpha = k1999_offsets(area, margin, start)
        previous = area.points
    assert alpha is not None
    return area, alpha


def _stretch(values: FloatArray, count: int, is_loop: bool) -> FloatArray:
    """``values`` of evenly spaced points interpolated onto ``count`` evenly spaced points of the same line."""
    if is_loop:
        source = np.arange(len(values) + 1) / len(values)
        stretched = np.interp(np.arange(count) / count, source, np.append(values, values[0]))
    else:
        stretched = np.interp(np.linspace(0.0, 1.0, count), np.linspace(0.0, 1.0, len(values)), values)
    return np.asarray(stretched, dtype=float)


def _widen(values: FloatArray, reach: int = 3) -> FloatArray:
    """Running maximum of ``values`` over ± ``reach`` neighbours (cyclic)."""
    out = values.copy()
    for shift in range(1, reach + 1):
        out = np.maximum(out, np.maximum(np.roll(values, shift), np.roll(values, -shift)))
    return out


def _tightened(area: Corridor, extra: FloatArray) -> Corridor:
    """``area`` with ``extra`` m less room on both sides."""
    return Corridor(area.points, area.normals, area.left - extra, area.right - extra, area.is_loop)


def _profiled(
    track: Track,
    method: str,
    margin: float,
    points: FloatArray,
    centre: FloatArray,
    car: CarParams,
    limits: Limits,
) -> RacingLine:
    def profile(line: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, float]:
        curvature = menger_curvature(line, track.is_loop)
        steps = np.hypot(*(np.roll(line, -1, axis=0) - line).T)
        speeds = speed_profile(curvature, steps, car, limits, track.is_loop)
        return curvature, steps, speeds, lap_time(speeds, steps, track.is_loop)

    curvature, steps, speeds, time = profile(points)
    centre_time = profile(centre)[3]
    return RacingLine(
        track=track,
        method=method,
        margin=margin,
        points=points,
        speeds=speeds,
        curvature=curvature,
        steps=steps,
        clearance=corridors.clearance(points, track),
        lap_time=time,
        centre_lap_time=centre_time,
        limits=limits,
        is_loop=track.is_loop,
    )
