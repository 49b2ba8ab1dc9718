"""The centre line densified for fast per-step queries: nearest sample, tangent, curvature, offset lines.

Shared by the scripted drivers and the feature observation. Distances in m, angles in rad.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reward_sdk.tracks import Track

SAMPLE_SPACING_M = 0.05  # m between samples
HILL_CLIMB_LIMIT = 200  # most samples a cursor moves per query before falling back to a global search
LOST_DISTANCE_M = 1.0  # m: a cursor farther than this from its match searches everywhere


@dataclass(frozen=True)
class TrackLine:
    """Samples of a track's centre line every :data:`SAMPLE_SPACING_M` m, in the driving direction.

    :param points: (M, 2) sample positions. :param normals: (M, 2) unit normals pointing left.
    :param tangent_yaw: (M,) direction of travel in rad. :param curvature: (M,) signed curvature in 1/m (+ = left).
    :param arc: (M,) arc position in m. :param length: centre-line length in m.
    """

    points: np.ndarray
    normals: np.ndarray
    tangent_yaw: np.ndarray
    curvature: np.ndarray
    arc: np.ndarray
    length: float
    is_loop: bool
    track_id: int

    @classmethod
    def of(cls, track: Track) -> TrackLine:
        """Build (cached on the track object) the densified line of ``track``."""
        cache = track._cache
        cached = cache.get("sim_trackline")
        if isinstance(cached, TrackLine):
            return cached
        center = np.asarray(track.center, dtype=float)
        seg = np.diff(center, axis=0)
        lengths = np.hypot(seg[:, 0], seg[:, 1])
        keep = lengths > 1e-9
        seg, lengths, starts = seg[keep], lengths[keep], center[:-1][keep]
        cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
        total = float(cumulative[-1])
        arc = np.arange(0.0, total, SAMPLE_SPACING_M)
        index = np.clip(np.searchsorted(cumulative, arc, side="right") - 1, 0, len(seg) - 1)
        points = starts[index] + seg[index] * ((arc - cumulative[index]) / lengths[index])[:, None]
        if track.is_loop:
            ahead, behind = np.roll(points, -1, axis=0), np.roll(points, 1, axis=0)
        else:
            ahead = np.vstack([points[1:], points[-1:] + (points[-1:] - points[-2:-1])])
            behind = np.vstack([points[:1] - (points[1:2] - points[:1]), points[:-1]])
        tangent = ahead - behind
        yaw = np.arctan2(tangent[:, 1], tangent[:, 0])
        unit = tangent / np.maximum(np.hypot(tangent[:, 0], tangent[:, 1]), 1e-12)[:, None]
        normals = np.stack([-unit[:, 1], unit[:, 0]], axis=1)
        window = max(1, round(0.25 / SAMPLE_SPACING_M))  # curvature over ±0.25 m smooths polyline kinks
        turn = np.angle(np.exp(1j * (np.roll(yaw, -window) - np.roll(yaw, window))))
        curvature = turn / (2 * window * SAMPLE_SPACING_M)
        if not track.is_loop:
            curvature[:window] = curvature[-window:] = 0.0
        line = cls(points, normals, yaw, curvature, arc, total, track.is_loop, id(track))
        cache["sim_trackline"] = line
        return line

    def index_at(self, s: float) -> int:
        """Sample index at arc position ``s`` m (wrapped on loops, clamped on open tracks)."""
        s = s % self.length if self.is_loop else min(max(s, 0.0), float(self.arc[-1]))
        return int(min(round(s / SAMPLE_SPACING_M), len(self.points) - 1))


class Cursor:
    """Tracks the nearest sample to a moving point: a global search first, then a cheap hill climb."""

    def __init__(self, line: TrackLine) -> None:
        self.line = line
        self.index = -1

    def nearest(self, x: float, y: float) -> int:
        line, points = self.line, self.line.points
        n = len(points)
        if self.index < 0:
            self.index = int(np.argmin((points[:, 0] - x) ** 2 + (points[:, 1] - y) ** 2))
            return self.index

        def dist(k: int) -> float:
            px, py = points[k % n] if line.is_loop else points[min(max(k, 0), n - 1)]
            return float((px - x) ** 2 + (py - y) ** 2)

        i = self.index
        best = dist(i)
        for direction in (1, -1):
            moved = False
            for _ in range(HILL_CLIMB_LIMIT):
                candidate = dist(i + direction)
                if candidate >= best:
                    break
                i, best, moved = i + direction, candidate, True
            if moved:
                break
        if best > LOST_DISTANCE_M**2:
            self.index = -1
            return self.nearest(x, y)
        self.index = i % n if line.is_loop else min(max(i, 0), n - 1)
        return self.index

    def signed_offset(self, x: float, y: float) -> tuple[int, float]:
        """``(nearest sample, lateral offset m)``; the offset is + left of the driving direction."""
        i = self.nearest(x, y)
        px, py = self.line.points[i]
        nx, ny = self.line.normals[i]
        return i, float((x - px) * nx + (y - py) * ny)


def wrap_angle(angle: float) -> float:
    """Angle in rad wrapped to (−π, π]."""
    return math.atan2(math.sin(angle), math.cos(angle))
