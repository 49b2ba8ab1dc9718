"""The drivable corridor of a track: a reference line resampled at even spacing, its normals and how far the road
reaches on each side of it (the bounds of a racing line's lateral offsets).

Distances in m. Normals point left of the driving direction; an offset ``α`` places the point at
``reference + α · normal``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from reward_sdk.tracks import Track

FloatArray = NDArray[np.float64]

DEFAULT_SPACING_M = 0.1  # m between the points of a racing line
SPLINE_OVERSAMPLING = 20  # spline samples per input point when measuring arc length
RAY_LENGTH_FACTOR = 1.5  # rays towards the borders are this many track widths long


@dataclass(frozen=True)
class Corridor:
    """A reference line inside the road with the room on either side of each point.

    :param points: (N, 2) reference points, evenly spaced; a loop does not repeat its first point at the end.
    :param normals: (N, 2) unit normals, pointing left of the driving direction.
    :param left: (N,) distance in m along the normal from each point to the first border on its left.
    :param right: (N,) the same on the right (a positive number).
    :param is_loop: the line closes on itself (point N-1 is followed by point 0).
    """

    points: FloatArray
    normals: FloatArray
    left: FloatArray
    right: FloatArray
    is_loop: bool


def borders(track: Track) -> MultiLineString:
    """Both borders of ``track`` as one shapely geometry."""
    return MultiLineString([np.asarray(track.inner), np.asarray(track.outer)])


def road(track: Track) -> Polygon:
    """The drivable area of ``track`` (outer border with the inner one as a hole for loops)."""
    from reward_sdk.track_geometry import road_polygon

    return road_polygon(track)


def resample(points: FloatArray, is_loop: bool, spacing: float = DEFAULT_SPACING_M) -> FloatArray:
    """``points`` (a polyline, without the repeated closing point for loops) resampled every ``spacing`` m or a
    little less, so that the line divides into equal steps. Zero-length segments are ignored.

    The new points lie on a cubic spline through ``points`` (periodic for loops), so a coarse line resampled finer
    has no kinks at its old vertices. :returns: (M, 2) points starting at ``points[0]``; open lines end at
    ``points[-1]``.
    """
    from scipy.interpolate import CubicSpline

    path = np.vstack([points, points[:1]]) if is_loop else np.asarray(points, dtype=float)
    steps = np.hypot(*np.diff(path, axis=0).T)
    keep = np.concatenate([[True], steps > 1e-9])
    path = path[keep]
    chord = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(path, axis=0).T))])
    spline = CubicSpline(chord, path, bc_type="periodic" if is_loop else "not-a-knot")
    fine = spline(np.linspace(0.0, chord[-1], SPLINE_OVERSAMPLING * len(path)))
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(fine, axis=0).T))])
    total = float(arc[-1])
    count = max(int(np.ceil(total / spacing)), 3)
    targets = np.linspace(0.0, total, count + 1)
    if is_loop:
        targets = targets[:-1]
    return np.asarray(spline(np.interp(targets, arc, np.linspace(0.0, chord[-1], len(fine)))), dtype=float)


def normals_of(points: FloatArray, is_loop: bool) -> FloatArray:
    """(N, 2) unit left normals of a polyline from central differences (one-sided at the ends of open lines)."""
    if is_loop:
        tangent = np.roll(points, -1, axis=0) - np.roll(points, 1, axis=0)
    else:
        tangent = np.gradient(points, axis=0)
    tangent = tangent / np.maximum(np.hypot(tangent[:, 0], tangent[:, 1]), 1e-12)[:, None]
    return np.column_stack([-tangent[:, 1], tangent[:, 0]])


def room(points: FloatArray, normals: FloatArray, track: Track) -> tuple[FloatArray, FloatArray]:
    """Distances (m) along ``+normals`` and ``-normals`` from ``points`` to the nearest border crossing.

    A ray that meets no border (a point already outside the road) gets 0.
    """
    edges = borders(track)
    reach = RAY_LENGTH_FACTOR * float(np.max(track.widths))
    out: list[FloatArray] = []
    for sign in (1.0, -1.0):
        ends = points + sign * reach * normals
        rays = shapely.linestrings(np.stack([points, ends], axis=1))
        hits = shapely.intersection(rays, edges)
        origins = shapely.points(points)
        distance = np.array(
            [
                0.0 if hit.is_empty else float(shapely.distance(origin, hit))
                for hit, origin in zip(hits, origins, strict=True)
            ]
        )
        out.append(distance)
    return out[0], out[1]


def corridor(
    track: Track, reference: FloatArray | None = None, spacing: float = DEFAULT_SPACING_M
) -> Corridor:
    """The corridor of ``track`` around ``reference`` (default: the centre line), resampled every ``spacing`` m."""
    base = np.asarray(track.center if reference is None else reference, dtype=float)
    if reference is None and track.is_loop:
        base = base[:-1]
    points = resample(base, track.is_loop, spacing)
    normals = normals_of(points, track.is_loop)
    left, right = room(points, normals, track)
    return Corridor(points, normals, left, right, track.is_loop)


def clearance(points: FloatArray, track: Track) -> FloatArray:
    """(N,) signed clearance of each point in m: its distance to the nearest border when it lies on the road,
    minus that distance when it does not."""
    area, edges = road(track), borders(track)
    distance = np.array([edges.distance(Point(p)) for p in points])
    inside = shapely.intersects_xy(area, points[:, 0], points[:, 1])
    return np.where(inside, distance, -distance)


def polyline(points: FloatArray, is_loop: bool) -> LineString:
    """``points`` as a shapely line (closed for loops)."""
    return LineString(np.vstack([points, points[:1]]) if is_loop else points)
