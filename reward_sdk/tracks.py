"""Race tracks: load and validate real DeepRacer ``.npy`` route files, list and resolve tracks.

A track is three polylines of equal length N in metres, in the simulator's world frame: the centre line, the
"inner" border (the inside of the loop) and the "outer" border. Real route files store them as an (N, 6) float
array ``[centre_x, centre_y, inner_x, inner_y, outer_x, outer_y]``; loops repeat row 0 as row N-1.

Accepted file shapes (see ``shared/spec/PARAMS.md`` §7):

* ``(N, 6)`` — the standard layout; more than 6 columns are accepted and only the first 6 are used, as the simulator does;
* ``(N, 4)`` — borders only ``[inner_x, inner_y, outer_x, outer_y]``: the centre line is their midpoint;
* ``(N, 2)`` — a centre line only: borders are drawn at ``default_width / 2`` on each side.

Duplicated points. Thirteen real files contain one interior row equal to the previous one (a zero-length
centre segment). Older simulators (AWS console, upstream, community < 6.0.2) keep that row, which shifts waypoint
indices; community ≥ 6.0.2 drops it. :func:`load_track` keeps it by default (``drop_duplicate_points=False``) so
that indices in old logs and hard-coded racing lines stay valid; pass ``True`` for the newer convention. Geometry
never divides by a segment length, so both conventions are safe.

Direction. ``direction`` is ``"ccw"`` when the centre line, in the driving direction, turns counter-clockwise
(positive signed area); open tracks are treated as ``"ccw"`` like the simulator does. :meth:`Track.reversed`
gives the same track driven the other way (``is_reversed`` flips, rows in reverse order, borders keep their
names because "inner" means the inside of the loop).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from reward_sdk.errors import InputLimitError, TrackError
from reward_sdk.input_files import cap, open_regular, size_text

FloatArray = NDArray[np.float64]

DUPLICATE_TOLERANCE_M = 1e-9
"""Two consecutive centre points closer than this (m) are the same point (community simapp's tolerance)."""

DEFAULT_WIDTH_M = 1.067
"""Road width (m) assumed for centre-line-only files: 3.5 ft, the width of most tracks since 2020."""

MIN_SIDE_CONSISTENCY = 0.95
"""Share of waypoints whose inner border must lie on the same side of the centre line (real files: ≥ 97 %)."""

TRACKS_DIR_ENV = "REWARD_TRACKS_DIR"

MAX_TRACK_BYTES = 64 << 20
"""Largest ``.npy`` track file read (bytes): real route files are 5-60 kB, a million (N, 6) rows is 48 MB.
Bigger files are refused before they are read; ``$REWARD_MAX_TRACK_BYTES`` raises the cap."""
MAX_TRACK_BYTES_ENV = "REWARD_MAX_TRACK_BYTES"


@dataclass(eq=False)
class Track:
    """A track: centre line and both borders, in the current driving direction.

    :param name: short name (file stem for real tracks, e.g. ``reinvent_base``).
    :param center: (N, 2) centre-line points, metres.
    :param inner: (N, 2) inner-border points (inside of the loop), metres.
    :param outer: (N, 2) outer-border points, metres.
    :param is_loop: True when the last row repeats the first (closed loop); False for open tracks.
    :param is_reversed: True when driving against the row order of the source file.
    :param source: the file the track came from, or ``None`` for built-in tracks.
    :param file_direction: direction of the rows as stored in the file (``"ccw"``/``"cw"``).
    """

    name: str
    center: FloatArray
    inner: FloatArray
    outer: FloatArray
    is_loop: bool
    is_reversed: bool = False
    source: Path | None = None
    file_direction: Literal["ccw", "cw"] = "ccw"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def waypoints(self) -> list[tuple[float, float]]:
        """The centre line as the simulator passes it: a list of ``(x, y)`` tuples, driving direction."""
        cached = self._cache.get("waypoints")
        if cached is None:
            cached = [(float(px), float(py)) for px, py in self.center]
            self._cache["waypoints"] = cached
        return list(cached)

    @cached_property
    def segment_lengths(self) -> FloatArray:
        """(N-1,) lengths of the centre-line segments, metres (zero for a duplicated point)."""
        deltas = np.diff(self.center, axis=0)
        return np.sqrt(deltas[:, 0] ** 2 + deltas[:, 1] ** 2)

    @cached_property
    def length(self) -> float:
        """Centre-line length in metres, closing segment included (``params['track_length']``)."""
        return float(np.sum(self.segment_lengths))

    @cached_property
    def widths(self) -> FloatArray:
        """(N,) distance between the inner and outer border point of each row, metres."""
        return np.asarray(np.linalg.norm(self.inner - self.outer, axis=1), dtype=np.float64)

    @property
    def width(self) -> float:
        """Median road width, metres."""
        return float(np.median(self.widths))

    @property
    def direction(self) -> Literal["ccw", "cw"]:
        """Turning direction in the current driving direction (open tracks count as ``"ccw"``)."""
        if not self.is_loop:
            return "ccw"
        if self.is_reversed:
            return "cw" if self.file_direction == "ccw" else "ccw"
        return self.file_direction

    @property
    def is_ccw(self) -> bool:
        return self.direction == "ccw"

    @property
    def duplicate_point_count(self) -> int:
        """Number of zero-length centre segments (duplicated rows)."""
        return int(np.count_nonzero(self.segment_lengths <= DUPLICATE_TOLERANCE_M))

    def reversed(self) -> Track:
        """The same track driven the other way round."""
        return Track(
            name=self.name,
            center=self.center[::-1].copy(),
            inner=self.inner[::-1].copy(),
            outer=self.outer[::-1].copy(),
            is_loop=self.is_loop,
            is_reversed=not self.is_reversed,
            source=self.source,
            file_direction=self.file_direction,
        )

    def __repr__(self) -> str:
        return (
            f"Track({self.name!r}, points={len(self.center)}, length={self.length:.3f} m, "
            f"width={self.width:.3f} m, {self.direction}{', reversed' if self.is_reversed else ''})"
        )


def signed_area(points: FloatArray) -> float:
    """Shoelace signed area of a closed polyline (m²); positive when counter-clockwise."""
    x, y = points[:, 0], points[:, 1]
    return float(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def drop_duplicate_points(rows: FloatArray) -> FloatArray:
    """Remove every row whose centre point equals the previous row's (community simapp ≥ 6.0.2 convention).

    The closing row of a loop is kept even though it equals row 0, because it is not *consecutive* to it.
    """
    steps = np.linalg.norm(np.diff(rows[:, :2], axis=0), axis=1)
    keep = np.concatenate(([True], steps > DUPLICATE_TOLERANCE_M))
    return rows[keep]


def track_from_rows(
    rows: Any,
    name: str,
    *,
    source: Path | None = None,
    drop_duplicates: bool = False,
    default_width: float = DEFAULT_WIDTH_M,
) -> Track:
    """Build and validate a :class:`Track` from an array of rows (see the module docstring for shapes).

    :raises TrackError: wrong shape, non-finite values, fewer than 3 points, borders on inconsistent sides, or
        a road that is not a valid area.
    """
    where = str(source) if source is not None else name
    array = np.asarray(rows)
    if array.ndim != 2 or (array.shape[1] not in (2, 4) and array.shape[1] < 6):
        raise TrackError(f"{where}: expected an (N, 6) array of waypoints, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number):
        raise TrackError(f"{where}: waypoint values must be numbers, got dtype {array.dtype}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        bad_row = int(np.argwhere(~np.isfinite(array))[0][0])
        raise TrackError(f"{where}: non-finite value (NaN or inf) in row {bad_row}")
    if array.shape[1] == 2:
        array = _rows_from_centre(array, default_width)
    elif array.shape[1] == 4:
        array = np.hstack(((array[:, 0:2] + array[:, 2:4]) / 2.0, array[:, 0:4]))
    array = array[:, :6]
    if drop_duplicates:
        array = drop_duplicate_points(array)
    distinct = np.unique(np.round(array[:, :2], 9), axis=0)
    if len(distinct) < 3:
        raise TrackError(f"{where}: a track needs at least 3 distinct waypoints, got {len(distinct)}")
    is_loop = bool(np.allclose(array[0], array[-1], rtol=0.0, atol=1e-9))
    center, inner, outer = array[:, 0:2].copy(), array[:, 2:4].copy(), array[:, 4:6].copy()
    _check_sides(center, inner, outer, where)
    file_direction: Literal["ccw", "cw"] = "ccw" if signed_area(center) >= 0 or not is_loop else "cw"
    track = Track(name, center, inner, outer, is_loop, source=source, file_direction=file_direction)
    if track.length <= 0.0:
        raise TrackError(f"{where}: centre line has zero length")
    _check_road_area(track, where)
    return track


def _rows_from_centre(center: FloatArray, width: float) -> FloatArray:
    """Borders at ±width/2 along the left normal of a centre line (for centre-only files)."""
    tangent = np.gradient(center, axis=0)
    norms = np.linalg.norm(tangent, axis=1, keepdims=True)
    tangent = np.divide(tangent, norms, out=np.zeros_like(tangent), where=norms > 0)
    left = np.column_stack((-tangent[:, 1], tangent[:, 0]))
    is_ccw = signed_area(center) >= 0
    inner_sign = 1.0 if is_ccw else -1.0
    inner = center + inner_sign * left * width / 2.0
    outer = center - inner_sign * left * width / 2.0
    return np.hstack((center, inner, outer))


def _check_sides(center: FloatArray, inner: FloatArray, outer: FloatArray, where: str) -> None:
    """Inner and outer borders must lie on opposite sides of the centre line, each on a consistent side."""
    direction = np.diff(center, axis=0)
    moving = np.linalg.norm(direction, axis=1) > DUPLICATE_TOLERANCE_M
    if not np.any(moving):
        raise TrackError(f"{where}: centre line has zero length")
    to_inner = inner[:-1] - center[:-1]
    to_outer = outer[:-1] - center[:-1]
    inner_side = np.sign(direction[:, 0] * to_inner[:, 1] - direction[:, 1] * to_inner[:, 0])[moving]
    outer_side = np.sign(direction[:, 0] * to_outer[:, 1] - direction[:, 1] * to_outer[:, 0])[moving]
    majority = 1.0 if np.sum(inner_side) >= 0 else -1.0
    consistent = np.mean((inner_side == majority) & (outer_side == -majority))
    if consistent < MIN_SIDE_CONSISTENCY:
        raise TrackError(
            f"{where}: inner and outer borders are not on consistent sides of the centre line "
            f"({consistent:.0%} of waypoints agree; columns should be centre, inner, outer)"
        )


def _check_road_area(track: Track, where: str) -> None:
    from reward_sdk.track_geometry import road_polygon

    polygon = road_polygon(track)
    if polygon.is_empty or polygon.area <= 0.0:
        raise TrackError(f"{where}: the borders do not enclose a road area")


def load_track(path: str | os.PathLike[str], *, drop_duplicate_points: bool = False) -> Track:
    """Load a track file (``.npy``) and validate it.

    :param path: path of a DeepRacer route file.
    :param drop_duplicate_points: False (default) keeps duplicated rows like the AWS simulator and community
        < 6.0.2, so waypoint indices match older logs; True drops them like community ≥ 6.0.2.
    :raises TrackError: missing or unreadable file, or invalid geometry (one line, names the file).
    """
    file_path = Path(path)
    if not file_path.exists():
        raise TrackError(f"{file_path}: no such track file")
    if file_path.is_dir():
        raise TrackError(f"{file_path}: is a directory, expected a .npy track file")
    rows = _read_npy(file_path)
    return track_from_rows(rows, file_path.stem, source=file_path, drop_duplicates=drop_duplicate_points)


def _read_npy(file_path: Path) -> np.ndarray:
    """The array in the ``.npy`` file at ``file_path``, checked before anything is allocated.

    The header is parsed first (numpy's format helpers): object dtypes (pickled Python objects) are refused,
    and the bytes the header's shape and dtype need must be in the file (a 600-byte file claiming shape
    (10**12, 6) is refused instead of asking for 44 TiB). The file must be a regular file (opening a FIFO would
    block forever) of at most :data:`MAX_TRACK_BYTES` bytes.

    :raises TrackError: not a regular file, too big, not a ``.npy`` array, object dtype, or truncated data.
    """
    limit = cap(MAX_TRACK_BYTES, MAX_TRACK_BYTES_ENV)
    try:
        fd, size = open_regular(file_path, "track file")
    except InputLimitError as exc:
        raise TrackError(str(exc)) from None
    except OSError as exc:
        raise TrackError(f"{file_path}: cannot read track file ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as stream:
        if size > limit:
            raise TrackError(
                f"{file_path}: track file larger than {size_text(limit)} "
                f"(set ${MAX_TRACK_BYTES_ENV} to raise the limit)"
            )
        try:
            version = np.lib.format.read_magic(stream)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0  # 3.0 differs only in the header's text encoding
            )
            shape, _, dtype = read_header(stream)
            if dtype.hasobject:
                raise TrackError(f"{file_path}: object arrays (pickled Python objects) are not accepted")
            need = math.prod(shape) * dtype.itemsize
            have = size - stream.tell()
            if need > have:
                raise TrackError(
                    f"{file_path}: header claims shape {tuple(shape)} of {dtype} ({size_text(need)}) "
                    f"but the file holds {size_text(have)} of data"
                )
            stream.seek(0)
            array: np.ndarray = np.lib.format.read_array(stream, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise TrackError(f"{file_path}: not a readable .npy array ({reason})") from None
    return array


def tracks_dir_from_env() -> Path | None:
    """The directory named by ``$REWARD_TRACKS_DIR``, if set."""
    value = os.environ.get(TRACKS_DIR_ENV)
    return Path(value) if value else None


def list_track_files(tracks_dir: str | os.PathLike[str] | None) -> list[Path]:
    """Sorted ``.npy`` files directly inside ``tracks_dir`` (empty when it is ``None``)."""
    if tracks_dir is None:
        return []
    directory = Path(tracks_dir)
    if not directory.is_dir():
        raise TrackError(f"{directory}: tracks directory does not exist")
    return sorted(directory.glob("*.npy"))


def iter_tracks(tracks_dir: str | os.PathLike[str] | None = None) -> Iterator[Track | TrackError]:
    """Built-in tracks, then every ``.npy`` in ``tracks_dir``; files that fail to load yield their error."""
    from reward_sdk.builtin_tracks import builtin_track, builtin_track_names

    for name in builtin_track_names():
        yield builtin_track(name)
    for file_path in list_track_files(tracks_dir):
        try:
            yield load_track(file_path)
        except TrackError as exc:
            yield exc


def resolve_track(
    name_or_path: str | os.PathLike[str],
    tracks_dir: str | os.PathLike[str] | None = None,
    *,
    drop_duplicate_points: bool = False,
) -> Track:
    """Find a track by built-in name, file path, or file stem in ``tracks_dir`` / ``$REWARD_TRACKS_DIR``.

    :raises TrackError: nothing matches; the message lists what is available.
    """
    from reward_sdk.builtin_tracks import builtin_track, builtin_track_names

    text = str(name_or_path)
    if text in builtin_track_names():
        return builtin_track(text)
    candidate = Path(text)
    if candidate.suffix == ".npy" or candidate.exists():
        return load_track(candidate, drop_duplicate_points=drop_duplicate_points)
    search_dirs = [Path(d) for d in (tracks_dir, tracks_dir_from_env()) if d is not None]
    for directory in search_dirs:
        file_path = directory / f"{text}.npy"
        if file_path.exists():
            return load_track(file_path, drop_duplicate_points=drop_duplicate_points)
    known = ", ".join(builtin_track_names())
    where = (
        f" or in {', '.join(map(str, search_dirs))}"
        if search_dirs
        else f" (set ${TRACKS_DIR_ENV} or --tracks-dir)"
    )
    raise TrackError(f"unknown track '{text}': not a built-in ({known}), a .npy path{where}")
