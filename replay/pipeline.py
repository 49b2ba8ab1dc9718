"""The whole replay in one call: read, match tracks, re-score, summarise (what ``reward replay`` runs).

Logs of different tracks may be mixed (e.g. a folder of several DRfC runs): rows are grouped by logged
``track_len`` (to 0.05 m) and each group gets its own track choice. Re-scoring and the fidelity check run per
group; the plot uses the largest group.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from replay.flags import episode_summary
from replay.load import ReplayLog, read_logs
from replay.report import ReplayResult
from replay.rescore import Fidelity, build_params_by_direction, fidelity, rescore
from replay.schema import run_mask
from replay.tracks_match import TrackChoice, choose_track
from reward_sdk.errors import TrackError
from reward_sdk.reward_file import read_reward_source

TRACK_GROUP_M = 0.05
"""Rows whose logged ``track_len`` differ by less than this share a track group."""


@dataclass
class TrackGroup:
    """Rows of the frame driven on one track."""

    rows: np.ndarray
    choice: TrackChoice


@dataclass
class Replay:
    """Full replay outcome: the report data plus per-row arrays for plotting."""

    result: ReplayResult
    groups: list[TrackGroup] = field(default_factory=list)
    new_reward: np.ndarray | None = None
    other_reward: np.ndarray | None = None


def track_groups(
    log: ReplayLog, track: str | None, tracks_dir: str | os.PathLike[str] | None
) -> list[TrackGroup]:
    """Group rows by logged track length and choose a track for each group (largest group first)."""
    steps = log.steps
    key = np.round(steps["track_len"].to_numpy() / TRACK_GROUP_M).astype(np.int64)
    groups = []
    for value in pd.Series(key).value_counts().index:
        rows = np.flatnonzero(key == value)
        part = steps.iloc[rows]
        sources = set(part["source"].astype(str).unique())
        worlds = sorted({s.world_name for s in log.sources if s.world_name and s.source in sources})
        groups.append(
            TrackGroup(rows, choose_track(part, track=track, tracks_dir=tracks_dir, world_names=worlds))
        )
    return groups


def _score_groups(
    steps: pd.DataFrame, groups: Sequence[TrackGroup], source: str, filename: str
) -> np.ndarray:
    out = np.full(len(steps), np.nan)
    for group in groups:
        part = steps.iloc[group.rows]
        directions = build_params_by_direction(part, group.choice.track)
        out[group.rows] = rescore(part, group.choice.track, source, filename, directions)
    return out


def _evaluation_fidelity(log: ReplayLog, groups: Sequence[TrackGroup]) -> Fidelity | None:
    """Default centre-line reward rebuilt on evaluation/leaderboard rows vs the logged reward."""
    from reward_sdk.examples import example_source

    steps = log.steps
    evaluation = steps["phase"].astype(str).isin(["evaluation", "leaderboard"]).to_numpy()
    if not evaluation.any():
        return None
    sub_groups = [
        TrackGroup(g.rows[evaluation[g.rows]], g.choice) for g in groups if evaluation[g.rows].any()
    ]
    rows = np.concatenate([g.rows for g in sub_groups])
    rows.sort()
    eval_steps = steps.iloc[rows].reset_index(drop=True)
    position = {int(r): i for i, r in enumerate(rows)}
    remapped = [TrackGroup(np.array([position[int(r)] for r in g.rows]), g.choice) for g in sub_groups]
    recomputed = _score_groups(
        eval_steps, remapped, example_source("follow_center_line"), "follow_center_line.py"
    )
    log_sources = [s.source for s in log.sources if s.format == "sim_trace_log"]
    return fidelity(eval_steps, recomputed, log_sources)


def run_replay(
    paths: Sequence[str | os.PathLike[str]],
    *,
    track: str | None = None,
    tracks_dir: str | os.PathLike[str] | None = None,
    reward: str | os.PathLike[str] | None = None,
    compare: str | os.PathLike[str] | None = None,
    check_fidelity: bool = True,
) -> Replay:
    """Read ``paths`` and do everything the CLI reports.

    :param track: ``--track`` (name, path or stem); otherwise matched per track group.
    :param reward: reward-function file re-scored on every RUN step (``new_reward``).
    :param compare: a second function (``other_reward``) shown side by side with ``reward``.
    :param check_fidelity: rebuild the default reward on evaluation rows and compare with the log.
    :raises UserError: bad input (missing log, no steps, unknown track, unreadable reward file); sandbox errors propagate as :class:`sandbox.errors.SandboxError`.
    """
    log = read_logs(paths, duplicates="prefer_csv")
    notes: list[str] = []
    groups: list[TrackGroup] = []
    if reward is not None or compare is not None or track is not None:
        groups = track_groups(log, track, tracks_dir)
    elif check_fidelity:
        try:
            groups = track_groups(log, track, tracks_dir)
        except TrackError as exc:
            notes.append(f"no track matched, fidelity check skipped ({exc})")
    new = other = None
    if reward is not None:
        new = _score_groups(log.steps, groups, read_reward_source(reward), Path(reward).name)
    if compare is not None:
        other = _score_groups(log.steps, groups, read_reward_source(compare), Path(compare).name)
    fid = _evaluation_fidelity(log, groups) if check_fidelity and groups else None
    episodes = episode_summary(log.steps, new, other)
    if len(groups) > 1:
        notes.append(f"{len(groups)} tracks in these logs: " + ", ".join(g.choice.track.name for g in groups))
    if not run_mask(log.steps).any():
        notes.append("no RUN rows (only prepare/pause rows): nothing to re-score")
    result = ReplayResult(
        log,
        episodes,
        groups[0].choice if groups else None,
        fid,
        Path(reward).name if reward else None,
        Path(compare).name if compare else None,
        notes,
    )
    return Replay(result, groups, new, other)
