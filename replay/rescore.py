"""Re-scoring logged steps: rebuild every step's params with ``reward_sdk.geometry`` and run a reward function.

Params of a step (``PARAMS.md`` §5.3):

- taken from the row: ``x``, ``y``, ``heading`` (= ``yaw``), ``steering_angle`` and ``speed`` (a continuous
  action's full-precision ``[steer speed]`` values when the row has them), ``progress`` (as logged), ``steps``
  (as a float), ``all_wheels_on_track`` (= ``on_track``), ``is_offtrack`` (status ``off_track``),
  ``is_crashed`` (status ``crashed``);
- rebuilt by :func:`reward_sdk.geometry.params_batch` from x, y and the track: ``distance_from_center``,
  ``projection_distance``, ``track_width``, ``closest_waypoints``, ``is_left_of_center``;
- per track: ``waypoints`` and ``track_length`` (:func:`reward_sdk.geometry.track_constants`);
- ``is_reversed``: decided per episode from the direction the car moves along the centre line (DeepRacer can
  alternate the driving direction between training episodes); reversed episodes use ``track.reversed()``;
- object keys keep their defaults (objects are not in the logs).

Only RUN rows are scored (not ``prepare``/``pause``/``park``, where the simulator did not call the function);
other rows get NaN.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from replay.schema import run_mask
from reward_sdk.geometry import ndist, params_batch, track_constants
from reward_sdk.tracks import Track

LOG_REWARD_TOLERANCE = 5e-5
"""Half a unit of the 4th decimal: SIM_TRACE_LOG prints rewards with ``%.4f``."""

CSV_REWARD_TOLERANCE = 1e-9
"""CSV rewards are ``str(float)``: exact up to float noise."""


def episode_reversed(steps: pd.DataFrame, track: Track) -> np.ndarray:
    """Per row: True when the row's episode moves mostly against the track file's row order."""
    arc = ndist(track, steps["x"].to_numpy(), steps["y"].to_numpy())
    episode = steps["unique_episode"].to_numpy()
    delta = (np.diff(arc) + 0.5) % 1.0 - 0.5
    same = episode[1:] == episode[:-1]
    step_sign = np.where(same, np.sign(delta), 0.0)
    votes = pd.Series(np.concatenate([[0.0], step_sign])).groupby(episode).transform("sum").to_numpy()
    return np.asarray(votes < 0, dtype=bool)


def _action_values(steps: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    steer = steps["action_steering_angle"].to_numpy()
    speed = steps["action_speed"].to_numpy()
    steer = np.where(np.isfinite(steer), steer, steps["steering_angle"].to_numpy())
    speed = np.where(np.isfinite(speed), speed, steps["speed"].to_numpy())
    return steer, speed


def build_params(steps: pd.DataFrame, track: Track) -> dict[str, Any]:
    """Params columns for every row of ``steps`` on ``track`` (as given; see :func:`build_params_by_direction`).

    :returns: dict of numpy columns keyed by params name (``closest_waypoints`` is (N, 2) int64).
    """
    steer, speed = _action_values(steps)
    status = steps["episode_status"].astype(str).to_numpy()
    columns = params_batch(
        track,
        steps["x"].to_numpy(),
        steps["y"].to_numpy(),
        steps["yaw"].to_numpy(),
        speed=speed,
        steering_angle=steer,
        steps=steps["steps"].to_numpy(dtype=np.float64),
        progress=steps["progress"].to_numpy(),
    )
    columns.pop("ndist", None)
    columns["all_wheels_on_track"] = steps["on_track"].to_numpy()
    columns["is_offtrack"] = status == "off_track"
    columns["is_crashed"] = status == "crashed"
    return columns


@dataclass
class DirectionGroup:
    """Rows of one driving direction: their positions in the frame, the track as driven, and the params."""

    rows: np.ndarray
    track: Track
    params: dict[str, Any]
    constants: dict[str, Any]


def build_params_by_direction(
    steps: pd.DataFrame, track: Track, *, run_only: bool = True
) -> list[DirectionGroup]:
    """Split rows by driving direction and build params for each group (RUN rows only by default)."""
    reversed_rows = episode_reversed(steps, track)
    mask = run_mask(steps) if run_only else np.ones(len(steps), dtype=bool)
    groups = []
    for is_rev, driven in ((False, track), (True, track.reversed())):
        rows = np.flatnonzero(mask & (reversed_rows == is_rev))
        if len(rows) == 0:
            continue
        groups.append(
            DirectionGroup(rows, driven, build_params(steps.iloc[rows], driven), track_constants(driven))
        )
    return groups


def rescore(
    steps: pd.DataFrame,
    track: Track,
    source: str,
    filename: str = "reward_function.py",
    groups: list[DirectionGroup] | None = None,
) -> np.ndarray:
    """Run the reward function in ``source`` on every RUN row; return rewards aligned with ``steps`` (NaN elsewhere).

    The function runs in :class:`sandbox.RewardSandbox` (batched calls; module state persists across calls in
    frame order, as in the simulator). Sandbox errors (compile, forbidden import, runtime error with the
    failing params, timeout, bad value) propagate as :class:`sandbox.errors.SandboxError` subclasses.
    """
    from sandbox import RewardSandbox

    out = np.full(len(steps), np.nan)
    groups = groups if groups is not None else build_params_by_direction(steps, track)
    with RewardSandbox(source, filename=filename) as sandbox:
        for group in groups:
            sandbox.set_constants(group.constants)
            out[group.rows] = sandbox.score_many(group.params, n=len(group.rows))
    return out


def reward_tolerance(steps: pd.DataFrame, log_sources: Collection[str]) -> np.ndarray:
    """Per row: the tolerance at which a recomputed reward equals the logged one (log vs CSV precision).

    :param log_sources: names of sources that are SIM_TRACE_LOG text (rewards printed with 4 decimals).
    """
    is_log = steps["source"].astype(str).isin(list(log_sources)).to_numpy()
    return np.where(is_log, LOG_REWARD_TOLERANCE, CSV_REWARD_TOLERANCE)


@dataclass
class Fidelity:
    """How well recomputed rewards reproduce the logged ones on RUN rows."""

    compared: int
    matched: int
    worst_rows: list[int]

    @property
    def share(self) -> float:
        return self.matched / self.compared if self.compared else 1.0

    def to_dict(self) -> dict[str, object]:
        return {"compared": self.compared, "matched": self.matched, "share": self.share}


def fidelity(
    steps: pd.DataFrame, recomputed: np.ndarray, log_sources: Collection[str], *, worst: int = 5
) -> Fidelity:
    """Compare ``recomputed`` with the logged ``reward`` on RUN rows, at the logged precision."""
    mask = run_mask(steps) & np.isfinite(recomputed)
    diff = np.abs(recomputed - steps["reward"].to_numpy())
    ok = diff <= reward_tolerance(steps, log_sources) + 1e-12
    rows = np.flatnonzero(mask & ~ok)
    order = rows[np.argsort(-diff[rows])][:worst]
    return Fidelity(int(mask.sum()), int((mask & ok).sum()), [int(i) for i in order])
