"""The ``camera`` observation: a 160×120 grayscale front view rasterised from the track geometry with numpy.

Same shape as the real car's camera (PARAMS.md: ``FRONT_FACING_CAMERA``, 160×120). A pinhole camera
:data:`CAMERA_HEIGHT_M` above the road at the car's front point, pitched down :data:`CAMERA_PITCH_DEG`, with a
horizontal field of view of 2 × ``objects.CAMERA_HALF_FOV_DEG``. Each pixel below the horizon sees the ground
point where its ray hits the road plane; that point is looked up in a top-down raster of the track (built once per
track, :data:`MAP_RESOLUTION_M` per cell): grass, road, white border lines, dashed centre line. Pixels above the
horizon or beyond :data:`CAMERA_RANGE_M` show the sky/background shade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from reward_sdk import geometry, objects
from reward_sdk.tracks import Track

WIDTH_PX, HEIGHT_PX = 160, 120  # image size of the real car's camera
CAMERA_HEIGHT_M = 0.12  # m above the road
CAMERA_PITCH_DEG = 15.0  # deg below the horizontal
CAMERA_RANGE_M = objects.CAMERA_RANGE_M  # m, farthest ground point drawn
MAP_RESOLUTION_M = 0.02  # m per cell of the top-down raster
LINE_HALF_WIDTH_M = 0.025  # m, half width of the painted border lines
DASH_M = 0.15  # m, centre-line dash (and gap) length
SHADE_GRASS, SHADE_ROAD, SHADE_BORDER, SHADE_CENTRE, SHADE_SKY = 60, 110, 235, 200, 170  # gray levels


@dataclass(frozen=True)
class TrackRaster:
    """Top-down gray image of a track: ``image[row, col]`` covers world ``(x0 + col·res, y0 + row·res)``."""

    image: np.ndarray
    x0: float
    y0: float

    @classmethod
    def of(cls, track: Track) -> TrackRaster:
        """Build (cached on the track object) the raster of ``track``."""
        cached = track._cache.get("sim_raster")
        if isinstance(cached, TrackRaster):
            return cached
        allpts = np.vstack([track.inner, track.outer])
        margin = 0.5
        x0, y0 = allpts.min(axis=0) - margin
        x1, y1 = allpts.max(axis=0) + margin
        cols = math.ceil((x1 - x0) / MAP_RESOLUTION_M)
        rows = math.ceil((y1 - y0) / MAP_RESOLUTION_M)
        gx = x0 + (np.arange(cols) + 0.5) * MAP_RESOLUTION_M
        gy = y0 + (np.arange(rows) + 0.5) * MAP_RESOLUTION_M
        xx, yy = np.meshgrid(gx, gy)
        road = shapely.contains_xy(geometry.road_polygon(track), xx, yy)
        image = np.where(road, SHADE_ROAD, SHADE_GRASS).astype(np.uint8)
        raster = cls(image, float(x0), float(y0))
        for border in (track.inner, track.outer):
            raster._paint(border, SHADE_BORDER, dashed=False)
        raster._paint(track.center, SHADE_CENTRE, dashed=True)
        track._cache["sim_raster"] = raster
        return raster

    def _paint(self, polyline: np.ndarray, shade: int, dashed: bool) -> None:
        step = MAP_RESOLUTION_M / 2
        seg = np.diff(polyline, axis=0)
        lengths = np.hypot(seg[:, 0], seg[:, 1])
        cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
        arc = np.arange(0.0, cumulative[-1], step)
        if dashed:
            arc = arc[(arc % (2 * DASH_M)) < DASH_M]
        index = np.clip(np.searchsorted(cumulative, arc, side="right") - 1, 0, len(seg) - 1)
        t = (arc - cumulative[index]) / np.maximum(lengths[index], 1e-12)
        points = polyline[:-1][index] + seg[index] * t[:, None]
        reach = math.ceil(LINE_HALF_WIDTH_M / MAP_RESOLUTION_M)
        rows, cols = self.image.shape
        for dr in range(-reach, reach + 1):
            for dc in range(-reach, reach + 1):
                if (dr * dr + dc * dc) * MAP_RESOLUTION_M**2 > LINE_HALF_WIDTH_M**2 + 1e-12:
                    continue
                r = ((points[:, 1] - self.y0) / MAP_RESOLUTION_M).astype(int) + dr
                c = ((points[:, 0] - self.x0) / MAP_RESOLUTION_M).astype(int) + dc
                ok = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
                self.image[r[ok], c[ok]] = shade


def _ground_rays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pixel: forward and left ground distance (m, car frame) and whether the ray hits the ground in range."""
    focal = (WIDTH_PX / 2) / math.tan(math.radians(objects.CAMERA_HALF_FOV_DEG))
    u = np.arange(WIDTH_PX) + 0.5 - WIDTH_PX / 2
    v = np.arange(HEIGHT_PX) + 0.5 - HEIGHT_PX / 2
    uu, vv = np.meshgrid(u, v)
    pitch = math.radians(CAMERA_PITCH_DEG)
    up_cam = -vv / focal
    forward = math.cos(pitch) + math.sin(pitch) * up_cam
    up = -math.sin(pitch) + math.cos(pitch) * up_cam
    left = -uu / focal
    down = np.maximum(-up, 1e-9)
    t = CAMERA_HEIGHT_M / down
    fwd, lft = forward * t, left * t
    hits = (up < 0) & (np.hypot(fwd, lft) <= CAMERA_RANGE_M)
    return fwd, lft, hits


_FORWARD, _LEFT, _HITS = _ground_rays()
_HIT_PIXELS = np.flatnonzero(_HITS)  # flat indices of the pixels whose ray meets the ground in range
_HIT_FORWARD = _FORWARD.ravel()[_HIT_PIXELS]
_HIT_LEFT = _LEFT.ravel()[_HIT_PIXELS]


def render(track: Track, x_front: float, y_front: float, yaw: float) -> np.ndarray:
    """The (120, 160) uint8 image seen from the front point ``(x_front, y_front)`` m with heading ``yaw`` rad."""
    out = np.empty(HEIGHT_PX * WIDTH_PX, dtype=np.uint8)
    _render_into(out, TrackRaster.of(track), x_front, y_front, yaw)
    return out.reshape(HEIGHT_PX, WIDTH_PX)


def render_batch(track: Track, x_front: np.ndarray, y_front: np.ndarray, yaw: np.ndarray) -> np.ndarray:
    """The ``(n, 120, 160)`` uint8 images of ``n`` cars at once (the same pixels as :func:`render` of each).

    :param x_front: ``(n,)`` x of each car's front point, m; ``y_front`` likewise; ``yaw``: ``(n,)`` headings,
        rad. ``n = 0`` gives an empty ``(0, 120, 160)`` array. Frames are rendered one after the other into one
        output array: a single frame's temporaries stay in the CPU cache, which is faster than one (n, pixels)
        vectorised pass (measured 0.18 vs 0.55 ms per frame for n = 8).
    """
    xs, ys, angles = (np.asarray(v, dtype=np.float64).ravel() for v in (x_front, y_front, yaw))
    raster = TrackRaster.of(track)
    out = np.empty((len(xs), HEIGHT_PX * WIDTH_PX), dtype=np.uint8)
    for k in range(len(xs)):
        _render_into(out[k], raster, float(xs[k]), float(ys[k]), float(angles[k]))
    return out.reshape(len(xs), HEIGHT_PX, WIDTH_PX)


def _render_into(out: np.ndarray, raster: TrackRaster, x_front: float, y_front: float, yaw: float) -> None:
    """Fill the flat ``(120·160,)`` uint8 ``out`` with the view from ``(x_front, y_front)``, heading ``yaw``.

    Only the pixels whose ray meets the ground in range are projected; ground points outside the raster show
    grass, every other pixel the sky shade.
    """
    c, s = math.cos(yaw), math.sin(yaw)
    wx = x_front + c * _HIT_FORWARD - s * _HIT_LEFT
    wy = y_front + s * _HIT_FORWARD + c * _HIT_LEFT
    col = ((wx - raster.x0) / MAP_RESOLUTION_M).astype(np.int64)
    row = ((wy - raster.y0) / MAP_RESOLUTION_M).astype(np.int64)
    rows, cols = raster.image.shape
    inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    seen = raster.image[np.clip(row, 0, rows - 1), np.clip(col, 0, cols - 1)]
    out.fill(SHADE_SKY)
    out[_HIT_PIXELS] = np.where(inside, seen, np.uint8(SHADE_GRASS))
