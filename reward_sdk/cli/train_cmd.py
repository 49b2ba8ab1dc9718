"""``reward train``, ``reward evaluate``, ``reward runs``: SB3 PPO/SAC on the simulator with the user's reward.

The logic lives in ``trainer`` (imported inside the commands, so ``reward --help`` stays fast and a core install
without torch still works); this module parses options, shows the live display and prints results.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from reward_sdk.cli.common import console, error_console
from reward_sdk.errors import UserError

TRAIN_HELP = """Train a policy with your reward function (Stable-Baselines3 PPO or SAC, CPU).

The run goes to RUNS_DIR/NAME: checkpoints (best by evaluation lap time, last), TensorBoard logs, metrics.json,
the reward copy, model_metadata.json and hyperparameters.json in the DeepRacer format, and the training
SIM_TRACE_LOG (logs/training-N.log, replayable with `reward replay`). Ctrl-C saves `last`; --resume continues.

Hyperparameters (--hp key=value, repeatable, or a hyperparameters.json): the console's names and defaults
(batch_size 64, num_epochs 10, lr 3e-4, beta_entropy 0.01) except discount_factor 0.99 (console 0.999: at 15
steps/s 0.99 looks ~7 s ahead, about a lap, and learns a lap several times faster); PPO also takes n_steps
(256 per car), clip_range, gae_lambda; SAC takes sac_alpha (auto), buffer_size, learning_starts,
gradient_steps; both take net_width (64: two hidden layers; SB3's SAC default is 256). The reasons are in
trainer/hyperparams.py and the README.

Camera policy for the real car (--obs camera: 160×120 gray frames, PPO with DeepRacer's shallow CNN):
--teacher runs/X distils the features run X by DAgger (the student drives, X labels every state; FILE defaults
to X's reward), evaluating 4 laps per round; --from-scratch trains the CNN with PPO on your reward (slow).
"""


def register(app: typer.Typer) -> None:
    """Add ``train``, ``evaluate`` and ``runs`` to the main ``reward`` app."""

    @app.command("train", help=TRAIN_HELP)
    def train_cmd(
        reward: Path | None = typer.Argument(None, help="Reward file (not needed with --resume)."),
        track: str | None = typer.Option(
            None, "--track", "-t", help="Built-in name, .npy path or file stem."
        ),
        algo: str | None = typer.Option(None, help="ppo (default) or sac."),
        actions: str | None = typer.Option(
            None,
            help="discrete (PPO default: 5 steering × 1, 2 m/s), continuous (SAC default) or a model_metadata.json.",
        ),
        minutes: float | None = typer.Option(None, help="Wall-clock budget of this session, minutes."),
        steps: int | None = typer.Option(
            None, help="Env steps to train (in total for a new run; more with --resume)."
        ),
        name: str | None = typer.Option(None, help="Run name: the run lives in RUNS_DIR/NAME."),
        seed: int = typer.Option(0, help="Random seed (policy, starts)."),
        envs: int | None = typer.Option(None, help="Cars simulated at once (default 8 for PPO, 4 for SAC)."),
        hp: list[str] = typer.Option([], "--hp", help="key=value or a hyperparameters.json (repeatable)."),
        tracks_dir: Path | None = typer.Option(None, help="Folder of real .npy tracks ($REWARD_TRACKS_DIR)."),
        runs_dir: Path = typer.Option(Path("runs"), help="Folder of the runs."),
        clone: Path | None = typer.Option(None, help="Start from run X's best weights; the new run is X-V2."),
        resume: bool = typer.Option(False, "--resume", help="Continue run NAME from its last checkpoint."),
        on_error: str = typer.Option(
            "raise", help="Reward failures: raise (stop, show params) or skip (score 0)."
        ),
        physics: str = typer.Option("droa-2026", help="Car model: droa-2026 or drfc-2022."),
        until_lap: bool = typer.Option(False, "--until-lap", help="Stop after the first evaluation lap."),
        eval_every: int | None = typer.Option(
            None, help="Env steps between evaluations (default: one PPO rollout)."
        ),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No live display."),
        obs: str = typer.Option("features", "--obs", help="Policy input: features (default) or camera."),
        teacher: Path | None = typer.Option(
            None, help="--obs camera: distil this features run (DAgger); FILE defaults to its reward."
        ),
        from_scratch: bool = typer.Option(
            False, "--from-scratch", help="--obs camera: PPO with the CNN on your reward, no teacher (slow)."
        ),
    ) -> None:
        from trainer.train import TrainConfig, train

        if obs not in ("features", "camera"):
            raise UserError(f"--obs must be features or camera, got {obs!r}")
        if obs == "features" and (teacher is not None or from_scratch):
            raise UserError("--teacher and --from-scratch train a camera policy: add --obs camera")
        if obs == "camera" and teacher is not None and from_scratch:
            raise UserError("give either --teacher RUN (distillation) or --from-scratch, not both")
        if obs == "camera" and teacher is None and not from_scratch:
            raise UserError("--obs camera needs --teacher RUN (a features run to distil) or --from-scratch")
        if obs == "camera" and (resume or clone is not None):
            raise UserError("--resume and --clone work on features runs only")
        if minutes is None and steps is None and not resume:
            raise UserError("give --minutes M or --steps N")
        if teacher is not None:
            _distill(
                teacher,
                reward,
                name,
                minutes,
                steps,
                seed,
                envs,
                runs_dir,
                tracks_dir,
                until_lap,
                quiet,
                algo=algo,
                actions=actions,
                hp=list(hp),
                on_error=on_error,
                physics=physics,
                track=track,
            )
            return
        config = TrainConfig(
            reward=reward,
            track=track,
            algo=algo,
            actions=actions,
            steps=steps,
            minutes=minutes,
            name=name,
            runs_dir=runs_dir,
            tracks_dir=tracks_dir,
            seed=seed,
            envs=envs,
            hp=list(hp),
            clone=clone,
            resume=resume,
            on_error=on_error,
            physics=physics,
            until_lap=until_lap,
            eval_every=eval_every,
            observation=obs,
        )
        display = _LiveDisplay(steps, None if minutes is None else minutes * 60.0, quiet)
        if name is not None:
            display.run_hint = str(runs_dir / name / "checkpoints" / "last.zip")
        try:
            with display:
                result = train(config, display)
        except KeyboardInterrupt:
            where = display.run_hint or "the run folder"
            error_console.print(f"interrupted: saved {where}; continue with --resume", soft_wrap=True)
            raise typer.Exit(130) from None
        best = result.best
        lap = f"{best.lap_time:.2f} s" if best.lap_time is not None else "none"
        first = result.best.first_lap
        first_text = (
            f"; first evaluation lap after {first['steps']:,} steps, {first['wall_s']:.1f} s" if first else ""
        )
        skipped = f"; {result.skipped} reward failures scored 0" if result.skipped else ""
        console.print(
            f"{result.run.path}: {result.steps:,} steps ({result.stop_reason or 'done'}); best evaluation "
            f"{best.completion_pct:.1f} % completion, lap {lap}{first_text}{skipped}",
            soft_wrap=True,
        )

    @app.command("evaluate")
    def evaluate_cmd(
        run: Path = typer.Argument(..., help="Run folder (or name in --runs-dir)."),
        laps: int = typer.Option(3, help="Laps from evenly spaced starts (the first on the start line)."),
        track: str | None = typer.Option(None, "--track", "-t", help="Another track (default: the run's)."),
        checkpoint: str = typer.Option("best", help="best or last."),
        tracks_dir: Path | None = typer.Option(None, help="Folder of real .npy tracks."),
        runs_dir: Path = typer.Option(Path("runs"), help="Folder of the runs."),
        output_format: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """Drive a trained policy deterministically: laps, completion %, lap times, off-track count, and an
        evaluation SIM_TRACE_LOG in the run's logs/ folder."""
        if output_format not in ("text", "json"):
            raise UserError(f"--format must be text or json, got {output_format!r}")
        from trainer.evaluation import evaluate_run

        result = evaluate_run(run, laps, track, checkpoint, tracks_dir, runs_dir)
        if output_format == "json":
            print(json.dumps({"schema_version": 1, **result}, indent=2))
            return
        console.print(
            f"{result['run']} ({result['checkpoint']}, {result['steps']} steps) on {result['track']}: "
            f"{result['completed']}/{result['laps']} laps, completion {result['completion_pct']:.1f} %, "
            f"off track {result['off_track']}",
            soft_wrap=True,
        )
        for i, (status, progress, lap_time) in enumerate(
            zip(result["statuses"], result["progress"], result["lap_times"], strict=True)
        ):
            console.print(f"  lap {i + 1}: {status:<12} progress {progress:6.2f} %  time {lap_time:6.2f} s")
        console.print(f"evaluation log: {result['simtrace']}", soft_wrap=True)

    @app.command("runs")
    def runs_cmd(
        runs_dir: Path = typer.Option(Path("runs"), help="Folder of the runs."),
        output_format: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """List training runs: track, algorithm, observation (features or camera), reward file, steps, best
        completion and lap time."""
        if output_format not in ("text", "json"):
            raise UserError(f"--format must be text or json, got {output_format!r}")
        from trainer.runs import list_runs

        runs = list_runs(runs_dir)
        if output_format == "json":
            print(json.dumps({"schema_version": 1, "runs": runs}, indent=2))
            return
        if not runs:
            console.print(f"no runs in {runs_dir}")
            return
        from rich.table import Table

        table = Table()
        for column in (
            "run",
            "track",
            "algo",
            "obs",
            "reward file",
            "steps",
            "best completion",
            "best lap",
            "status",
        ):
            table.add_column(
                column, justify="right" if column in ("steps", "best completion", "best lap") else "left"
            )
        for info in runs:
            best = info.get("best") or {}
            lap = best.get("lap_time")
            table.add_row(
                str(info.get("name")),
                str(info.get("track")),
                str(info.get("algo")),
                str(info.get("observation", "features")),
                str(info.get("reward_file")),
                f"{int(info.get('steps', 0)):,}",
                f"{float(best.get('completion_pct', 0.0)):.1f} %",
                f"{lap:.2f} s" if lap is not None else "-",
                str(info.get("status")),
            )
        console.print(table)


def _distill(
    teacher: Path,
    reward: Path | None,
    name: str | None,
    minutes: float | None,
    steps: int | None,
    seed: int,
    envs: int | None,
    runs_dir: Path,
    tracks_dir: Path | None,
    until_lap: bool,
    quiet: bool,
    **ignored: Any,
) -> None:
    """``reward train --obs camera --teacher RUN``: check the options that distillation fixes, run it, print the
    summary. ``ignored`` holds the options that must keep their defaults (the student copies the teacher's)."""
    if ignored["algo"] not in (None, "ppo"):
        raise UserError(
            "the camera student is a PPO policy: leave out --algo (the teacher may be PPO or SAC)"
        )
    if ignored["actions"] is not None:
        raise UserError("the camera student keeps the teacher's action space: leave out --actions")
    if ignored["hp"]:
        raise UserError("--hp is not used by distillation (the student learns the teacher's actions)")
    if ignored["track"] is not None:
        raise UserError("the camera student drives the teacher's track: leave out --track")
    if name is None:
        raise UserError("give --name NAME (the run goes to runs/NAME)")
    from trainer.distill import DistillConfig, distill

    config = DistillConfig(
        teacher=teacher,
        name=name,
        runs_dir=runs_dir,
        tracks_dir=tracks_dir,
        reward=reward,
        steps=steps,
        minutes=minutes,
        seed=seed,
        envs=envs or 8,
        until_lap=until_lap,
    )
    display = _LiveDisplay(steps, None if minutes is None else minutes * 60.0, quiet)
    display.run_hint = str(runs_dir / name / "checkpoints" / "last.zip")
    try:
        with display:
            result = distill(config, display)
    except KeyboardInterrupt:
        error_console.print(f"interrupted: saved {display.run_hint}", soft_wrap=True)
        raise typer.Exit(130) from None
    best = result.info.get("best") or {}
    lap = best.get("lap_time")
    teacher_lap = (result.info.get("teacher_eval") or {}).get("mean_lap_time")
    every = result.info.get("all_laps")
    every_text = f"; every start lapped after {every['wall_s']:.1f} s" if every else ""
    console.print(
        f"{result.run.path}: camera student, {result.steps:,} states in {result.rounds} rounds "
        f"({result.stop_reason or 'done'}); best evaluation {float(best.get('completion_pct', 0.0)):.1f} % "
        f"completion, lap {f'{lap:.2f} s' if lap is not None else 'none'} "
        f"(teacher {f'{teacher_lap:.2f} s' if teacher_lap is not None else 'none'}){every_text}",
        soft_wrap=True,
    )


class _LiveDisplay:
    """A rich progress line on stderr: steps or time with ETA, mean reward, progress, completion rate, best lap."""

    def __init__(self, total_steps: int | None, total_seconds: float | None, quiet: bool) -> None:
        self.total_steps, self.total_seconds, self.quiet = total_steps, total_seconds, quiet
        self.progress: Any = None
        self.task: Any = None
        self.stats = "starting…"
        self.run_hint = ""

    def __enter__(self) -> _LiveDisplay:
        if self.quiet:
            return self
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("[bold]train"),
            BarColumn(),
            TextColumn("{task.fields[steps]:>9} steps"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[stats]}"),
            console=error_console,
            transient=False,
        )
        self.progress.__enter__()
        total = self.total_steps if self.total_steps is not None else self.total_seconds
        self.task = self.progress.add_task("train", total=total, steps="0", stats=self.stats)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(None, None, None)

    def update(self, steps: int, elapsed_s: float, iteration: dict[str, Any] | None) -> None:
        if iteration is not None:
            self.stats = _stats(iteration)
        if self.progress is None:
            return
        completed = steps if self.total_steps is not None else elapsed_s
        self.progress.update(self.task, completed=completed, steps=f"{steps:,}", stats=self.stats)


def _stats(entry: dict[str, Any]) -> str:
    def fmt(value: Any, spec: str, unit: str = "") -> str:
        return "-" if value is None else f"{value:{spec}}{unit}"

    best = entry.get("best_lap_time")
    return (
        f"reward {fmt(entry.get('mean_reward'), '.1f')} · progress {fmt(entry.get('mean_progress'), '.0f', ' %')} · "
        f"laps {fmt(entry.get('completion_rate'), '.0%')} · eval {entry['eval']['completion_pct']:.0f} % · "
        f"best lap {fmt(best, '.2f', ' s')}"
    )
