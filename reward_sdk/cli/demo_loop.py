"""``reward demo``'s training loop stages: train PPO, evaluate, replay the training log with a heat map.

Each stage takes the :class:`~reward_sdk.cli.demo_report.DemoState`, prints what it did and returns the dict
described in :mod:`reward_sdk.cli.demo_report`. Training and replay run through the same library functions as
``reward train``, ``reward evaluate`` and ``reward replay`` (imported inside the stages: torch, stable-baselines3
and pandas load only when the stage runs).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from reward_sdk.cli.common import console
from reward_sdk.cli.demo_report import DemoState, StageSkipError

DEMO_RUN = "demo"
"""Name of the demo's training run (``<out>/runs/demo``); a previous demo's run of that name is replaced."""

REPLAY_PLOT = "replay-training.png"
"""File name of the training log's heat map in the output folder."""


class TrainProgress:
    """A rich progress bar over the training run's step cap, with the latest evaluation's figures.

    Implements :class:`trainer.callbacks.Reporter` (``update``); use it as a context manager around
    :func:`trainer.train.train`.
    """

    def __init__(self, total_steps: int) -> None:
        self.total_steps = total_steps
        self.progress: Any = None
        self.task: Any = None

    def __enter__(self) -> TrainProgress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("[bold]train PPO"),
            BarColumn(),
            TextColumn("{task.completed:>7,.0f}/{task.total:,.0f} steps"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[stats]}"),
            console=console,
        )
        self.progress.__enter__()
        self.task = self.progress.add_task("train", total=self.total_steps, stats="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(None, None, None)
            self.progress = None

    def update(self, steps: int, elapsed_s: float, iteration: dict[str, Any] | None) -> None:
        """Move the bar to ``steps``; after an evaluation (``iteration``) show its completion and best lap."""
        if self.progress is None:
            return
        fields: dict[str, Any] = {}
        if iteration is not None:
            best = iteration.get("best_lap_time")
            evaluation = iteration.get("eval") or {}
            fields["stats"] = f"eval {float(evaluation.get('completion_pct', 0.0)):.0f} % · best lap " + (
                f"{best:.2f} s" if best is not None else "-"
            )
        self.progress.update(self.task, completed=min(steps, self.total_steps), **fields)


def stage_train(state: DemoState) -> dict[str, Any]:
    """Train PPO on ``state.track`` with the example ``state.reward`` until the first evaluation lap, at most
    ``state.train_steps`` steps and ``state.train_minutes`` minutes; sets ``state.run``."""
    from reward_sdk.examples import example_path
    from trainer.train import TrainConfig, train

    runs = state.out / "runs"
    previous = runs / DEMO_RUN
    if (previous / "run.json").is_file():
        shutil.rmtree(previous)
        console.print(f"[dim]replaced the previous demo run {previous}[/dim]")
    reward = example_path(state.reward)
    config = TrainConfig(
        reward=reward,
        track=state.track,
        algo="ppo",
        steps=state.train_steps,
        minutes=state.train_minutes,
        name=DEMO_RUN,
        runs_dir=runs,
        until_lap=True,
    )
    console.print(
        f"reward train examples/{reward.name} --track {state.track} --algo ppo --until-lap "
        f"--steps {state.train_steps} --minutes {state.train_minutes:g} --runs-dir {runs} --name {DEMO_RUN}",
        soft_wrap=True,
    )
    with TrainProgress(state.train_steps) as progress:
        result = train(config, progress)
    state.run = result.run.path
    best = result.best
    first = best.first_lap
    if first:
        console.print(
            f"first evaluation lap after {first['steps']:,} steps, {first['wall_s']:.1f} s: "
            f"[bold green]{first['lap_time']:.2f} s[/bold green]"
        )
    else:
        console.print(f"[yellow]no evaluation lap within {result.steps:,} steps[/yellow]")
    return {
        "run": str(result.run.path),
        "track": state.track,
        "reward": reward.name,
        "algo": "ppo",
        "steps": result.steps,
        "stop_reason": result.stop_reason,
        "first_lap": first,
        "best_lap_time": best.lap_time,
        "completion_pct": best.completion_pct,
    }


def _need_run(state: DemoState) -> Path:
    if state.run is None:
        raise StageSkipError("needs the training run (the train stage did not finish)")
    return state.run


def stage_evaluate(state: DemoState) -> dict[str, Any]:
    """Evaluate the run's ``best`` checkpoint over 3 laps from evenly spaced starts (``reward evaluate``)."""
    run = _need_run(state)
    from trainer.evaluation import evaluate_run

    result = evaluate_run(run, laps=3, checkpoint="best", runs_dir=run.parent)
    console.print(
        f"reward evaluate {run} --laps 3: {result['completed']}/{result['laps']} laps, "
        f"completion {result['completion_pct']:.1f} %",
        soft_wrap=True,
    )
    for i, (status, progress, lap_time) in enumerate(
        zip(result["statuses"], result["progress"], result["lap_times"], strict=True)
    ):
        console.print(f"  lap {i + 1}: {status:<12} progress {progress:6.2f} %  time {lap_time:6.2f} s")
    return {
        "checkpoint": result["checkpoint"],
        "laps": result["laps"],
        "completed": result["completed"],
        "statuses": list(result["statuses"]),
        "progress": list(result["progress"]),
        "lap_times": list(result["lap_times"]),
        "best_lap_time": result["best_lap_time"],
    }


def replay_logs(
    logs: list[Path], track: str, reward: Path, plot: Path, *, verbose: bool = True
) -> dict[str, Any]:
    """Replay ``logs`` on ``track``, re-score every step with ``reward`` in the sandbox, flag behaviours and
    write the heat map ``plot`` (what ``reward replay LOGS --track T --reward R --plot P`` does).

    :param verbose: print the per-episode table (``False``: only the totals line).
    :returns: ``episodes``, ``completed``, ``flags`` ({flag: episodes}), ``best_lap_time_s``, ``reward_logged``,
        ``reward_rescored`` and ``plot``.
    """
    from replay.pipeline import run_replay
    from replay.plot import plot_replay
    from replay.report import render_text, totals

    outcome = run_replay(logs, track=track, reward=reward)
    result = outcome.result
    tot = totals(result)
    if verbose:
        render_text(result, console)
    else:
        flags = ", ".join(f"{k} {v}" for k, v in sorted(tot["flags"].items())) or "none"
        best = tot["best_lap_time_s"]
        console.print(
            f"read {tot['steps']:,} steps: {tot['episodes']} episodes, {tot['completed']} laps completed"
            + (f" (best {best:.2f} s)" if best else "")
            + f"; flags: {flags}; logged reward {tot['reward']:.1f}, re-scored {tot.get('new_reward', 0.0):.1f}",
            soft_wrap=True,
        )
    group = outcome.groups[0]
    plot_replay(
        plot,
        result.log.steps.iloc[group.rows],
        group.choice.track,
        None if outcome.new_reward is None else outcome.new_reward[group.rows],
        new_name=reward.name,
    )
    console.print(f"wrote {plot}", soft_wrap=True)
    return {
        "episodes": tot["episodes"],
        "completed": tot["completed"],
        "flags": dict(tot["flags"]),
        "best_lap_time_s": tot["best_lap_time_s"],
        "reward_logged": tot["reward"],
        "reward_rescored": tot.get("new_reward"),
        "plot": str(plot),
    }


def stage_replay_training(state: DemoState) -> dict[str, Any]:
    """Replay the run's training SIM_TRACE_LOG (``logs/training-0.log``) with its own reward: flags and the
    heat map ``<out>/replay-training.png``."""
    run = _need_run(state)
    log = run / "logs" / "training-0.log"
    if not log.is_file():
        raise StageSkipError(f"{log}: the training run wrote no SIM_TRACE_LOG")
    plot = state.out / REPLAY_PLOT
    console.print(
        f"reward replay {log} --track {state.track} --reward {run / 'reward_function.py'} --plot {plot}",
        soft_wrap=True,
    )
    data = replay_logs([log], state.track, run / "reward_function.py", plot, verbose=False)
    return {**data, "log": str(log), "plot": REPLAY_PLOT}
