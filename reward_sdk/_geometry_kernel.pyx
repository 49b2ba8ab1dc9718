# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled inner loop of :func:`reward_sdk.geometry.params_batch` (built at install time by Cython).

Same rules and the same floating-point operations, in the same order, as the numpy form
(:func:`reward_sdk.geometry._core_columns_numpy` over :class:`reward_sdk.polyline.PolylineIndex`), so both give
bit-identical distances and the same booleans; a test checks that on every real track. A track's tables live in a
:class:`CompiledTrack` built once by :mod:`reward_sdk.geometry_kernel`; their layout:

* a polyline is a (M, 9) float64 table, one row per segment:
  ``start_x, start_y, end_x, end_y, delta_x, delta_y, 1/len² (0 for zero-length), len, arc at start``;
* candidate lists are CSR pairs ``(offsets, items)``: the candidates of row ``r`` are
  ``items[offsets[r]:offsets[r+1]]``, sorted ascending so the first nearest segment wins ties as in GEOS;
* the road grid has ``columns × rows`` square cells (index ``column * rows + row``) with a status each
  (0 outside, 1 inside, 2 crossed by the road's boundary) and, per row band, the boundary edges whose y-range
  meets the band (CSR), each edge a row ``a_x, a_y, b_x, b_y`` of a (E, 4) table.
"""

from libc.math cimport INFINITY, M_PI, NAN, cos, floor, isfinite, sin, sqrt

import numpy as np

cdef enum:
    OUTSIDE = 0
    INSIDE = 1
    BOUNDARY = 2


cdef struct Foot:
    Py_ssize_t segment
    double fraction
    double x
    double y
    double squared


cdef struct RoadGrid:
    const unsigned char* status
    const double* edges
    const long long* band_offsets
    const long long* band_items
    double origin_x
    double origin_y
    double cell
    Py_ssize_t columns
    Py_ssize_t rows


cdef inline void _nearest(
    const double[:, ::1] segments,
    const long long[::1] items,
    Py_ssize_t begin,
    Py_ssize_t end,
    bint every_segment,
    double px,
    double py,
    Foot* out,
) noexcept nogil:
    """Nearest point to (px, py) among candidates ``items[begin:end]`` (or segments begin..end-1)."""
    cdef Py_ssize_t k, index
    cdef double start_x, start_y, delta_x, delta_y, fraction, foot_x, foot_y, gap_x, gap_y, squared
    out.segment = 0
    out.fraction = 0.0
    out.x = 0.0
    out.y = 0.0
    out.squared = INFINITY
    for k in range(begin, end):
        index = k if every_segment else <Py_ssize_t>items[k]
        start_x = segments[index, 0]
        start_y = segments[index, 1]
        delta_x = segments[index, 4]
        delta_y = segments[index, 5]
        fraction = ((px - start_x) * delta_x + (py - start_y) * delta_y) * segments[index, 6]
        if fraction >= 1.0:
            fraction = 1.0
            foot_x = segments[index, 2]
            foot_y = segments[index, 3]
        else:
            if fraction < 0.0:
                fraction = 0.0
            foot_x = start_x + fraction * delta_x
            foot_y = start_y + fraction * delta_y
        gap_x = px - foot_x
        gap_y = py - foot_y
        squared = gap_x * gap_x + gap_y * gap_y
        if squared < out.squared:  # strict: the first nearest segment wins, as in GEOS
            out.squared = squared
            out.segment = index
            out.fraction = fraction
            out.x = foot_x
            out.y = foot_y


cdef inline bint _crossing_inside(const RoadGrid* grid, double px, double py, Py_ssize_t row) noexcept nogil:
    """Even-odd ray test (ray towards +x) over the edges of ``row``'s band; points on an edge are outside."""
    cdef bint inside = False
    cdef Py_ssize_t k
    cdef const double* edge
    cdef double ax, ay, bx, by, cross
    for k in range(grid.band_offsets[row], grid.band_offsets[row + 1]):
        edge = grid.edges + 4 * grid.band_items[k]
        ax = edge[0]
        ay = edge[1]
        bx = edge[2]
        by = edge[3]
        cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
        if cross == 0.0 and (ax <= px <= bx or bx <= px <= ax) and (ay <= py <= by or by <= py <= ay):
            return False  # on the boundary: shapely's `contains` excludes it
        if (ay > py) != (by > py) and (cross > 0.0) == (by > ay):
            inside = not inside  # the edge passes to the right of the point
    return inside


cdef inline bint _inside(const RoadGrid* grid, double px, double py) noexcept nogil:
    """Whether (px, py) is strictly inside the road polygon."""
    cdef double column_f = floor((px - grid.origin_x) / grid.cell)
    cdef double row_f = floor((py - grid.origin_y) / grid.cell)
    if not (column_f >= 0.0 and column_f < grid.columns and row_f >= 0.0 and row_f < grid.rows):
        return False  # beyond the road's bounding box (or NaN)
    cdef Py_ssize_t row = <Py_ssize_t>row_f
    cdef unsigned char status = grid.status[<Py_ssize_t>column_f * grid.rows + row]
    if status != BOUNDARY:
        return status == INSIDE
    return _crossing_inside(grid, px, py, row)


cdef class CompiledTrack:
    """One track's tables in typed memory (layout in the module docstring), ready for :meth:`core_columns`.

    ``road_status`` must hold BOUNDARY for every cell a boundary edge may touch (other values are ignored); the
    constructor fills the other cells in place with INSIDE/OUTSIDE — a cell no edge touches is wholly inside
    or wholly outside, so the ray test at its centre decides it.
    """

    cdef const double[:, ::1] centre, inner, outer, road_edges
    cdef const long long[::1] centre_grid_offsets, centre_grid_items, inner_offsets, inner_items
    cdef const long long[::1] outer_offsets, outer_items, road_band_offsets, road_band_items
    cdef const double[::1] waypoint_ndists, wheel_forward, wheel_lateral
    cdef unsigned char[::1] road_status
    cdef double centre_origin_x, centre_origin_y, centre_cell, length
    cdef Py_ssize_t centre_columns, centre_rows
    cdef bint is_ccw
    cdef RoadGrid road  # pointers into the road_* buffers above, which keep them alive

    def __init__(
        self,
        *,
        const double[:, ::1] centre,
        const long long[::1] centre_grid_offsets,
        const long long[::1] centre_grid_items,
        double centre_origin_x,
        double centre_origin_y,
        double centre_cell,
        Py_ssize_t centre_columns,
        Py_ssize_t centre_rows,
        const double[:, ::1] inner,
        const long long[::1] inner_offsets,
        const long long[::1] inner_items,
        const double[:, ::1] outer,
        const long long[::1] outer_offsets,
        const long long[::1] outer_items,
        const double[::1] waypoint_ndists,
        const double[::1] wheel_forward,
        const double[::1] wheel_lateral,
        unsigned char[::1] road_status,
        const double[:, ::1] road_edges,
        const long long[::1] road_band_offsets,
        const long long[::1] road_band_items,
        double road_origin_x,
        double road_origin_y,
        double road_cell,
        Py_ssize_t road_columns,
        Py_ssize_t road_rows,
        double length,
        bint is_ccw,
    ):
        if road_status.shape[0] != road_columns * road_rows or road_band_offsets.shape[0] != road_rows + 1:
            raise ValueError("road grid tables do not match its shape")
        self.centre = centre
        self.centre_grid_offsets = centre_grid_offsets
        self.centre_grid_items = centre_grid_items
        self.centre_origin_x = centre_origin_x
        self.centre_origin_y = centre_origin_y
        self.centre_cell = centre_cell
        self.centre_columns = centre_columns
        self.centre_rows = centre_rows
        self.inner = inner
        self.inner_offsets = inner_offsets
        self.inner_items = inner_items
        self.outer = outer
        self.outer_offsets = outer_offsets
        self.outer_items = outer_items
        self.waypoint_ndists = waypoint_ndists
        self.wheel_forward = wheel_forward
        self.wheel_lateral = wheel_lateral
        self.road_status = road_status
        self.road_edges = road_edges
        self.road_band_offsets = road_band_offsets
        self.road_band_items = road_band_items
        self.length = length
        self.is_ccw = is_ccw
        self.road.status = &road_status[0]
        self.road.edges = &road_edges[0, 0]
        self.road.band_offsets = &road_band_offsets[0]
        self.road.band_items = &road_band_items[0] if road_band_items.shape[0] else NULL
        self.road.origin_x = road_origin_x
        self.road.origin_y = road_origin_y
        self.road.cell = road_cell
        self.road.columns = road_columns
        self.road.rows = road_rows
        self._classify_cells()

    cdef void _classify_cells(self) noexcept nogil:
        cdef Py_ssize_t column, row, index
        cdef RoadGrid* grid = &self.road
        for column in range(grid.columns):
            for row in range(grid.rows):
                index = column * grid.rows + row
                if self.road_status[index] != BOUNDARY:
                    self.road_status[index] = INSIDE if _crossing_inside(
                        grid, grid.origin_x + (column + 0.5) * grid.cell, grid.origin_y + (row + 0.5) * grid.cell, row
                    ) else OUTSIDE

    def road_contains(self, const double[::1] x, const double[::1] y):
        """(N,) bool: whether each point ``(x[i], y[i])`` is strictly inside the road (the wheel test alone)."""
        cdef Py_ssize_t index, count = x.shape[0]
        result = np.empty(count, dtype=np.bool_)
        cdef unsigned char[::1] out = result.view(np.uint8)
        with nogil:
            for index in range(count):
                out[index] = _inside(&self.road, x[index], y[index])
        return result

    def core_columns(self, const double[::1] x, const double[::1] y, const double[::1] heading):
        """Position-derived columns for N front points ``(x, y)`` with yaw ``heading`` (degrees).

        :returns: ``(ndist, distance_from_center, track_width, is_left_of_center, prev_waypoint, next_waypoint,
            all_wheels_on_track, is_offtrack)`` as numpy arrays of length N (float64, bool, int64).
        """
        cdef Py_ssize_t count = x.shape[0]
        if y.shape[0] != count or heading.shape[0] != count:
            raise ValueError("x, y and heading must have the same length")
        ndist_array = np.empty(count, dtype=np.float64)
        distance_array = np.empty(count, dtype=np.float64)
        width_array = np.empty(count, dtype=np.float64)
        left_array = np.empty(count, dtype=np.bool_)
        previous_array = np.empty(count, dtype=np.int64)
        next_array = np.empty(count, dtype=np.int64)
        all_wheels_array = np.empty(count, dtype=np.bool_)
        offtrack_array = np.empty(count, dtype=np.bool_)
        cdef double[::1] ndist_out = ndist_array
        cdef double[::1] distance_out = distance_array
        cdef double[::1] width_out = width_array
        cdef unsigned char[::1] left_out = left_array.view(np.uint8)
        cdef long long[::1] previous_out = previous_array
        cdef long long[::1] next_out = next_array
        cdef unsigned char[::1] all_wheels_out = all_wheels_array.view(np.uint8)
        cdef unsigned char[::1] offtrack_out = offtrack_array.view(np.uint8)
        cdef const double[:, ::1] centre = self.centre
        cdef const double[::1] waypoint_ndists = self.waypoint_ndists
        cdef Py_ssize_t index, cell_index, wheel, low, high, middle, waypoint_count = waypoint_ndists.shape[0]
        cdef Py_ssize_t wheel_count = self.wheel_forward.shape[0], centre_segments = centre.shape[0]
        cdef double px, py, column_f, row_f, ndist, to_inner, to_outer, yaw, cos_yaw, sin_yaw, wheel_x, wheel_y
        cdef int wheels_inside
        cdef Foot foot, inner_foot, outer_foot
        with nogil:
            for index in range(count):
                px = x[index]
                py = y[index]
                if not (isfinite(px) and isfinite(py)):  # no position: NaN distances, off track (as numpy)
                    ndist_out[index] = NAN
                    distance_out[index] = NAN
                    width_out[index] = NAN
                    left_out[index] = False
                    previous_out[index] = waypoint_count - 1
                    next_out[index] = 0
                    all_wheels_out[index] = False
                    offtrack_out[index] = True
                    continue
                column_f = floor((px - self.centre_origin_x) / self.centre_cell)
                row_f = floor((py - self.centre_origin_y) / self.centre_cell)
                if column_f >= 0.0 and column_f < self.centre_columns and row_f >= 0.0 and row_f < self.centre_rows:
                    cell_index = <Py_ssize_t>column_f * self.centre_rows + <Py_ssize_t>row_f
                    _nearest(
                        centre,
                        self.centre_grid_items,
                        self.centre_grid_offsets[cell_index],
                        self.centre_grid_offsets[cell_index + 1],
                        False,
                        px,
                        py,
                        &foot,
                    )
                else:  # beyond the candidate grid: every segment
                    _nearest(centre, self.centre_grid_items, 0, centre_segments, True, px, py, &foot)
                ndist = (centre[foot.segment, 8] + foot.fraction * centre[foot.segment, 7]) / self.length
                ndist_out[index] = ndist
                distance_out[index] = sqrt(foot.squared)
                _nearest(
                    self.inner,
                    self.inner_items,
                    self.inner_offsets[foot.segment],
                    self.inner_offsets[foot.segment + 1],
                    False,
                    foot.x,
                    foot.y,
                    &inner_foot,
                )
                _nearest(
                    self.outer,
                    self.outer_items,
                    self.outer_offsets[foot.segment],
                    self.outer_offsets[foot.segment + 1],
                    False,
                    foot.x,
                    foot.y,
                    &outer_foot,
                )
                width_out[index] = sqrt(
                    (inner_foot.x - outer_foot.x) * (inner_foot.x - outer_foot.x)
                    + (inner_foot.y - outer_foot.y) * (inner_foot.y - outer_foot.y)
                )
                to_inner = sqrt((px - inner_foot.x) * (px - inner_foot.x) + (py - inner_foot.y) * (py - inner_foot.y))
                to_outer = sqrt((px - outer_foot.x) * (px - outer_foot.x) + (py - outer_foot.y) * (py - outer_foot.y))
                left_out[index] = (to_inner < to_outer) != (not self.is_ccw)
                # closest_waypoints: bisect_right of ndist in the waypoints' arc positions, wrapped
                low = 0
                high = waypoint_count
                while low < high:
                    middle = (low + high) // 2
                    if ndist < waypoint_ndists[middle]:
                        high = middle
                    else:
                        low = middle + 1
                previous_out[index] = waypoint_count - 1 if low == 0 else low - 1
                next_out[index] = 0 if low == waypoint_count else low
                yaw = heading[index] * (M_PI / 180.0)
                cos_yaw = cos(yaw)
                sin_yaw = sin(yaw)
                wheels_inside = 0
                for wheel in range(wheel_count):
                    wheel_x = px + cos_yaw * self.wheel_forward[wheel] - sin_yaw * self.wheel_lateral[wheel]
                    wheel_y = py + sin_yaw * self.wheel_forward[wheel] + cos_yaw * self.wheel_lateral[wheel]
                    wheels_inside += _inside(&self.road, wheel_x, wheel_y)
                all_wheels_out[index] = wheels_inside == wheel_count
                offtrack_out[index] = wheels_inside == 0
        return (
            ndist_array,
            distance_array,
            width_array,
            left_array,
            previous_array,
            next_array,
            all_wheels_array,
            offtrack_array,
        )
