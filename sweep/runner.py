"""Run a sweep on Ray Tune: local Ray by default, an existing cluster with ``address``.

:func:`run_sweep` starts (or joins) Ray, builds the ``tune.Tuner`` (or restores it with ``--resume``), runs
every trial (:func:`sweep.trainable.run_trial`, one CPU each, at most ``max_concurrent`` at once, ASHA early
stopping on the objective, one retry of a trial whose worker died, from its last checkpoint), then ranks the
trials, writes ``OUT/results.csv`` and copies the best run folder to ``OUT/best``. Ray is shut down at the end
when this function started it.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ray import tune

from reward_sdk.errors import UserError
from sweep.prepare import TUNE_NAME, SweepPlan
from sweep.results import TrialRow, copy_best, rank, row_from_result, write_results_csv
from sweep.spec import Distribution, SweepSpec
from sweep.trainable import TrialSetup, run_trial

ASHA_REDUCTION = 2  # keep the better half at each rung
ASHA_RUNGS = 4  # first rung at max_t / 4, then max_t / 2
ASHA_MAX_T = 1.25  # max_t in budgets: never reached, so every trial that is not stopped early ends normally


@dataclass
class SweepResult:
    """What a sweep produced: ranked rows (best first), ``results.csv``, ``best/`` (or None), wall time."""

    rows: list[TrialRow]
    results_csv: Path
    best_dir: Path | None
    wall_s: float
    out: Path


class _Progress(tune.Callback):
    """One line on stderr per trial start, restart, end or failure (plain text: picklable for ``--resume``)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(f"sweep: {text}", file=sys.stderr, flush=True)

    def on_trial_start(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self._say(f"{trial.trial_id} started: {_describe(trial.config)}")

    def on_trial_recover(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self._say(f"{trial.trial_id} worker died: restarting from its last checkpoint")

    def on_trial_complete(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        result = trial.last_result or {}
        self._say(
            f"{trial.trial_id} {result.get('status', 'done')}: {int(result.get('steps', 0)):,} steps, "
            f"completion {float(result.get('completion_pct', 0.0)):.1f} %"
        )

    def on_trial_error(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self._say(f"{trial.trial_id} failed after its retry")


def _describe(config: dict[str, Any]) -> str:
    hp = ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in config.get("hp", {}).items()
    )
    return f"{config.get('reward')} on {config.get('track')} ({config.get('algo')}{', ' + hp if hp else ''})"


def param_space(spec: SweepSpec, reward_labels: Sequence[str]) -> dict[str, Any]:
    """Tune's param space: grids over rewards, tracks, algorithms and hyperparameter lists; distributions are
    sampled (``tune.uniform``/``loguniform``/``choice``) once per trial."""
    hp: dict[str, Any] = {}
    for key, item in spec.hyperparameters.items():
        if isinstance(item, Distribution):
            low, high = item.values[0], item.values[-1]
            if item.kind == "uniform":
                hp[key] = tune.uniform(float(low), float(high))
            elif item.kind == "loguniform":
                hp[key] = tune.loguniform(float(low), float(high))
            else:
                hp[key] = tune.choice(list(item.values))
        else:
            hp[key] = tune.grid_search(list(item))
    return {
        "reward": tune.grid_search(list(reward_labels)),
        "track": tune.grid_search(list(spec.tracks)),
        "algo": tune.grid_search(list(spec.algos)),
        "hp": hp,
    }


def scheduler(spec: SweepSpec) -> Any:
    """ASHA on the objective, in the budget's unit: ``steps`` (env steps) or ``elapsed_s`` (training seconds);
    a trial in the worse half at ~31 % or ~62 % of the budget is stopped. None with ``early_stopping: false``."""
    if not spec.early_stopping:
        return None
    from ray.tune.schedulers import ASHAScheduler

    if spec.budget.steps is not None:
        attr, budget = "steps", float(spec.budget.steps)
    else:
        attr, budget = "elapsed_s", 60.0 * float(spec.budget.minutes or 1.0)
    # max_t beyond the budget: ASHA stops a trial that reaches max_t before its final report (status finished);
    # rungs at max_t/4 and max_t/2, i.e. ~31 % and ~62 % of the budget
    max_t = max(int(ASHA_MAX_T * budget), ASHA_RUNGS)
    grace = math.ceil(max_t / ASHA_RUNGS)
    return ASHAScheduler(time_attr=attr, max_t=max_t, grace_period=grace, reduction_factor=ASHA_REDUCTION)


def trial_setup(plan: SweepPlan) -> TrialSetup:
    """The shared part of every trial's configuration."""
    from reward_sdk.tracks import tracks_dir_from_env

    spec = plan.spec
    return TrialSetup(
        runs_dir=plan.runs_dir,
        rewards={label: (entry.path, entry.source) for label, entry in plan.rewards.items()},
        steps=spec.budget.steps,
        minutes=spec.budget.minutes,
        tracks_dir=spec.tracks_dir or tracks_dir_from_env(),
        actions=spec.actions,
        envs=spec.envs,
        seed=spec.seed,
        physics=spec.physics,
        eval_every=spec.eval_every,
        eval_laps=spec.eval_laps,
        checkpoint_every_s=spec.checkpoint_every_s,
    )


def local_cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def start_ray(address: str | None) -> bool:
    """Start a local Ray (``address`` None) or join a cluster (``auto`` or ``ray://HOST:PORT``); returns True
    when this call initialised Ray (False: it was already running in this process).

    :raises UserError: the cluster cannot be reached or refuses the token (one line).
    """
    import logging

    import ray

    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    try:
        if address is None:
            # workers import sweep/trainer like this process does, also from a source checkout
            env = {
                "PYTHONPATH": os.pathsep.join(filter(None, (_source_root(), os.environ.get("PYTHONPATH"))))
            }
            options["runtime_env"] = {"env_vars": env}
            ray.init(num_cpus=local_cores(), include_dashboard=False, **options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = address or "local"
        raise UserError(f"cannot start or join Ray at {where}: {_first_line(exc)}") from None
    except Exception as exc:  # AuthenticationError and friends: name them in one line
        raise UserError(f"cannot join Ray at {address}: {type(exc).__name__}: {_first_line(exc)}") from None
    return True


def run_sweep(
    plan: SweepPlan,
    address: str | None = None,
    max_concurrent: int | None = None,
    resume: bool = False,
    callbacks: Sequence[Any] = (),
    quiet: bool = False,
) -> SweepResult:
    """Run (or, with ``resume``, continue) the sweep ``plan`` and rank it.

    :param address: None = local Ray with every core; ``auto`` / ``ray://HOST:PORT`` joins a cluster.
    :param max_concurrent: trials at once (default: the cluster's CPUs, locally the cores). Ignored with
        ``resume`` (the restored sweep keeps its setting).
    :param callbacks: extra ``tune.Callback`` objects (e.g. a test that kills a trial's worker).
    :raises UserError: Ray cannot start/join; bad ``max_concurrent``.
    """
    if max_concurrent is not None and max_concurrent < 1:
        raise UserError("--max-concurrent must be >= 1")
    started_at = time.perf_counter()
    # Tune warns when num_to_keep forces frequent state snapshots; at our checkpoint rate that is expected
    os.environ.setdefault("TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S", "0")
    owns_ray = start_ray(address)
    try:
        import ray

        cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
        concurrent = max_concurrent or max(1, cpus)
        trainable = tune.with_resources(tune.with_parameters(run_trial, setup=trial_setup(plan)), {"cpu": 1})
        spec = plan.spec
        if resume:
            tuner = tune.Tuner.restore(str(plan.tune_dir), trainable, resume_errored=True)
        else:
            tuner = tune.Tuner(
                trainable,
                param_space=param_space(spec, list(plan.rewards)),
                tune_config=tune.TuneConfig(
                    metric=spec.metric,
                    mode=spec.mode,
                    scheduler=scheduler(spec),
                    num_samples=spec.samples,
                    max_concurrent_trials=concurrent,
                ),
                run_config=tune.RunConfig(
                    storage_path=str(plan.out),
                    name=TUNE_NAME,
                    failure_config=tune.FailureConfig(max_failures=1),
                    checkpoint_config=tune.CheckpointConfig(num_to_keep=2),
                    callbacks=[_Progress(quiet), *callbacks],
                    verbose=0,
                ),
            )
        # Tune prints its own banners on stdout: keep stdout for the ranking
        with contextlib.redirect_stdout(sys.stderr):
            grid = tuner.fit()
        rows = [
            row_from_result(
                {"trial_id": Path(result.path).name, **(result.metrics or {})},
                dict(result.config or {}),
                result.error,
            )
            for result in (grid[i] for i in range(len(grid)))
        ]
    finally:
        if owns_ray:
            import ray

            ray.shutdown()
    ranked = rank(rows, spec.metric, spec.mode)
    csv_path = write_results_csv(plan.out / "results.csv", ranked)
    best = copy_best(ranked, plan.out)
    return SweepResult(ranked, csv_path, best, time.perf_counter() - started_at, plan.out)


def _source_root() -> str:
    """The folder holding the ``sweep`` package (a checkout, or site-packages)."""
    return str(Path(__file__).resolve().parents[1])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
