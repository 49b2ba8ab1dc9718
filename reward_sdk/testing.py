"""Hypothesis strategies that build physically consistent ``params`` for property tests of reward functions.

Every dict comes from a car pose placed on a real or built-in track and goes through :mod:`reward_sdk.geometry`
(the same function the simulator and ``reward lint`` use), so ``x``, ``y``, ``distance_from_center``,
``closest_waypoints``, ``is_left_of_center``, ``all_wheels_on_track``... always agree with each other — unlike
random dicts or the official validator's five fixed ones.

Strategies (compose them like ``hypothesis.strategies``):

* :func:`tracks` — built-in tracks (and ``.npy`` tracks of a directory), in both driving directions;
* :func:`car_pose` — a :class:`CarPose` on one track: position along the lap, lateral offset, heading relative
  to the track, commanded speed/steering, steps and progress; ``edge_states=True`` mixes in off-track,
  reversed, progress 0/100, first-step, standing-still and sharp-corner states;
* :func:`params_strategy` — the full params dict of such a pose.

Example (a pytest property test of your own reward function)::

    >>> from hypothesis import given, settings
    >>> from reward_sdk.testing import params_strategy
    >>> def reward_function(params):
    ...     if not params["all_wheels_on_track"]:
    ...         return 1e-3
    ...     return float(1.0 - params["distance_from_center"] / params["track_width"])
    >>> @settings(max_examples=50, deadline=None)
    ... @given(params_strategy())
    ... def test_reward_is_positive_and_finite(params):
    ...     assert 0.0 < reward_function(params) <= 1.0
    >>> test_reward_is_positive_and_finite()

:func:`sample_poses` draws many poses at once with numpy (same distribution; used by ``reward lint`` for speed),
and :func:`pose_columns` turns them into ``params_batch`` columns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from hypothesis import strategies as st

from reward_sdk import geometry
from reward_sdk.builtin_tracks import builtin_track, builtin_track_names
from reward_sdk.tracks import Track, list_track_files, load_track

__all__ = ["CarPose", "car_pose", "edge_poses", "params_strategy", "pose_columns", "sample_poses", "tracks"]

MAX_SPEED_MPS = 4.0  # m/s, top commanded speed of the default action spaces
MAX_STEERING_DEG = 30.0  # deg, steering limit
STEP_S = 1.0 / 15.0  # s per step (15 Hz)
OFF_TRACK_MARGIN_M = 0.3  # m beyond the border for off-track edge states


@dataclass(frozen=True)
class CarPose:
    """A car state in track coordinates (what the strategies generate; shrinks towards the centre line).

    :param ndist: position along the lap as a fraction in [0, 1).
    :param lateral: offset of the car origin from the centre line as a share of the local half width
        (+ = left of the driving direction; |lateral| > 1 is beyond the border).
    :param heading_offset: car yaw minus the track direction, degrees (180 = facing backwards).
    :param speed: commanded speed, m/s.
    :param steering_angle: commanded steering, degrees (+ = left).
    :param progress: progress of the episode, % (0–100).
    :param steps: steps of the episode (2.0 = the first reward call).
    """

    ndist: float = 0.0
    lateral: float = 0.0
    heading_offset: float = 0.0
    speed: float = 1.0
    steering_angle: float = 0.0
    progress: float = 0.0
    steps: float = 2.0

    def params(self, track: Track) -> dict[str, Any]:
        """The full params dict of this pose on ``track`` (via :func:`reward_sdk.geometry.params_from_pose`)."""
        x, y, heading = _place(
            track, np.array([self.ndist]), np.array([self.lateral]), np.array([self.heading_offset])
        )
        return geometry.params_from_pose(
            track,
            float(x[0]),
            float(y[0]),
            float(heading[0]),
            origin=True,
            speed=self.speed,
            steering_angle=self.steering_angle,
            steps=self.steps,
            progress=self.progress,
        )


def _place(track: Track, ndist: Any, lateral: Any, heading_offset: Any) -> tuple[Any, Any, Any]:
    """Car origin (x, y) and yaw (deg) for arrays of track coordinates."""
    geo = geometry.track_geometry(track)
    ndist = np.mod(np.asarray(ndist, dtype=np.float64), 1.0)
    points = shapely.line_interpolate_point(geo.center_line, ndist, normalized=True)
    cx, cy = shapely.get_x(points), shapely.get_y(points)
    pairs = geometry.closest_waypoint_pairs(track, ndist)
    a, b = track.center[pairs[:, 0]], track.center[pairs[:, 1]]
    direction = np.arctan2(b[:, 1] - a[:, 1], b[:, 0] - a[:, 0])
    half = 0.5 * track.widths[pairs[:, 0]]
    offset = np.asarray(lateral, dtype=np.float64) * half
    x = cx - offset * np.sin(direction)
    y = cy + offset * np.cos(direction)
    heading = np.degrees(direction) + np.asarray(heading_offset, dtype=np.float64)
    heading = (heading + 180.0) % 360.0 - 180.0
    heading = np.where(heading == -180.0, 180.0, heading)
    return x, y, heading


def _consistent_steps(track: Track, progress: float, pace: float) -> float:
    """Steps needed to cover ``progress`` % of the lap at an average ``pace`` m/s (at least 2)."""
    distance = progress / 100.0 * track.length
    return float(max(2, round(2 + distance / (max(pace, 0.3) * STEP_S))))


# -- strategies ---------------------------------------------------------------------------------------------------
def tracks(
    directory: str | os.PathLike[str] | None = None, *, both_directions: bool = True
) -> st.SearchStrategy[Track]:
    """Built-in tracks plus every loadable ``.npy`` in ``directory`` (default ``$REWARD_TRACKS_DIR``, if set)."""
    found = [builtin_track(name) for name in builtin_track_names()]
    folder = directory if directory is not None else os.environ.get("REWARD_TRACKS_DIR")
    for path in list_track_files(Path(folder)) if folder else []:
        try:
            found.append(load_track(path))
        except Exception:  # a broken file is simply not offered
            continue
    if both_directions:
        found += [track.reversed() for track in found]
    return st.sampled_from(found)


def _corner_ndists(track: Track, count: int = 8) -> list[float]:
    """Lap fractions of the sharpest corners (largest turning angle between consecutive segments)."""
    cached = track._cache.get("lint_corners")
    if cached is None:
        d = np.diff(track.center, axis=0)
        angles = np.arctan2(d[:, 1], d[:, 0])
        turn = np.abs((np.diff(angles) + np.pi) % (2 * np.pi) - np.pi)
        order = np.argsort(turn)[::-1][:count]
        ndists = geometry.track_geometry(track).waypoint_ndists
        cached = [float(ndists[i + 1]) for i in order]
        track._cache["lint_corners"] = cached
    return list(cached)


def car_pose(track: Track, *, edge_states: bool = True) -> st.SearchStrategy[CarPose]:
    """Poses on ``track``: mostly on the road and roughly along it; with ``edge_states``, also off-track,
    reversed, progress 0/100, steps 2, zero speed and sharp-corner states."""

    @st.composite
    def build(draw: st.DrawFn) -> CarPose:
        progress = draw(st.floats(0.0, 100.0))
        pace = draw(st.floats(0.5, MAX_SPEED_MPS))
        pose = CarPose(
            ndist=draw(st.floats(0.0, 1.0, exclude_max=True)),
            lateral=draw(st.floats(-1.0, 1.0)),
            heading_offset=draw(st.floats(-45.0, 45.0)),
            speed=draw(st.floats(0.1, MAX_SPEED_MPS)),
            steering_angle=draw(st.floats(-MAX_STEERING_DEG, MAX_STEERING_DEG)),
            progress=progress,
            steps=_consistent_steps(track, progress, pace),
        )
        if edge_states and draw(st.booleans()):
            edge = draw(st.sampled_from(_EDGES))
            pose = edge(track, pose, draw)
        return pose

    return build()


def _off_track(track: Track, pose: CarPose, draw: st.DrawFn) -> CarPose:
    margin = 1.0 + OFF_TRACK_MARGIN_M / (0.5 * track.width)
    return replace(pose, lateral=draw(st.sampled_from([margin, -margin])) * draw(st.floats(1.0, 3.0)))


def _reversed(track: Track, pose: CarPose, draw: st.DrawFn) -> CarPose:
    return replace(pose, heading_offset=180.0 + draw(st.floats(-30.0, 30.0)))


def _progress_end(track: Track, pose: CarPose, draw: st.DrawFn) -> CarPose:
    progress = draw(st.sampled_from([0.0, 100.0]))
    return replace(pose, progress=progress, steps=2.0 if progress == 0 else pose.steps)


def _first_step(track: Track, pose: CarPose, draw: st.DrawFn) -> CarPose:
    return replace(
        pose, steps=2.0, progress=draw(st.floats(0.0, 1.0)), speed=draw(st.sampled_from([0.0, pose.speed]))
    )


def _standing(track: Track, pose: CarPose, draw: st.DrawFn) -> CarPose:
    return replace(pose, speed=0.0, steering_angle=draw(st.sampled_from([0.0, pose.steering_angle])))


def _corner(track: Track, pose: CarPose, draw: st.DrawFn) -> CarPose:
    return replace(
        pose,
        ndist=draw(st.sampled_from(_corner_ndists(track))),
        steering_angle=draw(st.sampled_from([-30.0, 30.0])),
    )


_EDGES = (_off_track, _reversed, _progress_end, _first_step, _standing, _corner)


def params_strategy(
    track: Track | None = None, *, edge_states: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Full params dicts of :func:`car_pose` states on ``track`` (default: any of :func:`tracks`)."""
    track_strategy = st.just(track) if track is not None else tracks()
    return track_strategy.flatmap(
        lambda t: car_pose(t, edge_states=edge_states).map(lambda pose: pose.params(t))
    )


# -- bulk (numpy) -------------------------------------------------------------------------------------------------
def sample_poses(track: Track, count: int, rng: np.random.Generator) -> list[CarPose]:
    """``count`` poses from the same distribution as :func:`car_pose` without edge states (fast, numpy)."""
    progress = rng.uniform(0.0, 100.0, count)
    pace = rng.uniform(0.5, MAX_SPEED_MPS, count)
    columns = zip(
        rng.uniform(0.0, 1.0, count),
        rng.uniform(-1.0, 1.0, count),
        rng.uniform(-45.0, 45.0, count),
        rng.uniform(0.1, MAX_SPEED_MPS, count),
        rng.uniform(-MAX_STEERING_DEG, MAX_STEERING_DEG, count),
        progress,
        pace,
        strict=True,
    )
    return [
        CarPose(float(n), float(lat), float(h), float(v), float(s), float(p), _consistent_steps(track, p, pc))
        for n, lat, h, v, s, p, pc in columns
    ]


def edge_poses(track: Track) -> list[CarPose]:
    """A fixed grid of edge states on ``track``: off track both sides, reversed, progress 0 and 100, the first
    step, standing still, and the sharpest corners with full lock both ways."""
    margin = 1.0 + OFF_TRACK_MARGIN_M / (0.5 * track.width)
    out: list[CarPose] = []
    for ndist in (0.0, 0.25, 0.5, 0.75):
        base = CarPose(
            ndist=ndist, speed=1.0, progress=100.0 * ndist, steps=_consistent_steps(track, 100 * ndist, 2)
        )
        out += [
            replace(base, lateral=margin),
            replace(base, lateral=-margin),
            replace(base, lateral=3 * margin, heading_offset=90.0),
            replace(base, heading_offset=180.0),
            replace(base, heading_offset=180.0, lateral=0.5),
            replace(base, progress=0.0, steps=2.0),
            replace(base, progress=100.0),
            replace(base, speed=0.0),
            replace(base, speed=0.0, steering_angle=0.0, progress=0.0, steps=2.0),
            replace(base, speed=MAX_SPEED_MPS, steering_angle=MAX_STEERING_DEG),
            replace(base, lateral=0.99, heading_offset=-45.0, steering_angle=-MAX_STEERING_DEG),
        ]
    for ndist in _corner_ndists(track):
        for steer in (-MAX_STEERING_DEG, MAX_STEERING_DEG):
            out.append(
                CarPose(
                    ndist=ndist,
                    lateral=0.5,
                    heading_offset=30.0,
                    speed=2.0,
                    steering_angle=steer,
                    progress=50.0,
                    steps=100.0,
                )
            )
    return out


def pose_columns(track: Track, poses: list[CarPose]) -> dict[str, Any]:
    """``params_batch`` columns (plus defaults of the object keys) for ``poses`` on ``track``."""
    arrays = {
        name: np.array([getattr(p, name) for p in poses], dtype=np.float64)
        for name in CarPose.__dataclass_fields__
    }
    x, y, heading = _place(track, arrays["ndist"], arrays["lateral"], arrays["heading_offset"])
    columns = geometry.params_batch(
        track,
        x,
        y,
        heading,
        origin=True,
        speed=arrays["speed"],
        steering_angle=arrays["steering_angle"],
        steps=arrays["steps"],
        progress=arrays["progress"],
    )
    columns.pop("ndist", None)
    return columns
