"""Shapely geometry and nearest-point indexes of one track, built once and cached on the :class:`Track`."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import LinearRing, LineString, Polygon

from reward_sdk.polyline import PolylineIndex, segment_candidates
from reward_sdk.tracks import FloatArray, Track


class TrackGeometry:
    """Shapely geometry of one track in its current direction, built once and cached on the track."""

    def __init__(self, track: Track) -> None:
        line_type = LinearRing if track.is_loop else LineString
        self.track = track
        self.center_line = line_type(track.center)
        self.inner_line = line_type(track.inner)
        self.outer_line = line_type(track.outer)
        self.road = road_polygon(track)
        self.inner_area = _area_between(track.center, track.inner, track.is_loop)
        shapely.prepare(self.road)
        shapely.prepare(self.inner_area)
        self.center_index = PolylineIndex(track.center)
        self.inner_index = PolylineIndex(track.inner)
        self.outer_index = PolylineIndex(track.outer)
        self.inner_candidates = segment_candidates(self.center_index, self.inner_index)
        self.outer_candidates = segment_candidates(self.center_index, self.outer_index)
        self.length = self.center_index.length
        cumulative = np.concatenate(([0.0], np.cumsum(track.segment_lengths)))
        self.waypoint_ndists: FloatArray = cumulative / self.length
        self.waypoint_ndists[-1] = 1.0
        self.is_ccw = track.is_ccw
        self.is_reversed = track.is_reversed
        self.waypoints: tuple[tuple[float, float], ...] = tuple(track.waypoints)
        self.waypoint_ndist_list: list[float] = self.waypoint_ndists.tolist()


def _area_between(line_a: FloatArray, line_b: FloatArray, is_loop: bool) -> Polygon:
    """Road-like polygon between two polylines: ring with a hole for loops, closed outline for open tracks."""
    if is_loop:
        shell, hole = (
            (line_a, line_b) if abs(_ring_area(line_a)) >= abs(_ring_area(line_b)) else (line_b, line_a)
        )
        polygon = Polygon(shell, [hole])
    else:
        polygon = Polygon(np.vstack((line_a, line_b[::-1])))
    if not polygon.is_valid:
        polygon = shapely.make_valid(polygon)
    return polygon


def _ring_area(points: FloatArray) -> float:
    return float(Polygon(points).area) if len(points) >= 3 else 0.0


def road_polygon(track: Track) -> Polygon:
    """The drivable area: outer border with the inner border as a hole (loops), or the outline of an open track."""
    return _area_between(track.outer, track.inner, track.is_loop)


def track_geometry(track: Track) -> TrackGeometry:
    """Cached :class:`TrackGeometry` of ``track``."""
    geometry = track._cache.get("geometry")
    if geometry is None:
        geometry = TrackGeometry(track)
        track._cache["geometry"] = geometry
    assert isinstance(geometry, TrackGeometry)
    return geometry


def track_constants(track: Track) -> dict[str, Any]:
    """The per-track params: ``waypoints`` (list of (x, y) tuples) and ``track_length`` (m)."""
    return {"waypoints": track.waypoints, "track_length": track_geometry(track).length}
