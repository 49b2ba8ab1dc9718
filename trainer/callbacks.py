"""The SB3 callback of ``reward train``: episode statistics, periodic evaluation, checkpoints, metrics, progress.

Every ``eval_every`` env steps (one *iteration*) :class:`TrainingMonitor` evaluates the deterministic policy
(:func:`trainer.evaluation.evaluate`), keeps the best model by evaluation rank (completion, then lap time) as
``checkpoints/best.zip``, appends an entry to ``metrics.json`` and tells the reporter. ``checkpoints/last.zip`` is
saved every ``checkpoint_every_s`` seconds. Training stops (``_on_step`` returns False) when the time budget is
spent, or after the first evaluation that completes a lap when ``until_lap`` is set.

Metrics entry (``metrics.json`` → ``iterations[]``): ``iteration``, ``steps`` (total env steps), ``elapsed_s``
(wall time of this session), ``train_s`` (the part not spent evaluating), ``steps_per_s``, ``episodes`` (finished
in the iteration), ``mean_reward`` (mean episode reward), ``mean_progress`` (%), ``completion_rate`` (share of
episodes that completed a lap), ``eval`` (:meth:`EvalResult.to_json`), ``best_lap_time`` (s, best evaluation
so far, or null), ``best_completion_pct``, ``reward_errors_skipped``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from reward_sdk.sim.actions import ActionSpace
from reward_sdk.sim.car import CarParams
from reward_sdk.tracks import Track
from trainer.evaluation import EvalResult, evaluate
from trainer.runs import RunDir


class Reporter(Protocol):
    """What the live display implements (the CLI's rich display; tests pass a silent one)."""

    def update(self, steps: int, elapsed_s: float, iteration: dict[str, Any] | None) -> None: ...


@dataclass
class Budget:
    """When to stop: ``steps`` total env steps (including earlier sessions) and/or ``seconds`` of this session."""

    steps: int | None = None
    seconds: float | None = None
    until_lap: bool = False


@dataclass
class Best:
    """The best evaluation so far."""

    rank: tuple[float, float] = (-1.0, -1e9)
    completion_pct: float = 0.0
    lap_time: float | None = None
    steps: int = 0
    first_lap: dict[str, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class TrainingMonitor(BaseCallback):
    """Evaluation, checkpoints, metrics and progress reports during ``model.learn`` (see the module docstring)."""

    def __init__(
        self,
        run: RunDir,
        track: Track,
        actions: ActionSpace,
        car: CarParams,
        budget: Budget,
        reporter: Reporter,
        eval_every: int,
        eval_laps: int = 3,
        checkpoint_every_s: float = 60.0,
        best: Best | None = None,
        metrics: list[dict[str, Any]] | None = None,
        skipped: Callable[[], int] = lambda: 0,
        started: float | None = None,
    ) -> None:
        super().__init__()
        self.run, self.track, self.actions, self.car = run, track, actions, car
        self.budget, self.reporter = budget, reporter
        self.eval_every, self.eval_laps, self.checkpoint_every_s = eval_every, eval_laps, checkpoint_every_s
        self.best = best or Best()
        self.metrics = metrics if metrics is not None else []
        self.skipped = skipped
        self.started = started if started is not None else time.perf_counter()
        self.eval_s = 0.0
        self._episodes: list[tuple[float, float, bool]] = []  # (episode reward, progress, lap completed)
        self._next_eval = 0
        self._last_checkpoint = time.perf_counter()
        self._last_report = 0.0
        self._iteration_start = (0, 0.0)
        self.stop_reason = ""

    # -- SB3 hooks -----------------------------------------------------------------------------------------------
    def _on_training_start(self) -> None:
        self._next_eval = self.num_timesteps + self.eval_every
        self._iteration_start = (self.num_timesteps, time.perf_counter())

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", ()):
            if "episode_reward" in info:
                self._episodes.append((info["episode_reward"], info["progress"], bool(info["is_success"])))
        now = time.perf_counter()
        elapsed = now - self.started
        iteration = None
        if self.num_timesteps >= self._next_eval:
            iteration = self.iterate()
            self._next_eval = self.num_timesteps + self.eval_every
        if now - self._last_checkpoint >= self.checkpoint_every_s:
            self.save_last()
        if iteration is not None or now - self._last_report > 0.25:
            self._last_report = now
            self.reporter.update(self.num_timesteps, elapsed, iteration)
        return self._keep_going(elapsed)

    # -- work ----------------------------------------------------------------------------------------------------
    def _keep_going(self, elapsed: float) -> bool:
        budget = self.budget
        if budget.steps is not None and self.num_timesteps >= budget.steps:
            self.stop_reason = "steps"
        elif budget.seconds is not None and elapsed >= budget.seconds:
            self.stop_reason = "time"
        elif budget.until_lap and self.best.first_lap is not None:
            self.stop_reason = "lap"
        return not self.stop_reason

    def evaluate(self) -> EvalResult:
        """Evaluate the current deterministic policy (``eval_laps`` laps)."""
        policy = self.model.policy

        def predict(obs: np.ndarray) -> np.ndarray:
            return policy.predict(obs, deterministic=True)[0]

        return evaluate(predict, self.track, self.actions, laps=self.eval_laps, car=self.car)

    def iterate(self) -> dict[str, Any]:
        """One iteration's evaluation, best checkpoint and metrics entry (returned)."""
        begin = time.perf_counter()
        result = self.evaluate()
        steps = self.num_timesteps
        if result.rank() > self.best.rank:
            self.best.rank = result.rank()
            self.best.completion_pct = result.completion_pct
            self.best.lap_time = result.mean_lap_time
            self.best.steps = steps
            self.run.save_model(self.model, "best", {"steps": steps, "eval": result.to_json()})
        now = time.perf_counter()
        self.eval_s += now - begin
        elapsed = now - self.started
        if result.completed and self.best.first_lap is None:
            self.best.first_lap = {
                "steps": steps,
                "wall_s": elapsed,
                "train_s": elapsed - self.eval_s,
                "lap_time": result.best_lap_time or 0.0,
                "unix_time": time.time(),
            }
        start_steps, start_time = self._iteration_start
        episodes, self._episodes = self._episodes, []
        entry = {
            "iteration": len(self.metrics),
            "steps": steps,
            "elapsed_s": round(elapsed, 3),
            "train_s": round(elapsed - self.eval_s, 3),
            "steps_per_s": round((steps - start_steps) / max(begin - start_time, 1e-9), 1),
            "episodes": len(episodes),
            "mean_reward": float(np.mean([e[0] for e in episodes])) if episodes else None,
            "mean_progress": float(np.mean([e[1] for e in episodes])) if episodes else None,
            "completion_rate": float(np.mean([e[2] for e in episodes])) if episodes else None,
            "eval": result.to_json(),
            "best_lap_time": self.best.lap_time,
            "best_completion_pct": self.best.completion_pct,
            "reward_errors_skipped": self.skipped(),
        }
        self.metrics.append(entry)
        self.run.write_metrics(self.metrics)
        self._iteration_start = (steps, time.perf_counter())
        return entry

    def save_last(self) -> None:
        """Save ``checkpoints/last.zip`` now."""
        self.run.save_model(self.model, "last", {"steps": self.num_timesteps})
        self._last_checkpoint = time.perf_counter()
