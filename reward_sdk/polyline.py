"""Nearest point on a polyline, for one point or millions, with the semantics of shapely's ``project``.

The simulator measures everything through shapely (GEOS): ``line.project(point)`` walks the segments in order,
keeps the **first** segment with the strictly smallest distance, and returns the arc length to the foot of the
perpendicular clamped to that segment. GEOS does this one point at a time (about 4 µs a point on a 120-segment
track); replay and lint need millions of points and the simulator needs one point in a few microseconds, so
:class:`PolylineIndex` does the same computation with precomputed candidate lists:

* **grid candidates** — a uniform grid over the polyline's bounding box (plus :data:`GRID_MARGIN_M`) stores, for
  every cell, the segments that can be nearest to *some* point of the cell: those whose lower-bound distance to
  the cell is no more than the smallest upper-bound distance (a conservative superset, so results are exact);
  points outside the grid fall back to all segments;
* **segment candidates** (:func:`segment_candidates`) — for queries that lie on another polyline (the border
  points nearest to a centre-line foot), the segments that can be nearest to any point of a given segment of that other polyline.

Among the candidates (sorted by segment index) the first minimum wins, as in GEOS. A foot clamped to a segment
end is that exact vertex, so a vertex shared by two segments ties exactly and the earlier segment wins.
Zero-length segments (duplicated waypoints) are never divided by: their projection factor is 0.

:meth:`PolylineIndex.nearest` is the vectorised form (numpy, chunked for cache locality);
:meth:`PolylineIndex.nearest_one` is the scalar form (plain Python floats, used at every simulator step). A
property test checks that both agree with each other and with shapely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

GRID_MARGIN_M = 3.0
"""Grid extends this far (m) beyond the polyline's bounding box; farther points use all segments."""

TARGET_GRID_CELLS = 8000
"""Approximate number of grid cells; the cell size follows from the grid's area (min 0.05 m)."""

CHUNK_POINTS = 4096
"""Points per numpy block in :meth:`PolylineIndex.nearest` (keeps temporaries in cache)."""

BUCKET_WIDTHS = (4, 8, 16, 32)
"""Candidate-count groups solved separately within a block (wider rows go last, unbucketed)."""


@dataclass(frozen=True)
class Nearest:
    """Result of :meth:`PolylineIndex.nearest` for N points.

    :param segment: (N,) index of the nearest segment (0..M-1).
    :param fraction: (N,) position of the foot on that segment in [0, 1].
    :param foot_x: (N,) x of the nearest point on the polyline, metres.
    :param foot_y: (N,) y of the nearest point, metres.
    :param arc: (N,) arc length from the first vertex to the foot, metres.
    :param distance: (N,) distance from the query point to the foot, metres.
    """

    segment: IntArray
    fraction: FloatArray
    foot_x: FloatArray
    foot_y: FloatArray
    arc: FloatArray
    distance: FloatArray


def _pad_table(lists: list[IntArray]) -> tuple[IntArray, IntArray]:
    """Left-aligned candidate table padded with -1, and the count of each row."""
    counts = np.array([len(items) for items in lists], dtype=np.int64)
    table = np.full((len(lists), int(counts.max())), -1, dtype=np.int64)
    for row, items in enumerate(lists):
        table[row, : len(items)] = items
    return table, counts


def point_segment_distances(x: FloatArray, y: FloatArray, start: FloatArray, end: FloatArray) -> FloatArray:
    """(N, M) exact distances from N points to M segments ``start[j] → end[j]``."""
    delta = end - start
    length_squared = delta[:, 0] ** 2 + delta[:, 1] ** 2
    inverse = np.divide(1.0, length_squared, out=np.zeros_like(length_squared), where=length_squared > 0)
    offset_x = x[:, None] - start[:, 0]
    offset_y = y[:, None] - start[:, 1]
    fraction = np.clip((offset_x * delta[:, 0] + offset_y * delta[:, 1]) * inverse, 0.0, 1.0)
    return np.asarray(np.hypot(offset_x - fraction * delta[:, 0], offset_y - fraction * delta[:, 1]))


class PolylineIndex:
    """Exact nearest-point queries on one polyline (closed loops pass their closing vertex explicitly).

    :param vertices: (M+1, 2) polyline vertices in metres; segment i joins vertex i and i+1.
    """

    def __init__(self, vertices: FloatArray) -> None:
        points = np.asarray(vertices, dtype=np.float64)
        self.vertices = points
        self.start = points[:-1]
        self.end = points[1:]
        self.delta = self.end - self.start
        self.length_squared = self.delta[:, 0] ** 2 + self.delta[:, 1] ** 2
        self.segment_length = np.sqrt(self.length_squared)
        self.cumulative = np.concatenate(([0.0], np.cumsum(self.segment_length)))
        self.length = float(self.cumulative[-1])
        # 1 / len² with zero-length segments mapped to 0, so their projection factor is 0 (no division).
        self.inverse_length_squared = np.divide(
            1.0, self.length_squared, out=np.zeros_like(self.length_squared), where=self.length_squared > 0
        )
        self.all_segments = np.arange(len(self.start), dtype=np.int64)
        self._build_grid(points)
        # Plain-Python copies for the scalar path (list indexing beats numpy scalar access by ~10×).
        self._py = [
            arr.tolist()
            for arr in (
                self.start[:, 0],
                self.start[:, 1],
                self.end[:, 0],
                self.end[:, 1],
                self.delta[:, 0],
                self.delta[:, 1],
                self.inverse_length_squared,
                self.segment_length,
                self.cumulative,
            )
        ]
        self._py_grid: list[list[int]] = [
            row[: int(count)].tolist() for row, count in zip(self.grid_table, self.grid_counts, strict=True)
        ]

    def _build_grid(self, points: FloatArray) -> None:
        low = points.min(axis=0) - GRID_MARGIN_M
        high = points.max(axis=0) + GRID_MARGIN_M
        extent = high - low
        cell = max(0.05, float(np.sqrt(extent[0] * extent[1] / TARGET_GRID_CELLS)))
        shape = np.maximum(1, np.ceil(extent / cell).astype(np.int64))
        self.grid_origin = low
        self.grid_cell = cell
        self.grid_rows = int(shape[1])
        self.grid_shape = shape
        # Column by column: distances from the cell centres (lower bound) and from the grid vertices (upper bound:
        # distance to a segment is convex, so its maximum over a cell is at a corner; neighbours share corners).
        row_centres = low[1] + (np.arange(shape[1]) + 0.5) * cell
        row_edges = low[1] + np.arange(shape[1] + 1) * cell
        half_diagonal = cell * math.sqrt(0.5)
        candidate_lists: list[IntArray] = []

        def vertex_column(column: int) -> FloatArray:
            x = np.full(len(row_edges), low[0] + column * cell)
            return point_segment_distances(x, row_edges, self.start, self.end)

        left = vertex_column(0)
        for column in range(int(shape[0])):
            right = vertex_column(column + 1)
            corner_max = np.maximum(np.maximum(left[:-1], left[1:]), np.maximum(right[:-1], right[1:]))
            bound = corner_max.min(axis=1, keepdims=True)
            centre_x = np.full(len(row_centres), low[0] + (column + 0.5) * cell)
            lower = point_segment_distances(centre_x, row_centres, self.start, self.end) - half_diagonal
            mask = lower <= bound + 1e-12
            candidate_lists.extend(np.flatnonzero(row).astype(np.int64) for row in mask)
            left = right
        self.grid_table, self.grid_counts = _pad_table(candidate_lists)

    def cells(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Grid cell index of each point, or -1 outside the grid."""
        column = np.floor((x - self.grid_origin[0]) / self.grid_cell).astype(np.int64)
        row = np.floor((y - self.grid_origin[1]) / self.grid_cell).astype(np.int64)
        inside = (column >= 0) & (column < self.grid_shape[0]) & (row >= 0) & (row < self.grid_rows)
        return np.where(inside, column * self.grid_rows + row, -1)

    def nearest(
        self, x: FloatArray, y: FloatArray, candidates: IntArray | None = None, counts: IntArray | None = None
    ) -> Nearest:
        """Nearest point of the polyline to each ``(x[i], y[i])`` (first nearest segment on ties).

        :param candidates: optional (N, W) candidate segments per point (-1 padded, sorted), e.g. from
            :func:`segment_candidates`; by default the grid's.
        :param counts: (N,) number of valid candidates per row (speeds up padding-heavy tables).
        """
        x = np.atleast_1d(np.asarray(x, dtype=np.float64))
        y = np.atleast_1d(np.asarray(y, dtype=np.float64))
        count = len(x)
        result = Nearest(np.empty(count, np.int64), *(np.empty(count, np.float64) for _ in range(5)))
        for begin in range(0, count, CHUNK_POINTS):
            block = slice(begin, min(count, begin + CHUNK_POINTS))
            if candidates is None:
                cell = self.cells(x[block], y[block])
                far = cell < 0
                rows = self.grid_table[np.where(far, 0, cell)]
                row_counts = self.grid_counts[np.where(far, 0, cell)]
                if far.any():
                    self._solve_into(result, np.flatnonzero(far) + begin, x, y, None)
            else:
                rows = candidates[block]
                row_counts = counts[block] if counts is not None else np.full(len(rows), rows.shape[1])
                far = np.zeros(len(rows), dtype=bool)
            self._solve_bucketed(result, begin, x, y, rows, row_counts, far)
        return result

    def _solve_bucketed(
        self,
        out: Nearest,
        begin: int,
        x: FloatArray,
        y: FloatArray,
        rows: IntArray,
        row_counts: IntArray,
        skip: NDArray[np.bool_],
    ) -> None:
        """Solve a block in groups of similar candidate count, so few rows pay for the widest cell's padding."""
        remaining = ~skip
        for limit in BUCKET_WIDTHS:
            members = remaining & (row_counts <= limit)
            if members.any():
                picked = np.flatnonzero(members)
                width = int(row_counts[picked].max())
                self._solve_into(out, picked + begin, x, y, rows[picked, :width])
                remaining &= ~members
        if remaining.any():
            picked = np.flatnonzero(remaining)
            self._solve_into(out, picked + begin, x, y, rows[picked])

    def _solve_into(
        self, out: Nearest, where: IntArray, x: FloatArray, y: FloatArray, rows: IntArray | None
    ) -> None:
        """Solve points ``where`` against candidate ``rows`` (-1 = padding; ``None`` = all segments)."""
        px, py = x[where][:, None], y[where][:, None]
        if rows is None:
            rows = np.broadcast_to(self.all_segments, (len(where), len(self.start)))
        valid = rows >= 0
        safe = np.where(valid, rows, 0)
        start_x, start_y = self.start[safe, 0], self.start[safe, 1]
        delta_x, delta_y = self.delta[safe, 0], self.delta[safe, 1]
        fraction = np.clip(
            ((px - start_x) * delta_x + (py - start_y) * delta_y) * self.inverse_length_squared[safe],
            0.0,
            1.0,
        )
        at_end = fraction >= 1.0
        foot_x = np.where(at_end, self.end[safe, 0], start_x + fraction * delta_x)
        foot_y = np.where(at_end, self.end[safe, 1], start_y + fraction * delta_y)
        gap_x, gap_y = px - foot_x, py - foot_y
        distance_squared = np.where(valid, gap_x * gap_x + gap_y * gap_y, np.inf)
        best = np.argmin(distance_squared, axis=1)  # first minimum = lowest segment index (candidates sorted)
        pick = np.arange(len(where))
        segment = safe[pick, best]
        chosen_fraction = fraction[pick, best]
        out.segment[where] = segment
        out.fraction[where] = chosen_fraction
        out.foot_x[where] = foot_x[pick, best]
        out.foot_y[where] = foot_y[pick, best]
        out.arc[where] = self.cumulative[segment] + chosen_fraction * self.segment_length[segment]
        out.distance[where] = np.sqrt(distance_squared[pick, best])

    def grid_candidates_one(self, x: float, y: float) -> list[int] | None:
        """Candidate segments of the cell holding ``(x, y)``, or ``None`` outside the grid."""
        column = math.floor((x - self.grid_origin[0]) / self.grid_cell)
        row = math.floor((y - self.grid_origin[1]) / self.grid_cell)
        if 0 <= column < self.grid_shape[0] and 0 <= row < self.grid_rows:
            candidates: list[int] = self._py_grid[column * self.grid_rows + row]
            return candidates
        return None

    def nearest_one(
        self, x: float, y: float, candidates: list[int] | None = None
    ) -> tuple[int, float, float, float, float, float]:
        """Scalar twin of :meth:`nearest`: ``(segment, fraction, foot_x, foot_y, arc, distance)``."""
        start_x, start_y, end_x, end_y, delta_x, delta_y, inverse, seg_length, cumulative = self._py
        if candidates is None:
            candidates = self.grid_candidates_one(x, y)
            if candidates is None:
                candidates = list(range(len(start_x)))
        best_squared = math.inf
        best = (0, 0.0, 0.0, 0.0)
        for index in candidates:
            sx, sy = start_x[index], start_y[index]
            dx, dy = delta_x[index], delta_y[index]
            fraction = ((x - sx) * dx + (y - sy) * dy) * inverse[index]
            if fraction <= 0.0:
                fraction, foot_x, foot_y = 0.0, sx + 0.0 * dx, sy + 0.0 * dy
            elif fraction >= 1.0:
                fraction, foot_x, foot_y = 1.0, end_x[index], end_y[index]
            else:
                foot_x, foot_y = sx + fraction * dx, sy + fraction * dy
            gap_x, gap_y = x - foot_x, y - foot_y
            squared = gap_x * gap_x + gap_y * gap_y
            if squared < best_squared:
                best_squared = squared
                best = (index, fraction, foot_x, foot_y)
        index, fraction, foot_x, foot_y = best
        return (
            index,
            fraction,
            foot_x,
            foot_y,
            cumulative[index] + fraction * seg_length[index],
            math.sqrt(best_squared),
        )


def segment_candidates(
    source: PolylineIndex, target: PolylineIndex
) -> tuple[IntArray, IntArray, list[list[int]]]:
    """For each segment of ``source``, the ``target`` segments that can be nearest to any point on it.

    Bound: the distance from a segment S to a target segment T is at least the minimum over S's points, and the
    nearest target distance anywhere on S is at most ``min_T max(d(S.start, T), d(S.end, T))`` (convexity). We
    keep every T whose lower bound ``min over 8 sample points of S minus half the sample spacing`` is within that
    upper bound — a conservative superset.

    :returns: (M_source, W) padded table, (M_source,) counts, and the same lists as plain Python lists.
    """
    samples = 9
    fractions = np.linspace(0.0, 1.0, samples)
    sample_x = source.start[:, 0:1] + fractions * source.delta[:, 0:1]
    sample_y = source.start[:, 1:2] + fractions * source.delta[:, 1:2]
    distances = point_segment_distances(sample_x.ravel(), sample_y.ravel(), target.start, target.end)
    distances = distances.reshape(len(source.start), samples, len(target.start))
    slack = source.segment_length[:, None] / (samples - 1) / 2.0
    lower = distances.min(axis=1) - slack
    upper = np.maximum(distances[:, 0, :], distances[:, -1, :]).min(axis=1, keepdims=True)
    mask = lower <= upper + 1e-12
    lists = [np.flatnonzero(row).astype(np.int64) for row in mask]
    table, counts = _pad_table(lists)
    return table, counts, [items.tolist() for items in lists]
