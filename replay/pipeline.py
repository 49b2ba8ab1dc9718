"""The whole replay in one call: read, match tracks, re-score, summarise (what ``reward replay`` runs).

Logs of different tracks may be mixed (e.g. a folder of several DRfC runs): rows are grouped by logged
``track_len`` (to 0.05 m) and each group gets its own track choice. Re-scoring and the fidelity check run per
group; the plot uses the largest group. Every re-scoring pass of one replay (``reward``, ``compare``, the
fidelity check) shares one :class:`replay.rescore.TimeBudget`.
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
from replay.rescore import (
    Fidelity,
    RescoreOutcome,
    TimeBudget,
    build_params_by_direction,
    default_budget,
    fidelity,
    rescore_steps,
)
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
    new_failed: np.ndarray | None = None
    other_failed: np.ndarray | None = None


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
    steps: pd.DataFrame,
    groups: Sequence[TrackGroup],
    source: str,
    filename: str,
    budget: TimeBudget,
    on_error: str = "skip",
) -> RescoreOutcome:
    """One re-scoring pass over every track group; failures carry rows of ``steps``."""
    out = RescoreOutcome(np.full(len(steps), np.nan), np.zeros(len(steps), dtype=bool))
    for group in groups:
        part = steps.iloc[group.rows]
        directions = build_params_by_direction(part, group.choice.track)
        done = rescore_steps(
            part, group.choice.track, source, filename, directions, on_error=on_error, budget=budget
        )
        out.rewards[group.rows] = done.rewards
        out.failed[group.rows] = done.failed
        for name, count in done.errors.items():
            out.errors[name] = out.errors.get(name, 0) + count
        if done.first is not None:
            done.first.row = int(group.rows[done.first.row])
            if out.first is None or done.first.row < out.first.row:
                out.first = done.first
    return out


def _steps_to_score(log: ReplayLog, groups: Sequence[TrackGroup], passes: int, check_fidelity: bool) -> int:
    """RUN rows the replay will re-score: ``passes`` functions over every group, plus evaluation rows."""
    run = run_mask(log.steps)
    grouped = np.zeros(len(run), dtype=bool)
    for group in groups:
        grouped[group.rows] = True
    total = passes * int((run & grouped).sum())
    if check_fidelity:
        evaluation = log.steps["phase"].astype(str).isin(["evaluation", "leaderboard"]).to_numpy()
        total += int((run & grouped & evaluation).sum())
    return total


def _evaluation_fidelity(log: ReplayLog, groups: Sequence[TrackGroup], budget: TimeBudget) -> Fidelity | None:
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
        eval_steps, remapped, example_source("follow_center_line"), "follow_center_line.py", budget
    )
    log_sources = [s.source for s in log.sources if s.format == "sim_trace_log"]
    return fidelity(eval_steps, recomputed.rewards, log_sources)


def run_replay(
    paths: Sequence[str | os.PathLike[str]],
    *,
    track: str | None = None,
    tracks_dir: str | os.PathLike[str] | None = None,
    reward: str | os.PathLike[str] | None = None,
    compare: str | os.PathLike[str] | None = None,
    check_fidelity: bool = True,
    on_error: str = "skip",
    time_budget: float | None = None,
) -> Replay:
    """Read ``paths`` and do everything the CLI reports.

    :param track: ``--track`` (name, path or stem); otherwise matched per track group.
    :param reward: reward-function file re-scored on every RUN step (``new_reward``).
    :param compare: a second function (``other_reward``) shown side by side with ``reward``.
    :param check_fidelity: rebuild the default reward on evaluation rows and compare with the log.
    :param on_error: ``"skip"``: steps where ``reward``/``compare`` fail get NaN, are left out of the sums and
        counted (``new_failed``, the report's failure summary); ``"stop"``: raise at the first one.
    :param time_budget: wall-time budget in seconds of all re-scoring together (default
        :func:`replay.rescore.default_budget` of the steps to score).
    :raises UserError: bad input (missing log, no steps, unknown track, unreadable reward file);
        :class:`replay.rescore.BudgetExceeded` when the budget runs out.
    :raises replay.rescore.RescoreStopped: ``on_error="stop"`` and a step failed.
    :raises sandbox.errors.SandboxError: the function does not compile or load.
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
    sources = [(read_reward_source(path), Path(path).name) for path in (reward, compare) if path is not None]
    total = _steps_to_score(log, groups, len(sources), check_fidelity)
    budget = TimeBudget(default_budget(total) if time_budget is None else time_budget, total)
    passes = [_score_groups(log.steps, groups, text, name, budget, on_error) for text, name in sources]
    new = passes[0] if reward is not None else None
    other = passes[-1] if compare is not None else None
    fid = _evaluation_fidelity(log, groups, budget) if check_fidelity and groups else None
    episodes = episode_summary(
        log.steps, None if new is None else new.rewards, None if other is None else other.rewards
    )
    for column, outcome in (("new_reward_failed", new), ("other_reward_failed", other)):
        if outcome is not None:
            per_episode = pd.Series(outcome.failed).groupby(log.steps["unique_episode"].to_numpy()).sum()
            episodes[column] = (
                per_episode.reindex(episodes["unique_episode"]).fillna(0).astype(int).to_numpy()
            )
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
        new,
        other,
    )
    return Replay(
        result,
        groups,
        None if new is None else new.rewards,
        None if other is None else other.rewards,
        None if new is None else new.failed,
        None if other is None else other.failed,
    )
