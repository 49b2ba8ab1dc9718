"""``reward demo``: the whole loop on built-in defaults (what ``make demo`` runs).

Stages, in pipeline order (:data:`STAGES`): the params, the tracks, sandboxed calls, lint with the incentive audit
(a good example and a reward that pays for zig-zag), scripted drives in the simulator and their replay, PPO
training until the first lap (``trainer``), evaluation over 3 laps, replay of the training SIM_TRACE_LOG with a
heat map, export to OpenVINO FP32/FP16/INT8 and a lap driven by the INT8 model (``edge``).

Each stage prints a numbered header and its result. A stage that fails prints one line (``stage N (key) failed:
...``) and the demo goes on; a stage whose extra is not installed (or whose input an earlier failure did not
produce) is skipped with a note. Everything goes to ``--out`` (default ``demo-output/``); at the end
``summary.md`` (written atomically) gives the completed lap, the replay flags, the edge table and each stage's wall
time. Exit code: 0, or 1 when any stage failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from reward_sdk.cli.common import STATE, console, error_console
from reward_sdk.cli.demo_edge import stage_edge_drive, stage_edge_export
from reward_sdk.cli.demo_loop import replay_logs, stage_evaluate, stage_replay_training, stage_train
from reward_sdk.cli.demo_report import (
    FAILED,
    OK,
    SKIPPED,
    DemoState,
    StageResult,
    StageSkipError,
    write_summary,
)

StageFunction = Callable[[DemoState], dict[str, Any] | None]


@dataclass(frozen=True)
class Stage:
    """One demo stage: ``key`` (names it in summary.md's data), ``title`` (its header), ``run``."""

    key: str
    title: str
    run: StageFunction


def invoke(command: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a Typer command function directly: parameters not given take their declared defaults (a Typer
    ``Option``/``Argument`` default is replaced by its value), so a command that gains an option keeps working."""
    import inspect

    from typer.models import ParameterInfo

    for name, parameter in inspect.signature(command).parameters.items():
        if name not in kwargs:
            default = parameter.default
            kwargs[name] = default.default if isinstance(default, ParameterInfo) else default
    return command(**kwargs)


def _stage_params(state: DemoState) -> None:
    from reward_sdk.cli.params_cmd import params_command

    invoke(params_command, json_schema=False)


def _stage_tracks(state: DemoState) -> None:
    from reward_sdk.cli.tracks_cmd import tracks_command

    invoke(tracks_command, directory=None, output_format="text")


def _stage_call(state: DemoState) -> None:
    from reward_sdk.examples import example_path
    from reward_sdk.samples import sample_params
    from sandbox import RewardSandbox

    params = sample_params()
    for name in ("follow_center_line", "penalize_zigzag", "waypoint_heading"):
        path = example_path(name)
        with RewardSandbox(path.read_text(encoding="utf-8"), filename=str(path)) as sandbox:
            reward = sandbox.score(params)
        console.print(
            f"reward_function from examples/{path.name} (sandboxed) → [bold green]{reward:.4f}[/bold green]"
        )
    console.print(
        f"[dim]state: club circuit, progress {params['progress']:.1f} %, "
        f"{params['distance_from_center']:.3f} m from centre, speed {params['speed']} m/s, "
        f"steering {params['steering_angle']}°[/dim]"
    )


ZIGZAG_REWARD = '''"""A reward that (by mistake) pays for steering hard: the audit catches it."""


def reward_function(params):
    if params["is_offtrack"]:
        return 1e-3
    return 1.0 + (1.0 if abs(params["steering_angle"]) > 15 else 0.0)
'''


def _stage_lint(state: DemoState) -> dict[str, Any]:
    """``reward lint --aws --states 300`` on the penalize_zigzag example and on :data:`ZIGZAG_REWARD` (whose
    audit must flag the zig-zag incentive); returns each file's finding codes and AWS verdict."""
    from reward_sdk.atomic import write_text_atomic
    from reward_sdk.examples import example_path
    from reward_sdk.lint.config import load_config
    from reward_sdk.lint.engine import lint_source
    from reward_sdk.lint.registry import select_rules
    from reward_sdk.lint.reporters import render

    zigzag = write_text_atomic(state.out / "rewards_zigzag.py", ZIGZAG_REWARD)
    files = []
    for path in (example_path("penalize_zigzag"), zigzag):
        console.print(f"[bold]reward lint {path.name} --aws --states 300[/bold]")
        config = load_config(path)
        config.states = 300
        report = lint_source(
            path.read_text(encoding="utf-8"),
            str(path),
            config,
            select_rules(config.select, config.ignore),
            aws=True,
        )
        typer.echo(render([report], "text"))
        verdict = None
        if report.aws is not None:
            verdict = "pass" if report.aws.passed else f"fail: {report.aws.message}"
        files.append({"file": path.name, "codes": sorted({f.code for f in report.findings}), "aws": verdict})
    return {"files": files}


def _stage_drive(state: DemoState) -> None:
    from reward_sdk.cli.sim_cmd import run_drive
    from reward_sdk.examples import example_path

    for driver in ("centre", "weave"):
        log = state.out / f"sim-{driver}.log"
        summaries = run_drive(
            state.track, None, driver, 1.5, 2, False, example_path("follow_center_line"), log
        )
        for summary in summaries:
            console.print(
                f"{state.track}, {driver:<6} driver, episode {summary['episode']}: {summary['status']:<12} "
                f"lap time {summary['lap_time']:.2f} s, reward {summary['reward_sum']:.1f}",
                soft_wrap=True,
            )
        console.print(f"[dim]wrote {log} (SIM_TRACE_LOG, 17 fields)[/dim]")


def _stage_replay(state: DemoState) -> dict[str, Any]:
    from reward_sdk.examples import example_path

    logs = [state.out / "sim-centre.log", state.out / "sim-weave.log"]
    for log in logs:
        if not log.is_file():
            raise StageSkipError(f"needs {log.name} (the drive stage did not write it)")
    return replay_logs(logs, state.track, example_path("penalize_zigzag"), state.out / "replay.png")


STAGES: list[Stage] = [
    Stage("params", "the params a reward function receives", _stage_params),
    Stage("tracks", "tracks", _stage_tracks),
    Stage("call", "calling example reward functions in the sandbox", _stage_call),
    Stage(
        "lint", "linting: a good example and a reward that pays for zig-zag (incentive audit)", _stage_lint
    ),
    Stage(
        "drive",
        "driving the simulator: smooth vs weaving driver, centre-line reward in the sandbox",
        _stage_drive,
    ),
    Stage("replay", "replaying those runs: re-score with penalize_zigzag.py, flags, heat map", _stage_replay),
    Stage("train", "training PPO until the first lap (progress example, built-in track)", stage_train),
    Stage("evaluate", "evaluating the best checkpoint: 3 laps from evenly spaced starts", stage_evaluate),
    Stage("replay_training", "replaying the training log: flags and reward heat map", stage_replay_training),
    Stage("edge_export", "exporting to OpenVINO FP32 / FP16 / INT8: accuracy and latency", stage_edge_export),
    Stage("edge_drive", "driving a lap with the INT8 model", stage_edge_drive),
]
"""Demo stages in pipeline order."""

EXTRAS = {
    "torch": "train",
    "stable_baselines3": "train",
    "gymnasium": "train",
    "tensorboard": "train",
    "openvino": "edge",
    "nncf": "edge",
    "onnx": "edge",
    "onnxruntime": "edge",
    "flake8": "aws",
}
"""Top-level module → the extra that installs it (a stage failing to import one is skipped, not failed)."""


def _one_line(exc: BaseException) -> str:
    """``exc`` as one line: the message of the SDK's own errors, ``Type: message`` for anything else."""
    from reward_sdk.errors import UserError

    text = str(exc).strip()
    try:
        from sandbox.errors import SandboxError

        own: tuple[type[BaseException], ...] = (UserError, SandboxError)
    except ImportError:
        own = (UserError,)
    if not isinstance(exc, own):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if len(first) <= 300 else first[:297] + "..."


def run_stage(number: int, total: int, stage: Stage, state: DemoState) -> StageResult:
    """Run one stage under a numbered header and time it.

    :returns: its :class:`StageResult`: ``ok`` with the stage's data; ``skipped`` (:class:`StageSkipError`, or a
        module of an uninstalled extra missing) with the reason; ``failed`` (any other exception, or a non-zero
        ``typer.Exit``) with a one-line note, also printed on stderr (``--verbose`` adds the traceback).
        ``KeyboardInterrupt`` is not caught.
    """
    console.rule(f"[bold]{number}/{total} · {stage.title}")
    begin = time.perf_counter()
    data: dict[str, Any] = {}
    status, note = OK, ""
    try:
        data = stage.run(state) or {}
    except StageSkipError as exc:
        status, note = SKIPPED, str(exc)
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is not None:
            status, note = (
                SKIPPED,
                f"the [{extra}] extra is not installed (pip install 'reward-sdk[{extra}]')",
            )
        else:
            status, note = FAILED, _one_line(exc)
    except typer.Exit as exc:
        if exc.exit_code:
            status, note = FAILED, f"exit code {exc.exit_code}"
    except Exception as exc:
        status, note = FAILED, _one_line(exc)
        if STATE.verbose:
            console.print_exception()
    wall = time.perf_counter() - begin
    if status == FAILED:
        error_console.print(f"stage {number} ({stage.key}) failed: {note}", markup=False, soft_wrap=True)
    elif status == SKIPPED:
        console.print(f"[yellow]skipped:[/yellow] {note}", soft_wrap=True)
    return StageResult(stage.key, stage.title, status, wall, note, data)


def _print_table(results: list[StageResult]) -> None:
    from rich.table import Table

    table = Table(title="reward demo")
    for column in ("#", "stage", "status", "wall time"):
        table.add_column(column, justify="right" if column in ("#", "wall time") else "left")
    colour = {OK: "green", FAILED: "red", SKIPPED: "yellow"}
    for i, result in enumerate(results):
        table.add_row(
            str(i + 1),
            result.key,
            f"[{colour[result.status]}]{result.status}[/]",
            f"{result.wall_s:.1f} s",
        )
    console.print(table)


def run_demo(state: DemoState, stages: list[Stage] | None = None) -> list[StageResult]:
    """Run ``stages`` (default :data:`STAGES`) in order on ``state``, write ``<out>/summary.md`` after every
    stage (so an interrupted demo still leaves one), print the stage table; return the results."""
    chosen = STAGES if stages is None else stages
    state.out.mkdir(parents=True, exist_ok=True)
    begin = time.perf_counter()
    results: list[StageResult] = []
    summary = state.out / "summary.md"
    for number, stage in enumerate(chosen, start=1):
        results.append(run_stage(number, len(chosen), stage, state))
        write_summary(summary, results, out=state.out, total_s=time.perf_counter() - begin)
    _print_table(results)
    console.print(f"summary: {summary}", soft_wrap=True)
    return results


def demo_command(
    out: Path = typer.Option(Path("demo-output"), "--out", help="Folder for files the demo writes."),
    track: str = typer.Option("club", "--track", help="Built-in track to train, evaluate and drive on."),
    steps: int = typer.Option(
        60_000, "--steps", min=1, help="Step cap of the training run (it stops at its first evaluation lap)."
    ),
    minutes: float = typer.Option(4.0, "--minutes", help="Wall-time cap of the training run, minutes."),
) -> None:
    """Run the whole loop on built-in defaults: params, tracks, sandbox, lint and audit, simulator, replay,
    PPO training to a first lap, evaluation, replay of the training log, OpenVINO export and an INT8 lap.

    Results go to OUT (default demo-output/), with OUT/summary.md. A failing stage prints one line and the demo
    goes on; stages whose extra is not installed are skipped. Exit code 1 when any stage failed.
    """
    from reward_sdk.builtin_tracks import builtin_track_names
    from reward_sdk.errors import UserError

    names = builtin_track_names()
    if track not in names:
        raise UserError(f"--track must be a built-in track ({', '.join(names)}), got {track!r}")
    if not 0.0 < minutes < float("inf"):
        raise UserError(f"--minutes must be a positive number, got {minutes:g}")
    state = DemoState(out=out, track=track, train_steps=steps, train_minutes=minutes)
    results = run_demo(state)
    failed = [r for r in results if r.status == FAILED]
    if failed:
        console.rule(f"[bold red]demo finished: {len(failed)} stage(s) failed")
        raise typer.Exit(1)
    console.rule("[bold green]demo complete")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
