"""One Tune trial: ``trainer.train.train`` + evaluation, reporting to Tune, checkpointing, resuming.

:func:`run_trial` is the function trainable (``tune.with_parameters(run_trial, setup=TrialSetup(...))``). It
runs in a Ray worker process; the reward code still runs only in the sandbox worker that ``train`` starts.

Per trial the run folder is ``OUT/runs/<trial_id>``. Every training iteration (an evaluation) it calls
``tune.report`` with the metrics below; when the trainer has saved a new ``checkpoints/last.zip`` since the
previous report (every ``checkpoint_every_s``, and at the end) the report carries a Tune ``Checkpoint`` of the
run folder's small files (``run.json``, ``metrics.json``, metadata, hyperparameters, the reward copy,
``checkpoints/*``, and ``sweep_trial.json``: the trial's own counters). A trial whose worker dies is restarted
by Tune (``FailureConfig(max_failures=1)``) and continues from that checkpoint with ``train(resume=True)``:
its steps continue from the checkpoint's, and ``attempt`` / ``resumed_from_steps`` say so.

A reward that fails (``trainer.scoring.RewardFailedError``) or any other :class:`UserError` ends the trial
normally with ``status`` ``reward_failed``/``failed``, the message in ``error`` and the minimal failing params
as JSON in ``failed_params``: such an error is not transient, so it is not retried.

Reported metrics: ``steps`` (env steps), ``completion_pct`` (best evaluation's mean progress, %),
``best_lap_time`` (s, mean lap of the best evaluation; :data:`NEVER` when none), ``first_lap_s`` (wall
seconds of training + evaluation, summed over attempts, until the first evaluation with a completed lap;
:data:`NEVER` when none), ``first_lap_steps`` (or -1), ``mean_reward`` (mean episode reward of the iteration,
NaN when no episode ended), ``eval_completion_pct`` (this iteration's evaluation), ``elapsed_s`` (training
wall time over attempts), ``status`` (``running``, ``finished``, ``reward_failed``, ``failed``), ``error``,
``failed_params``, ``attempt`` (1 + restarts), ``resumed_from_steps`` (-1 on a first attempt), ``pid``,
``run_dir``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ray import tune

from reward_sdk.errors import UserError

NEVER = 1e9  # first_lap_s / best_lap_time of a trial without a lap: finite, so ASHA's percentiles stay finite
STATE_FILE = "sweep_trial.json"
RUN_FILES = ("run.json", "metrics.json", "model_metadata.json", "hyperparameters.json", "reward_function.py")


@dataclass(frozen=True)
class TrialSetup:
    """What every trial shares (sent once through Ray's object store).

    :param runs_dir: absolute ``OUT/runs``.
    :param rewards: reward label → ``(absolute path, source)``; the source is used when the path is not there
        (a cluster node without the sweep folder).
    :param steps: budget in env steps, or None. :param minutes: budget in training minutes, or None.
    """

    runs_dir: Path
    rewards: dict[str, tuple[Path, str]]
    steps: int | None
    minutes: float | None
    tracks_dir: Path | None = None
    actions: str | None = None
    envs: int | None = None
    seed: int = 0
    physics: str = "droa-2026"
    eval_every: int | None = None
    eval_laps: int = 3
    checkpoint_every_s: float = 10.0
    extra_hp: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrialState:
    """Counters kept across attempts (``sweep_trial.json`` in each checkpoint)."""

    attempt: int = 1
    elapsed_s: float = 0.0
    first_lap_s: float | None = None
    first_lap_steps: int | None = None
    resumed_from_steps: int = -1


class TuneReporter:
    """The trainer's Reporter: turns each iteration into a ``tune.report`` (with a checkpoint when ``last``
    changed). See the module docstring for the metrics."""

    def __init__(self, run_dir: Path, state: TrialState, offset_s: float) -> None:
        self.run_dir, self.state, self.offset_s = run_dir, state, offset_s
        self.steps = 0
        self.metrics: dict[str, Any] = {}
        self._last_reported: tuple[int, int] | None = _last_stamp(run_dir)

    def update(self, steps: int, elapsed_s: float, iteration: dict[str, Any] | None) -> None:
        self.steps = steps
        self.state.elapsed_s = self.offset_s + elapsed_s
        if iteration is None:
            return
        evaluation = iteration.get("eval") or {}
        if self.state.first_lap_s is None and int(evaluation.get("completed", 0)) > 0:
            self.state.first_lap_s = self.offset_s + float(iteration.get("elapsed_s", elapsed_s))
            self.state.first_lap_steps = int(iteration.get("steps", steps))
        mean_reward = iteration.get("mean_reward")
        self.metrics = {
            "steps": steps,
            "completion_pct": float(iteration.get("best_completion_pct") or 0.0),
            "best_lap_time": _or_never(iteration.get("best_lap_time")),
            "mean_reward": float(mean_reward) if mean_reward is not None else math.nan,
            "eval_completion_pct": float(evaluation.get("completion_pct", 0.0)),
        }
        self.report("running")

    def report(self, status: str, error: str = "", failed_params: dict[str, Any] | None = None) -> None:
        """``tune.report`` the latest metrics with ``status`` (a checkpoint when ``last`` is new)."""
        state = self.state
        metrics = {
            "steps": self.steps,
            "completion_pct": 0.0,
            "best_lap_time": NEVER,
            "mean_reward": math.nan,
            "eval_completion_pct": 0.0,
            **self.metrics,
            "first_lap_s": state.first_lap_s if state.first_lap_s is not None else NEVER,
            "first_lap_steps": state.first_lap_steps if state.first_lap_steps is not None else -1,
            "elapsed_s": round(state.elapsed_s, 3),
            "status": status,
            "error": error,
            "failed_params": json.dumps(failed_params, default=str) if failed_params is not None else "",
            "attempt": state.attempt,
            "resumed_from_steps": state.resumed_from_steps,
            "pid": os.getpid(),
            "run_dir": str(self.run_dir),
        }
        stamp = _last_stamp(self.run_dir)
        if stamp is None or stamp == self._last_reported:
            tune.report(metrics)
            return
        with tempfile.TemporaryDirectory(prefix="sweep-ckpt-") as staging:
            _stage(self.run_dir, Path(staging), state)
            tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(staging))
        self._last_reported = stamp


def run_trial(config: dict[str, Any], setup: TrialSetup) -> None:
    """The Tune function trainable: train (or resume) one configuration; see the module docstring.

    :param config: ``reward`` (label), ``track``, ``algo``, ``hp`` (``{key: value}``) from the param space.
    """
    import torch

    import trainer  # noqa: F401  (its import keeps TensorBoard from loading TensorFlow: ~10 s per trial)

    torch.set_num_threads(1)
    from trainer.train import TrainConfig, train

    trial_id = tune.get_context().get_trial_id()
    run_dir = setup.runs_dir / trial_id
    state, resumed_steps = _restore(run_dir, tune.get_checkpoint())
    reporter = TuneReporter(run_dir, state, state.elapsed_s)
    reporter.steps = max(resumed_steps, 0)
    resume = resumed_steps >= 0
    reward_path = None if resume else _reward_file(setup, str(config["reward"]), run_dir)
    minutes = setup.minutes
    if resume and minutes is not None:
        minutes = max(minutes - state.elapsed_s / 60.0, 1.0 / 60.0)
    hp = {**setup.extra_hp, **dict(config.get("hp") or {})}
    train_config = TrainConfig(
        reward=reward_path,
        track=str(config["track"]),
        algo=str(config["algo"]),
        actions=None if resume else setup.actions,
        steps=None if resume else setup.steps,
        minutes=minutes,
        name=trial_id,
        runs_dir=setup.runs_dir,
        tracks_dir=setup.tracks_dir,
        seed=setup.seed,
        envs=setup.envs,
        hp=[] if resume else [f"{key}={json.dumps(value)}" for key, value in hp.items()],
        resume=resume,
        physics=setup.physics,
        eval_every=setup.eval_every,
        eval_laps=setup.eval_laps,
        checkpoint_every_s=setup.checkpoint_every_s,
    )
    started = time.perf_counter()
    try:
        result = train(train_config, reporter)
    except UserError as exc:
        from trainer.scoring import RewardFailedError

        state.elapsed_s = reporter.offset_s + time.perf_counter() - started
        failed = isinstance(exc, RewardFailedError)
        params = exc.params if isinstance(exc, RewardFailedError) else None
        reporter.report("reward_failed" if failed else "failed", str(exc).splitlines()[0], params)
        return
    reporter.steps = result.steps
    best = result.best
    reporter.metrics.update(
        steps=result.steps,
        completion_pct=float(best.completion_pct),
        best_lap_time=_or_never(best.lap_time),
    )
    reporter.report("finished")


def _reward_file(setup: TrialSetup, label: str, run_dir: Path) -> Path:
    """The reward file of ``label``: the sweep's copy, or (another machine) its source written beside the run."""
    path, source = setup.rewards[label]
    if path.is_file() and path.read_text(encoding="utf-8") == source:
        return path
    local = run_dir.parent / f".{run_dir.name}.reward" / path.name
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(source, encoding="utf-8")
    return local


def _restore(run_dir: Path, checkpoint: tune.Checkpoint | None) -> tuple[TrialState, int]:
    """Put the checkpoint's files back into ``run_dir``; return the trial state and the checkpoint's steps
    (-1 and a fresh state without a checkpoint, after removing what a killed first attempt left)."""
    if checkpoint is None:
        if run_dir.exists():
            shutil.rmtree(run_dir)  # a first attempt killed before its first checkpoint: start over
        return TrialState(), -1
    with checkpoint.as_directory() as folder:
        source = Path(folder)
        data = json.loads((source / STATE_FILE).read_text(encoding="utf-8"))
        run_dir.mkdir(parents=True, exist_ok=True)
        for item in source.iterdir():
            if item.name == STATE_FILE:
                continue
            if item.is_dir():
                shutil.copytree(item, run_dir / item.name, dirs_exist_ok=True)
            else:
                shutil.copy2(item, run_dir / item.name)
    steps = int(json.loads((run_dir / "checkpoints" / "last.json").read_text(encoding="utf-8"))["steps"])
    state = TrialState(
        attempt=int(data.get("attempt", 1)) + 1,
        elapsed_s=float(data.get("elapsed_s", 0.0)),
        first_lap_s=data.get("first_lap_s"),
        first_lap_steps=data.get("first_lap_steps"),
        resumed_from_steps=steps,
    )
    return state, steps


def _stage(run_dir: Path, staging: Path, state: TrialState) -> None:
    """Copy the run folder's small files (not logs or TensorBoard) and the trial state into ``staging``."""
    for name in RUN_FILES:
        if (run_dir / name).is_file():
            shutil.copy2(run_dir / name, staging / name)
    checkpoints = staging / "checkpoints"
    checkpoints.mkdir()
    for item in (run_dir / "checkpoints").iterdir():
        if item.suffix in (".zip", ".json") and not item.name.startswith("."):
            shutil.copy2(item, checkpoints / item.name)
    state_json = {
        "attempt": state.attempt,
        "elapsed_s": state.elapsed_s,
        "first_lap_s": state.first_lap_s,
        "first_lap_steps": state.first_lap_steps,
    }
    (staging / STATE_FILE).write_text(json.dumps(state_json), encoding="utf-8")


def _last_stamp(run_dir: Path) -> tuple[int, int] | None:
    """``(mtime_ns, size)`` of ``checkpoints/last.zip``, or None before the first save."""
    try:
        info = (run_dir / "checkpoints" / "last.zip").stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def _or_never(value: Any) -> float:
    return float(value) if value is not None else NEVER
