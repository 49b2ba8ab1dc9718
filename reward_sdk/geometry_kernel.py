"""Tables for the compiled params kernel (:mod:`reward_sdk._geometry_kernel`) and the call into it.

:meth:`KernelTables.core_columns` (through :func:`kernel_tables`) is what
:func:`reward_sdk.geometry.params_batch` uses when the extension was built at
install time (``pip install`` compiles it with Cython; :data:`AVAILABLE` says whether it was). Without it the
numpy form runs instead, with the same results.

Tables (built once per track from its :class:`~reward_sdk.track_geometry.TrackGeometry`, cached on the track):

* each polyline (centre, inner, outer) as a (M, 9) float64 table — ``start_x, start_y, end_x, end_y, delta_x,
  delta_y, 1/len² (0 for zero-length segments), len, arc length at the segment start`` — the same numbers
  :class:`~reward_sdk.polyline.PolylineIndex` holds;
* the centre grid's candidate segments per cell, and the border candidates per centre segment, as CSR pairs
  ``(offsets, items)``;
* a **road grid** for the four-wheel on-track test: square cells over the road's bounding box, each marked
  outside / inside / crossed by the boundary. A point in an uncrossed cell takes the cell's status (O(1)); in a
  crossed cell an exact even-odd ray test runs over the boundary edges of its row band only. Crossed cells are
  found conservatively (every edge sampled at most half a cell apart, the hit cells dilated by one), so a cell
  marked uncrossed truly has no boundary in it; the status of the others is the ray test at the cell centre.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from reward_sdk.car_frame import WHEEL_OFFSETS_FROM_FRONT
from reward_sdk.polyline import PolylineIndex
from reward_sdk.track_geometry import TrackGeometry, track_geometry
from reward_sdk.tracks import FloatArray, Track

try:
    from reward_sdk import _geometry_kernel
except ImportError:  # not compiled (source checkout without `pip install`): the numpy form is used
    _geometry_kernel = None  # type: ignore[assignment]

AVAILABLE: bool = _geometry_kernel is not None
"""Whether the compiled kernel was built and imported."""

ROAD_GRID_CELLS = 40_000
"""Approximate number of road-grid cells per track (a few tens of kB); the cell size follows (min 0.02 m)."""

OUTSIDE, INSIDE, BOUNDARY = 0, 1, 2  # road-grid cell status codes (as in the kernel)


def segment_table(index: PolylineIndex) -> FloatArray:
    """(M, 9) row-per-segment table of a polyline, in the kernel's column order (module docstring)."""
    return np.ascontiguousarray(
        np.column_stack(
            (
                index.start,
                index.end,
                index.delta,
                index.inverse_length_squared,
                index.segment_length,
                index.cumulative[:-1],
            )
        ),
        dtype=np.float64,
    )


def _offsets(counts: np.ndarray) -> np.ndarray:
    """CSR offsets (length len(counts)+1, int64) of rows holding ``counts`` entries each."""
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows of ``counts`` entries laid end to end: each entry's row and its position within the row."""
    owner = np.repeat(np.arange(len(counts)), counts)
    return owner, np.arange(len(owner)) - _offsets(counts)[owner]


def csr(table: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, items)`` of a left-aligned, -1-padded candidate table with ``counts`` valid entries per row."""
    counts = np.asarray(counts, dtype=np.int64)
    offsets = _offsets(counts)
    keep = np.arange(table.shape[1])[None, :] < counts[:, None]
    return offsets, np.ascontiguousarray(table[keep], dtype=np.int64)


def _boundary_edges(road: Any) -> FloatArray:
    """(E, 4) edges of every ring of the road's polygon parts."""
    polygons = [part for part in shapely.get_parts(road) if isinstance(part, shapely.Polygon)]
    edges = []
    for polygon in polygons:
        for ring in shapely.get_rings(polygon):
            coords = shapely.get_coordinates(ring)
            edges.append(np.column_stack((coords[:-1], coords[1:])))
    return np.ascontiguousarray(np.vstack(edges), dtype=np.float64)


def road_grid_tables(road: Any, target_cells: int = ROAD_GRID_CELLS) -> dict[str, Any]:
    """The ``road_*`` arguments of the kernel's ``CompiledTrack`` for a (Multi)Polygon road.

    Cell ``(column, row)`` covers ``[origin_x + column·cell, +cell) × [origin_y + row·cell, +cell)``; its index is
    ``column · rows + row``. ``road_status`` marks the cells a boundary edge may touch (BOUNDARY); the kernel
    fills in the others. Row band ``r`` lists every edge whose y-range meets it, found with the same floor
    formula the query uses, so an edge straddling a point's y is always in the point's band.
    """
    edges = _boundary_edges(road)
    low = edges.reshape(-1, 2).min(axis=0)
    high = edges.reshape(-1, 2).max(axis=0)
    cell = max(0.02, math.sqrt(float(np.prod(high - low)) / target_cells))
    origin = low - cell
    columns, rows = (int(v) for v in np.ceil((high + cell - origin) / cell).astype(np.int64) + 1)

    # Crossed cells: sample every edge at most cell/2 apart, mark the samples' cells, dilate by one cell.
    start, end = edges[:, :2], edges[:, 2:]
    samples_per_edge = np.ceil(np.hypot(*(end - start).T) / (0.5 * cell)).astype(np.int64) + 1
    edge_of_sample, position = _ragged(samples_per_edge)
    fraction = position / np.maximum(samples_per_edge[edge_of_sample] - 1, 1)
    points = start[edge_of_sample] + fraction[:, None] * (end - start)[edge_of_sample]
    cell_column = np.clip(np.floor((points[:, 0] - origin[0]) / cell).astype(np.int64), 0, columns - 1)
    cell_row = np.clip(np.floor((points[:, 1] - origin[1]) / cell).astype(np.int64), 0, rows - 1)
    crossed = np.zeros((columns + 2, rows + 2), dtype=bool)
    crossed[cell_column + 1, cell_row + 1] = True
    dilated = np.zeros((columns, rows), dtype=bool)
    for shift_column in (0, 1, 2):
        for shift_row in (0, 1, 2):
            dilated |= crossed[shift_column : shift_column + columns, shift_row : shift_row + rows]

    low_row = np.floor((np.minimum(edges[:, 1], edges[:, 3]) - origin[1]) / cell).astype(np.int64)
    high_row = np.floor((np.maximum(edges[:, 1], edges[:, 3]) - origin[1]) / cell).astype(np.int64)
    low_row, high_row = np.clip(low_row, 0, rows - 1), np.clip(high_row, 0, rows - 1)
    band_edge, position = _ragged(high_row - low_row + 1)
    band_row = low_row[band_edge] + position
    order = np.argsort(band_row, kind="stable")
    return {
        "road_status": np.where(dilated, BOUNDARY, OUTSIDE).astype(np.uint8).ravel(),
        "road_edges": edges,
        "road_band_offsets": _offsets(np.bincount(band_row, minlength=rows)),
        "road_band_items": np.ascontiguousarray(band_edge[order], dtype=np.int64),
        "road_origin_x": float(origin[0]),
        "road_origin_y": float(origin[1]),
        "road_cell": cell,
        "road_columns": columns,
        "road_rows": rows,
    }


class KernelTables:
    """One track compiled for the kernel (built once, cached on the track by :func:`kernel_tables`)."""

    def __init__(self, geometry: TrackGeometry) -> None:
        assert _geometry_kernel is not None
        self.geometry = geometry
        centre = geometry.center_index
        centre_grid_offsets, centre_grid_items = csr(centre.grid_table, centre.grid_counts)
        inner_offsets, inner_items = csr(*geometry.inner_candidates[:2])
        outer_offsets, outer_items = csr(*geometry.outer_candidates[:2])
        self.length = float(geometry.length)
        self.compiled = _geometry_kernel.CompiledTrack(
            centre=segment_table(centre),
            centre_grid_offsets=centre_grid_offsets,
            centre_grid_items=centre_grid_items,
            centre_origin_x=float(centre.grid_origin[0]),
            centre_origin_y=float(centre.grid_origin[1]),
            centre_cell=float(centre.grid_cell),
            centre_columns=int(centre.grid_shape[0]),
            centre_rows=int(centre.grid_rows),
            inner=segment_table(geometry.inner_index),
            inner_offsets=inner_offsets,
            inner_items=inner_items,
            outer=segment_table(geometry.outer_index),
            outer_offsets=outer_offsets,
            outer_items=outer_items,
            waypoint_ndists=np.ascontiguousarray(geometry.waypoint_ndists, dtype=np.float64),
            wheel_forward=np.ascontiguousarray(WHEEL_OFFSETS_FROM_FRONT[:, 0]),
            wheel_lateral=np.ascontiguousarray(WHEEL_OFFSETS_FROM_FRONT[:, 1]),
            length=self.length,
            is_ccw=bool(geometry.is_ccw),
            **road_grid_tables(geometry.road),
        )

    def __reduce__(self) -> tuple[type[KernelTables], tuple[TrackGeometry]]:
        # The compiled object does not pickle; a track sent to a sandbox worker rebuilds it there (~2 ms).
        return (KernelTables, (self.geometry,))

    def core_columns(self, x: FloatArray, y: FloatArray, heading: FloatArray) -> dict[str, Any]:
        """The columns of :func:`reward_sdk.geometry._core_columns_numpy`, computed by the compiled kernel."""
        ndist, distance, width, is_left, previous, upcoming, all_wheels, offtrack = (
            self.compiled.core_columns(_contiguous(x), _contiguous(y), _contiguous(heading))
        )
        return {
            "ndist": ndist,
            "distance_from_center": distance,
            "projection_distance": ndist * self.length,
            "track_width": width,
            "closest_waypoints": np.column_stack((previous, upcoming)),
            "is_left_of_center": is_left,
            "all_wheels_on_track": all_wheels,
            "is_offtrack": offtrack,
        }


def _contiguous(values: Any) -> FloatArray:
    return np.ascontiguousarray(np.atleast_1d(values), dtype=np.float64)


def kernel_tables(track: Track) -> KernelTables | None:
    """Cached :class:`KernelTables` of ``track``, or ``None`` when the compiled kernel is not available."""
    if not AVAILABLE:
        return None
    tables = track._cache.get("kernel")
    if tables is None:
        tables = KernelTables(track_geometry(track))
        track._cache["kernel"] = tables
    assert isinstance(tables, KernelTables)
    return tables


def road_contains(track: Track, x: FloatArray, y: FloatArray) -> np.ndarray:
    """(N,) whether each point is strictly inside the road, through the kernel's road grid (shapely's
    ``contains_xy`` semantics). Raises ``RuntimeError`` when the kernel is not built."""
    tables = kernel_tables(track)
    if tables is None:
        raise RuntimeError("the compiled geometry kernel is not built")
    return np.asarray(tables.compiled.road_contains(_contiguous(x), _contiguous(y)))
