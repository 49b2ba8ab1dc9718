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

Failing steps (the function raises, returns a bad value, runs past the per-call limit or kills its worker) get
NaN too. ``on_error="skip"`` scores every other step and reports how many failed and the first failure
(:class:`StepFailure`); ``on_error="stop"`` raises :class:`RescoreStopped` at the first one. The sandbox's batch
call stops at the first failing row of a batch; that row is found from the error's params (or by halving the
batch when they are missing), marked failed, and the rows around it are scored again in batches, so a few
failures cost a few extra batch calls. Rows before the failing one in its batch are thus called twice (module
state of the function sees them again).

A :class:`TimeBudget` bounds the wall time of every re-scoring pass of one command: batches are sized from the
measured rate to take at most a fraction of the remaining budget, and the budget is checked before each batch;
when it runs out :class:`BudgetExceeded` (a ``UserError``: one line, exit 2) says after how many steps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from replay.schema import run_mask
from reward_sdk.errors import UserError
from reward_sdk.geometry import ndist, params_batch, track_constants
from reward_sdk.tracks import Track

if TYPE_CHECKING:
    from sandbox import RewardSandbox
    from sandbox.errors import SandboxError

ON_ERROR_CHOICES = ("skip", "stop")
"""What re-scoring does at a failing step: score the rest (NaN for the failures) or stop at the first."""

FIRST_BATCH_ROWS = 4
"""Rows of the first batch of a pass, before the rate of the function is known. Later batches are sized from the
measured rate (at most :data:`BATCH_GROWTH` times the previous one), so a slow function overshoots the budget by
about one batch: at most :data:`BATCH_SECONDS` or one call's time limit."""

BATCH_GROWTH = 16
"""Largest factor between the sizes of consecutive batches."""

MAX_BATCH_ROWS = 50_000
"""Upper bound of one batch call (the sandbox pipelines it in messages of 1,000 rows)."""

BATCH_SECONDS = 0.5
"""Target duration of one batch call; a batch never plans more than half of the remaining budget either."""

BUDGET_FLOOR_S = 60.0
"""Smallest default re-scoring budget (seconds)."""

BUDGET_PER_STEP_S = 0.01
"""Default re-scoring budget per step to score (seconds): 100× a heavy reward function's cost."""

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


def default_budget(steps: int) -> float:
    """Default wall-time budget (s) for re-scoring ``steps`` steps: :data:`BUDGET_PER_STEP_S` each, at least
    :data:`BUDGET_FLOOR_S`."""
    return max(BUDGET_FLOOR_S, BUDGET_PER_STEP_S * steps)


class BudgetExceeded(UserError):  # noqa: N818 - names what happened, like RewardTimeout
    """Re-scoring ran out of its wall-time budget (one line for the CLI; exit 2)."""


class TimeBudget:
    """Wall-time budget shared by the re-scoring passes of one command.

    :param seconds: budget in seconds (> 0), counted from construction.
    :param total_steps: steps all passes will score (for the message).
    """

    def __init__(self, seconds: float, total_steps: int) -> None:
        if not seconds > 0 or not math.isfinite(seconds):
            raise UserError(f"--time-budget must be a positive number of seconds, got {seconds:g}")
        self.seconds = float(seconds)
        self.total_steps = int(total_steps)
        self.done = 0
        self.deadline = time.monotonic() + self.seconds

    def remaining(self) -> float:
        """Seconds left (negative once exceeded)."""
        return self.deadline - time.monotonic()

    def check(self) -> None:
        """Raise :class:`BudgetExceeded` when the budget is used up."""
        if self.remaining() <= 0.0:
            raise BudgetExceeded(
                f"re-scoring stopped: the {self.seconds:g} s budget was exceeded after {self.done:,} of "
                f"{self.total_steps:,} steps; raise --time-budget"
            )


@dataclass
class StepFailure:
    """One step the reward function failed on.

    :param row: position of the step in the frame given to :func:`rescore`.
    :param episode: logged episode number; ``unique_episode``: the episode's row in the replay table.
    :param step: logged ``steps``; ``closest_waypoints``: the rebuilt params' pair (logged nearer one if absent).
    :param error: the sandbox error's type name; ``message``: its one-line text.
    :param params: the params dict of the step (constants included), or None when unknown.
    """

    row: int
    episode: int
    unique_episode: int
    step: int
    closest_waypoints: list[int]
    error: str
    message: str
    params: dict[str, Any] | None

    def headline(self) -> str:
        """``episode E (table #U) step S at waypoints [a, b]: <message>``."""
        return (
            f"episode {self.episode} (table #{self.unique_episode}) step {self.step} at waypoints "
            f"{self.closest_waypoints}: {self.message}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; long lists in ``params`` are elided (see :func:`compact_params`)."""
        return {
            "unique_episode": self.unique_episode,
            "episode": self.episode,
            "step": self.step,
            "closest_waypoints": self.closest_waypoints,
            "error": self.error,
            "message": self.message,
            "params": compact_params(self.params) if self.params is not None else None,
        }


class RescoreStopped(Exception):  # noqa: N818 - names what happened, like the sandbox errors
    """``on_error="stop"``: the function failed on a step; ``failure`` describes it (the CLI exits with 1)."""

    def __init__(self, failure: StepFailure, function: str, error: SandboxError) -> None:
        super().__init__(f"{function} failed on {failure.headline()}")
        self.failure = failure
        self.function = function
        self.error = error


@dataclass
class RescoreOutcome:
    """Rewards of one pass aligned with the frame (NaN on non-RUN and failed rows) and its failures."""

    rewards: np.ndarray
    failed: np.ndarray
    first: StepFailure | None = None
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return int(self.failed.sum())


LONG_LIST_ITEMS = 6
"""Lists longer than this are elided in failure descriptions."""


def compact_params(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` in the documented key order (unknown keys last), long lists (``waypoints``...) replaced by
    ``"<N items>"``, floats rounded to 6 significant digits."""
    from reward_sdk.params import PARAM_NAMES

    order = {name: i for i, name in enumerate(PARAM_NAMES)}
    out: dict[str, Any] = {}
    for key in sorted(params, key=lambda name: order.get(name, len(order))):
        value = params[key]
        if isinstance(value, list | tuple) and len(value) > LONG_LIST_ITEMS:
            out[key] = f"<{len(value)} items>"
        elif isinstance(value, float):
            out[key] = float(f"{value:.6g}")
        elif isinstance(value, list | tuple):
            out[key] = [float(f"{v:.6g}") if isinstance(v, float) else v for v in value]
        else:
            out[key] = value
    return out


class _PassScorer:
    """Scores one direction group's rows with batch calls, isolating failing rows (see the module docstring)."""

    def __init__(
        self,
        sandbox: RewardSandbox,
        params: dict[str, Any],
        n: int,
        budget: TimeBudget,
        on_failure: Any,
    ) -> None:
        self.sandbox, self.params, self.n, self.budget = sandbox, params, n, budget
        self.on_failure = on_failure
        self.out = np.full(n, np.nan)
        self.rate = 0.0  # rows per second seen so far

    def run(self) -> np.ndarray:
        start, size = 0, FIRST_BATCH_ROWS
        while start < self.n:
            self.budget.check()
            stop = min(self.n, start + size)
            begin = time.monotonic()
            self._span(start, stop)
            elapsed = max(time.monotonic() - begin, 1e-6)
            self.rate = (stop - start) / elapsed
            plan = min(BATCH_SECONDS, max(self.budget.remaining(), 0.0) / 2)
            size = int(min(MAX_BATCH_ROWS, max(1.0, self.rate * plan), BATCH_GROWTH * (stop - start)))
            start = stop
        return self.out

    def _call(self, lo: int, hi: int) -> np.ndarray:
        chunk = {name: values[lo:hi] for name, values in self.params.items()}
        return self.sandbox.score_many(chunk, n=hi - lo)

    def _span(self, lo: int, hi: int) -> None:
        """Score rows ``[lo, hi)``; failing rows stay NaN and go to ``on_failure(row, error)``."""
        from sandbox.errors import SandboxError

        pending = [(lo, hi)]
        while pending:
            a, b = pending.pop()
            if (a, b) != (lo, hi):
                self.budget.check()
            try:
                self.out[a:b] = self._call(a, b)
            except SandboxError as exc:
                k = self._locate(exc, a, b)
                if k is None and b - a > 1:
                    if not _per_step(exc):
                        raise
                    mid = (a + b) // 2
                    pending += [(mid, b), (a, mid)]
                    continue
                if k is None and not _per_step(exc):
                    raise
                k = a if k is None else k
                self.on_failure(k, exc)
                self.budget.done += 1
                if k + 1 < b:
                    pending.append((k + 1, b))
                if a < k:
                    pending.append((a, k))
                continue
            self.budget.done += b - a

    def _locate(self, exc: SandboxError, a: int, b: int) -> int | None:
        """The failing row of batch ``[a, b)``: the first row whose steps, x and y equal the error's params (the
        sandbox rebuilds them from the batch's columns); None when the error has no params."""
        params = exc.params
        if not isinstance(params, dict):
            return None
        try:
            keys = {key: float(params[key]) for key in ("steps", "x", "y")}
        except (KeyError, TypeError, ValueError):
            return None
        match = np.ones(b - a, dtype=bool)
        for key, value in keys.items():
            match &= np.asarray(self.params[key][a:b], dtype=np.float64) == value
        hits = np.flatnonzero(match)
        return a + int(hits[0]) if len(hits) else None


def _per_step(exc: SandboxError) -> bool:
    """Whether ``exc`` is a failure of one call (not of loading the module or of the sandbox itself)."""
    from sandbox.errors import (
        BadRewardValue,
        RewardMemoryError,
        RewardRuntimeError,
        RewardTimeout,
        WorkerCrashed,
    )

    if isinstance(exc, RewardRuntimeError | RewardMemoryError):
        return exc.params is not None  # None: the module-level code failed
    return isinstance(exc, BadRewardValue | RewardTimeout | WorkerCrashed)


def rescore(
    steps: pd.DataFrame,
    track: Track,
    source: str,
    filename: str = "reward_function.py",
    groups: list[DirectionGroup] | None = None,
    *,
    budget: TimeBudget | None = None,
) -> np.ndarray:
    """Rewards of :func:`rescore_steps` for every row (NaN on non-RUN rows); the first failing step raises its
    :class:`sandbox.errors.SandboxError` (with the step's params)."""
    try:
        return rescore_steps(steps, track, source, filename, groups, on_error="stop", budget=budget).rewards
    except RescoreStopped as exc:
        raise exc.error from None


def rescore_steps(
    steps: pd.DataFrame,
    track: Track,
    source: str,
    filename: str = "reward_function.py",
    groups: list[DirectionGroup] | None = None,
    *,
    on_error: str = "skip",
    budget: TimeBudget | None = None,
) -> RescoreOutcome:
    """Run the reward function in ``source`` on every RUN row of ``steps`` (see the module docstring).

    The function runs in :class:`sandbox.RewardSandbox` (batched calls; module state persists across calls in
    frame order, as in the simulator; a worker killed by a timeout restarts with fresh module state).

    :param on_error: ``"skip"`` (failing steps get NaN and are counted) or ``"stop"``.
    :param budget: wall-time budget shared with other passes (default: :func:`default_budget` of these rows).
    :returns: rewards aligned with ``steps`` (NaN on non-RUN and failing rows), the failure mask and the first
        failure (the earliest failing row).
    :raises RescoreStopped: ``on_error="stop"`` and a step failed.
    :raises BudgetExceeded: the budget ran out.
    :raises sandbox.errors.SandboxError: compile errors, module-level failures, sandbox failures.
    """
    from sandbox import RewardSandbox

    if on_error not in ON_ERROR_CHOICES:
        raise UserError(f"--on-error must be one of {', '.join(ON_ERROR_CHOICES)}, got {on_error!r}")
    groups = groups if groups is not None else build_params_by_direction(steps, track)
    if budget is None:
        budget = TimeBudget(
            default_budget(sum(len(g.rows) for g in groups)), sum(len(g.rows) for g in groups)
        )
    outcome = RescoreOutcome(np.full(len(steps), np.nan), np.zeros(len(steps), dtype=bool))
    with RewardSandbox(source, filename=filename) as sandbox:
        for group in groups:
            sandbox.set_constants(group.constants)

            def failed(k: int, exc: SandboxError, group: DirectionGroup = group) -> None:
                row = int(group.rows[k])
                outcome.failed[row] = True
                name = type(exc).__name__
                outcome.errors[name] = outcome.errors.get(name, 0) + 1
                if outcome.first is None or row < outcome.first.row:
                    outcome.first = _failure(steps, row, group, k, exc)
                if on_error == "stop":
                    raise RescoreStopped(outcome.first, filename, exc)

            scorer = _PassScorer(sandbox, group.params, len(group.rows), budget, failed)
            outcome.rewards[group.rows] = scorer.run()
    return outcome


def _failure(steps: pd.DataFrame, row: int, group: DirectionGroup, k: int, exc: SandboxError) -> StepFailure:
    """Describe the failing frame row ``row`` (row ``k`` of ``group``'s params)."""
    params = exc.params if isinstance(exc.params, dict) else None
    if params is None:
        params = {**group.constants, **{name: _plain(values[k]) for name, values in group.params.items()}}
    pair = params.get("closest_waypoints")
    logged = steps.iloc[row]
    waypoints = (
        [int(i) for i in pair] if isinstance(pair, list | tuple) else [int(logged["closest_waypoint"])]
    )
    return StepFailure(
        row,
        int(logged["episode"]),
        int(logged["unique_episode"]),
        int(logged["steps"]),
        waypoints,
        type(exc).__name__,
        str(exc),
        params,
    )


def _plain(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.ndarray | np.generic) else value


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
