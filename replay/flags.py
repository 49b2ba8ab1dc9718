"""Per-episode summary and behaviour flags (zig-zag, off-track, reversed, slide, lap completion).

:func:`episode_summary` returns one row per ``unique_episode``:

==========================  ======  ===========================================================================
column                      unit    meaning
==========================  ======  ===========================================================================
unique_episode, episode     –       ids (see :mod:`replay.schema`)
source, worker, phase       –       where the episode came from
steps, run_steps            –       rows, and rows where the reward function ran
progress                    %       maximum progress reached
status                      –       final ``episode_status``
completed                   bool    a lap was completed (``lap_complete`` or progress ≥ 100)
lap_time_s                  s       ``tstamp`` span of a completed episode, else NaN
reward                      –       sum of the logged reward over RUN rows
progress_per_step           %       progress gained per RUN step
steer_flip_share            –       share of consecutive non-zero steering commands that change sign
heading_reversals_per_100   –       reversals of the (3-step smoothed) yaw rate after a swing of at least
                                    :data:`SWING_DEG` since the previous reversal, per 100 RUN steps
slide_p90_deg               deg     90th percentile of |heading − direction of travel| while moving
offtrack_x, offtrack_y      m       where the car left the track (NaN if it did not)
offtrack_waypoint           –       logged ``closest_waypoint`` there (-1 if it did not)
continuous                  bool    continuous action space (list actions)
flags                       –       comma-separated: ``zigzag``, ``offtrack``, ``reversed``, ``slide``, ``lap``
==========================  ======  ===========================================================================

Zig-zag thresholds differ by phase and action space (:class:`ZigzagThresholds`): exploration makes training
steering noisy — real medians of ``steer_flip_share`` are 0.36–0.45 in discrete training, 0.45 in continuous
training and 0.08 in evaluation laps — so the flag fires only well above those. An episode is flagged when
either measure exceeds its threshold and it has at least ``min_run_steps`` RUN steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from replay.schema import run_mask

MOVING_M = 0.01
"""Minimum displacement per step (m) for the direction of travel to be trusted (positions are rounded)."""

SLIDE_THRESHOLD_DEG = 30.0
"""``slide`` flag: the 90th-percentile slide angle exceeds this."""

SWING_DEG = 10.0
"""A heading reversal counts for zig-zag only when the heading swung at least this much since the last one."""

REVERSE_STEPS = 15
"""``reversed`` flag: progress fell on this many consecutive RUN steps (the simulator's own rule)."""


@dataclass(frozen=True)
class ZigzagThresholds:
    """Zig-zag thresholds per (phase, action space). ``steer`` applies to ``steer_flip_share``,
    ``heading`` to ``heading_reversals_per_100``; keys are ``(context, "discrete"|"continuous")``.

    Contexts: ``training`` and ``evaluation`` (leaderboard too) are calibrated on real logs (thresholds just
    above the real 99th percentiles: real policies oscillate far more than a scripted driver, e.g. 3–5.5 heading
    reversals per 100 steps on evaluation laps of re:Invent 2018). ``scripted`` applies to logs without a
    phase (our simulator's output): a single lap-like run, judged like an evaluation lap."""

    steer: dict[tuple[str, str], float] = field(
        default_factory=lambda: {
            ("training", "discrete"): 0.7,
            ("training", "continuous"): 0.75,
            ("evaluation", "discrete"): 0.3,
            ("evaluation", "continuous"): 0.35,
            ("scripted", "discrete"): 0.3,
            ("scripted", "continuous"): 0.35,
        }
    )
    heading: dict[tuple[str, str], float] = field(
        default_factory=lambda: {
            ("training", "discrete"): 7.0,
            ("training", "continuous"): 9.0,
            ("evaluation", "discrete"): 7.0,
            ("evaluation", "continuous"): 8.0,
            ("scripted", "discrete"): 7.0,
            ("scripted", "continuous"): 8.0,
        }
    )
    min_run_steps: int = 20

    def for_episode(self, phase: str, continuous: bool) -> tuple[float, float]:
        kind = "continuous" if continuous else "discrete"
        ctx = {"evaluation": "evaluation", "leaderboard": "evaluation", "training": "training"}.get(
            phase, "scripted"
        )
        return self.steer[(ctx, kind)], self.heading[(ctx, kind)]


def _wrap(deg: np.ndarray) -> np.ndarray:
    return (deg + 180.0) % 360.0 - 180.0


def _episode_metrics(ep: pd.DataFrame) -> dict[str, float]:
    """Oscillation and slide measures of one episode's RUN rows (numpy inside, one call per episode)."""
    steer = ep["steering_angle"].to_numpy()
    steer = steer[np.abs(steer) > 0.5]
    flips = float(np.mean(np.sign(steer[1:]) != np.sign(steer[:-1]))) if len(steer) > 2 else 0.0
    yaw = ep["yaw"].to_numpy()
    rate = _wrap(np.diff(yaw))
    reversals = 0
    if len(rate) >= 3:
        smooth = np.convolve(rate, np.ones(3) / 3.0, mode="valid")
        significant = np.flatnonzero(np.abs(smooth) > 0.5)
        turns = significant[1:][np.sign(smooth[significant[1:]]) != np.sign(smooth[significant[:-1]])]
        if len(turns) >= 2:
            heading = np.cumsum(smooth)
            swings = np.abs(np.diff(heading[turns]))
            reversals = int(np.count_nonzero(swings >= SWING_DEG))
    x, y = ep["x"].to_numpy(), ep["y"].to_numpy()
    dx, dy = np.diff(x), np.diff(y)
    moving = np.hypot(dx, dy) > MOVING_M
    bearing = np.degrees(np.arctan2(dy, dx))
    slide = np.abs(_wrap(yaw[1:] - bearing))[moving]
    progress = ep["progress"].to_numpy()
    falling = np.diff(progress) < 0
    longest = 0
    if falling.any():
        edges = np.flatnonzero(np.diff(np.concatenate([[0], falling.astype(np.int8), [0]])))
        longest = int(np.max(edges[1::2] - edges[0::2]))
    return {
        "steer_flip_share": flips,
        "heading_reversals_per_100": 100.0 * reversals / max(len(ep), 1),
        "slide_p90_deg": float(np.percentile(slide, 90)) if len(slide) else 0.0,
        "falling_streak": float(longest),
    }


def episode_summary(
    steps: pd.DataFrame,
    new_reward: np.ndarray | None = None,
    other_reward: np.ndarray | None = None,
    thresholds: ZigzagThresholds | None = None,
) -> pd.DataFrame:
    """One row per episode with the columns of the module docstring (plus ``new_reward``/``other_reward``
    sums over RUN rows when re-scored rewards are given)."""
    thresholds = thresholds or ZigzagThresholds()
    run = run_mask(steps)
    frame = steps.assign(
        _run=run,
        _reward_run=np.where(run, steps["reward"].to_numpy(), 0.0),
        _status=steps["episode_status"].astype(str),
    )
    if new_reward is not None:
        frame["_new"] = np.where(run, new_reward, 0.0)
    if other_reward is not None:
        frame["_other"] = np.where(run, other_reward, 0.0)
    grouped = frame.groupby("unique_episode", sort=True)
    first, last = grouped.head(1).set_index("unique_episode"), grouped.tail(1).set_index("unique_episode")
    out = pd.DataFrame(
        {
            "episode": first["episode"],
            "source": first["source"].astype(str),
            "worker": first["worker"],
            "phase": first["phase"].astype(str),
            "steps": grouped.size(),
            "run_steps": grouped["_run"].sum(),
            "progress": grouped["progress"].max(),
            "status": last["_status"],
            "reward": grouped["_reward_run"].sum(),
            "continuous": grouped["action"].min() < 0,
        }
    )
    if new_reward is not None:
        out["new_reward"] = grouped["_new"].sum()
    if other_reward is not None:
        out["other_reward"] = grouped["_other"].sum()
    completed = grouped["_status"].agg(lambda s: bool((s == "lap_complete").any())) | (
        out["progress"] >= 100.0
    )
    out["completed"] = completed
    span = grouped["tstamp"].max() - grouped["tstamp"].min()
    out["lap_time_s"] = np.where(completed, span, np.nan)
    out["progress_per_step"] = (out["progress"] - first["progress"].clip(lower=0)) / out["run_steps"].clip(
        lower=1
    )
    metrics = pd.DataFrame.from_dict(
        {key: _episode_metrics(ep) for key, ep in frame[frame["_run"]].groupby("unique_episode")},
        orient="index",
    )
    out = out.join(metrics)
    for column in ("steer_flip_share", "heading_reversals_per_100", "slide_p90_deg", "falling_streak"):
        out[column] = out[column].fillna(0.0) if column in out else 0.0
    off = frame[(frame["_status"] == "off_track") | (frame["done"] & ~frame["on_track"])]
    off_first = off.groupby("unique_episode").head(1).set_index("unique_episode")
    out["offtrack_x"] = off_first["x"].reindex(out.index)
    out["offtrack_y"] = off_first["y"].reindex(out.index)
    out["offtrack_waypoint"] = off_first["closest_waypoint"].reindex(out.index).fillna(-1).astype(np.int64)
    reversed_status = grouped["_status"].agg(lambda s: bool((s == "reversed").any()))
    out["flags"] = [
        _flags(row, bool(reversed_status.loc[idx]), thresholds)
        for idx, row in zip(out.index, out.itertuples(), strict=False)
    ]
    out.index.name = "unique_episode"
    return out.drop(columns=["falling_streak"]).reset_index()


def _flags(row: object, reversed_status: bool, thresholds: ZigzagThresholds) -> str:
    names = []
    steer_limit, heading_limit = thresholds.for_episode(row.phase, bool(row.continuous))  # type: ignore[attr-defined]
    enough = row.run_steps >= thresholds.min_run_steps  # type: ignore[attr-defined]
    if enough and (row.steer_flip_share > steer_limit or row.heading_reversals_per_100 > heading_limit):  # type: ignore[attr-defined]
        names.append("zigzag")
    if not np.isnan(row.offtrack_x):  # type: ignore[attr-defined]
        names.append("offtrack")
    if reversed_status or row.falling_streak >= REVERSE_STEPS:  # type: ignore[attr-defined]
        names.append("reversed")
    if row.slide_p90_deg > SLIDE_THRESHOLD_DEG:  # type: ignore[attr-defined]
        names.append("slide")
    if row.completed:  # type: ignore[attr-defined]
        names.append("lap")
    return ",".join(names)
