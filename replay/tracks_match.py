"""Choosing the track file a log was driven on, and saying how well it fits.

Order of precedence:

1. ``--track T`` (a built-in name, a ``.npy`` path, or a file stem in the tracks folder) — used as given;
2. otherwise every ``.npy`` in ``--tracks-dir`` / ``$REWARD_TRACKS_DIR`` is a candidate. A candidate must
   have a centre-line length within :data:`LENGTH_TOLERANCE_M` of the logged ``track_len`` and more waypoints
   than the largest logged ``closest_waypoint``; among those, the lowest *start residual* wins (median
   distance from the episodes' first points to the centre line: cars start on the centre line, 0.14 m ahead of a
   waypoint, so the right geometry gives ~0). Ties (``_cw``/``_ccw`` twins share their points) go to the file
   the car drives *forward* along, then to the file named by the log's ``WORLD_NAME``.
3. when no candidate has the right length, the lowest residual overall is taken and the choice says so.

The result reports the residuals so a wrong or outdated track file (e.g. the 2018 re:Invent geometry that changed
in 2021) is visible rather than silently wrong.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from replay.schema import run_mask
from reward_sdk.errors import TrackError
from reward_sdk.geometry import ndist, params_batch
from reward_sdk.tracks import Track, list_track_files, load_track, resolve_track, tracks_dir_from_env

LENGTH_TOLERANCE_M = 0.02
"""Logged ``track_len`` vs centre-line length: logs round to 0.01 m; CSVs are exact."""

SAMPLE_POINTS = 1000
"""Rows sampled to score a candidate (speed over precision; the result is a median)."""


@dataclass
class TrackChoice:
    """The chosen track and the evidence.

    :param track: the track, as stored in its file (driving direction per episode is decided in re-scoring).
    :param how: ``"--track"``, ``"matched"`` (by length and XY fit) or ``"best-effort"`` (no length match).
    :param start_residual_m: median distance of episode start points to the centre line, m.
    :param median_distance_m: median distance of all sampled points to the centre line, m.
    :param on_road_share: share of sampled points within half the local track width of the centre line.
    :param forward_share: share of moving steps that advance along the file's row order (0.5 = mixed).
    :param logged_track_len: median logged ``track_len``, m.
    :param candidates: ``(name, length m, start residual m)`` of every length-matching candidate.
    """

    track: Track
    how: str
    start_residual_m: float
    median_distance_m: float
    on_road_share: float
    forward_share: float
    logged_track_len: float
    candidates: list[tuple[str, float, float]] = field(default_factory=list)

    def describe(self) -> str:
        """One line: ``track reinvent_base (matched; length 17.709 m vs logged 17.71; residual 0.3 mm)``."""
        return (
            f"track {self.track.name} ({self.how}; length {self.track.length:.3f} m vs logged "
            f"{self.logged_track_len:.3f} m; start residual {self.start_residual_m * 1000:.1f} mm; "
            f"{self.on_road_share:.0%} of points on the road)"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.track.name,
            "file": str(self.track.source) if self.track.source else None,
            "how": self.how,
            "length_m": self.track.length,
            "logged_track_len_m": self.logged_track_len,
            "start_residual_m": self.start_residual_m,
            "median_distance_m": self.median_distance_m,
            "on_road_share": self.on_road_share,
            "forward_share": self.forward_share,
        }


def _sample(steps: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sampled RUN rows in order, first row of each episode)."""
    run = steps[run_mask(steps)]
    starts = steps.groupby("unique_episode", sort=False).head(1)
    if len(run) > SAMPLE_POINTS:
        first = np.random.default_rng(0).integers(0, len(run) - 1)
        stride = max(len(run) // SAMPLE_POINTS, 1)
        run = run.iloc[first % stride :: stride]
    return run, starts


def forward_share(track: Track, steps: pd.DataFrame) -> float:
    """Share of consecutive same-episode moves (> 1 mm along the line) that follow the file's row order."""
    if len(steps) < 2:
        return 0.5
    arc = ndist(track, steps["x"].to_numpy(), steps["y"].to_numpy())
    delta = np.diff(arc)
    delta = (delta + 0.5) % 1.0 - 0.5
    same = steps["unique_episode"].to_numpy()[1:] == steps["unique_episode"].to_numpy()[:-1]
    moving = same & (np.abs(delta) * track.length > 1e-3)
    return float(np.mean(delta[moving] > 0)) if moving.any() else 0.5


def _fit(track: Track, run: pd.DataFrame, starts: pd.DataFrame) -> tuple[float, float, float]:
    """(start residual, median distance, on-road share) of sampled points against ``track``."""
    start_cols = params_batch(track, starts["x"].to_numpy(), starts["y"].to_numpy(), starts["yaw"].to_numpy())
    residual = float(np.median(start_cols["distance_from_center"]))
    if run.empty:
        return residual, residual, 1.0
    cols = params_batch(track, run["x"].to_numpy(), run["y"].to_numpy(), run["yaw"].to_numpy())
    distance = cols["distance_from_center"]
    on_road = float(np.mean(distance <= 0.5 * cols["track_width"]))
    return residual, float(np.median(distance)), on_road


def _candidate_files(tracks_dir: str | os.PathLike[str] | None) -> list[Path]:
    """Every ``.npy`` in the tracks folders and their sub-folders, each real file once.

    ``os.path.realpath`` names the real file (``Path.resolve`` raises on a symlink loop such as ``a.npy ->
    b.npy -> a.npy``; realpath leaves the looping name as it is, and loading it then fails like any bad file).
    """
    folders = [Path(d) for d in (tracks_dir, tracks_dir_from_env()) if d is not None]
    files: dict[str, Path] = {}
    for folder in folders:
        for path in list_track_files(folder):
            files.setdefault(os.path.realpath(path), path)
        for path in sorted(
            folder.glob("*/*.npy")
        ):  # versioned geometry, e.g. simapp-v2.0.13/reinvent_base.npy
            files.setdefault(os.path.realpath(path), path)
    return list(files.values())


def choose_track(
    steps: pd.DataFrame,
    *,
    track: str | None = None,
    tracks_dir: str | os.PathLike[str] | None = None,
    world_names: list[str] | None = None,
) -> TrackChoice:
    """Pick the track for ``steps`` (a replay step frame) as described in the module docstring.

    :raises TrackError: ``--track`` does not resolve, or no track file is available to match against.
    """
    logged_len = float(steps["track_len"].median())
    run, starts = _sample(steps)
    if track is not None:
        chosen = resolve_track(track, tracks_dir)
        residual, median, on_road = _fit(chosen, run, starts)
        return TrackChoice(
            chosen, "--track", residual, median, on_road, forward_share(chosen, run), logged_len
        )
    files = _candidate_files(tracks_dir)
    if not files:
        raise TrackError(
            "no track given and no track files to match against: pass --track NAME, or --tracks-dir DIR / "
            "set $REWARD_TRACKS_DIR to a folder of .npy tracks"
        )
    max_waypoint = int(steps["closest_waypoint"].max())
    worlds = set(world_names or [])
    scored: list[tuple[tuple[float, ...], Track, float, float, float, float]] = []
    fallback: list[tuple[tuple[float, ...], Track, float, float, float, float]] = []
    loaded: list[Track] = []
    for path in files:
        try:
            loaded.append(load_track(path))
        except TrackError:
            continue
    matching = [
        c for c in loaded if abs(c.length - logged_len) <= LENGTH_TOLERANCE_M and len(c.center) > max_waypoint
    ]
    for candidate in matching or loaded:
        residual, median, on_road = _fit(candidate, run, starts)
        forward = forward_share(candidate, run) if matching else 0.5
        key = (round(residual, 3), -round(forward, 2), 0.0 if candidate.name in worlds else 1.0, median)
        (scored if matching else fallback).append((key, candidate, residual, median, on_road, forward))
    pool, how = (scored, "matched") if scored else (fallback, "best-effort")
    if not pool:
        raise TrackError("none of the track files could be loaded")
    pool.sort(key=lambda item: item[0])
    _, best, residual, median, on_road, forward = pool[0]
    listing = [(c.name, c.length, r) for _, c, r, _, _, _ in sorted(scored, key=lambda item: item[0])]
    return TrackChoice(best, how, residual, median, on_road, forward, logged_len, listing)
