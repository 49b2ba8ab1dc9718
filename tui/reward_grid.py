"""The reward map's numbers: the user's function evaluated over a track, in one batched sandbox call.

The track is rasterised top-down into ``cols × 2·rows`` square pixels (a terminal cell shows two of them with a
half-block character). Every pixel whose centre is on the road (nearer the centre line than half the local
track width) becomes a car state: its front point at the pixel centre, heading along the track's driving
direction at the nearest centre-line point, the chosen speed, straight wheels, ``steps`` 2 and progress from the
start line. ``reward_sdk.geometry.params_batch`` turns the states into params columns and
``sandbox.RewardSandbox.score_many`` scores them all in one call: the user code runs only in the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reward_sdk.tracks import Track

__all__ = ["Raster", "RewardMap", "compute_reward_map", "raster_states"]

MARGIN_PX = 1
"""Empty pixels around the track's bounding box."""


@dataclass(frozen=True)
class Raster:
    """Pixel centres of a top-down view of a track.

    :param width: pixels across (= terminal columns).
    :param height: pixels down (= 2 × terminal rows); row 0 is the top (largest y).
    :param x: (height, width) x of each pixel centre, metres.
    :param y: (height, width) y of each pixel centre, metres.
    :param on_road: (height, width) True where the pixel centre is on the road.
    :param heading: (height, width) driving direction at the nearest centre-line point, degrees (NaN off road).
    """

    width: int
    height: int
    x: np.ndarray
    y: np.ndarray
    on_road: np.ndarray
    heading: np.ndarray


@dataclass(frozen=True)
class RewardMap:
    """The reward at every on-road pixel of a :class:`Raster`.

    :param rewards: (height, width) float64, NaN off the road (and everywhere when ``error`` is set).
    :param speed: the speed of every state, m/s.
    :param track: track name.
    :param error: one-line sandbox error (compile error, exception, timeout...) or None.
    """

    raster: Raster
    rewards: np.ndarray
    speed: float
    track: str
    error: str | None = None

    @property
    def low(self) -> float:
        """Smallest reward on the map (NaN when nothing was scored)."""
        finite = self.rewards[np.isfinite(self.rewards)]
        return float(finite.min()) if finite.size else float("nan")

    @property
    def high(self) -> float:
        """Largest reward on the map (NaN when nothing was scored)."""
        finite = self.rewards[np.isfinite(self.rewards)]
        return float(finite.max()) if finite.size else float("nan")


def _segment_headings(track: Track) -> np.ndarray:
    """(M,) driving direction of each centre-line segment, degrees; a zero-length (duplicated-point) segment
    takes the direction of the segment before it."""
    delta = np.diff(track.center, axis=0)
    headings = np.degrees(np.arctan2(delta[:, 1], delta[:, 0]))
    zero = np.hypot(delta[:, 0], delta[:, 1]) <= 1e-9
    for index in np.flatnonzero(zero):
        headings[index] = headings[index - 1] if index > 0 else 0.0
    return np.asarray(headings, dtype=np.float64)


def raster_states(track: Track, cols: int, rows: int) -> Raster:
    """Rasterise ``track`` into ``cols`` × ``2·rows`` square pixels that fit the terminal area.

    :param cols: terminal columns available (≥ 4).
    :param rows: terminal rows available (≥ 2); each holds two pixels.
    :raises ValueError: an area smaller than 4 × 2 cells.
    """
    if cols < 4 or rows < 2:
        raise ValueError(f"the reward map needs at least 4 × 2 cells, got {cols} × {rows}")
    from reward_sdk.track_geometry import track_geometry

    width, height = cols, 2 * rows
    points = np.concatenate([track.inner, track.outer, track.center])
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    scale = max(span[0] / max(width - 2 * MARGIN_PX, 1), span[1] / max(height - 2 * MARGIN_PX, 1))
    centre = (low + high) / 2.0
    columns = (np.arange(width) - (width - 1) / 2.0) * scale + centre[0]
    lines = ((height - 1) / 2.0 - np.arange(height)) * scale + centre[1]
    grid_x, grid_y = np.meshgrid(columns, lines)
    nearest = track_geometry(track).center_index.nearest(grid_x.ravel(), grid_y.ravel())
    segment = np.clip(nearest.segment, 0, len(track.center) - 2)
    half_width = (track.widths[segment] + track.widths[segment + 1]) / 4.0
    on_road = (nearest.distance <= half_width).reshape(height, width)
    heading = np.where(on_road.ravel(), _segment_headings(track)[segment], np.nan).reshape(height, width)
    return Raster(width, height, grid_x, grid_y, on_road, heading)


def compute_reward_map(
    source: str, filename: str, track: Track, speed: float, cols: int, rows: int, timeout_s: float = 1.0
) -> RewardMap:
    """Score ``source``'s ``reward_function`` at every on-road pixel of ``track`` at ``speed`` m/s.

    :param source: the reward file's text (compiled and run only in a fresh sandbox worker).
    :param filename: name shown in sandbox errors.
    :param cols: terminal columns; ``rows``: terminal rows of the map (two pixels each).
    :param timeout_s: per-call limit of the sandbox.
    :returns: the map; a function that fails to compile, raises or returns a bad value gives a map with
        :attr:`RewardMap.error` set instead of an exception.
    """
    from reward_sdk import geometry
    from sandbox import RewardSandbox, SandboxError, SandboxLimits

    raster = raster_states(track, cols, rows)
    rewards = np.full((raster.height, raster.width), np.nan)
    mask = raster.on_road
    if not mask.any():
        return RewardMap(raster, rewards, speed, track.name, "the track does not fit the map area")
    columns = geometry.params_batch(
        track, raster.x[mask], raster.y[mask], raster.heading[mask], speed=speed, steering_angle=0.0
    )
    columns.pop("ndist", None)
    try:
        with RewardSandbox(source, filename, SandboxLimits(timeout_s=timeout_s)) as sandbox:
            sandbox.set_constants({**geometry.track_constants(track), **geometry.default_object_params()})
            values = sandbox.score_many(columns)
    except SandboxError as exc:
        message = str(exc).strip().splitlines()
        return RewardMap(raster, rewards, speed, track.name, message[0] if message else type(exc).__name__)
    rewards[mask] = values
    return RewardMap(raster, rewards, speed, track.name)
