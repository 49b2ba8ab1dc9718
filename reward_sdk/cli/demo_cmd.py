"""``reward demo``: the whole loop on built-in defaults (what ``make demo`` runs).

Each stage prints a header and its result; a stage whose package is not installed is reported and skipped, so
the demo always shows how far the installed pipeline goes. Outputs go to ``--out`` (default ``demo-out/``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import typer

from reward_sdk.cli.common import console

Stage = Callable[[Path], None]


def _stage_params(out: Path) -> None:
    from reward_sdk.cli.params_cmd import params_command

    params_command(json_schema=False)


def _stage_tracks(out: Path) -> None:
    from reward_sdk.cli.tracks_cmd import tracks_command

    tracks_command(directory=None, output_format="text")


def _stage_call(out: Path) -> None:
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


def _stage_lint(out: Path) -> None:
    from reward_sdk.atomic import write_text_atomic
    from reward_sdk.cli.lint_cmd import lint_command
    from reward_sdk.examples import example_path

    zigzag = write_text_atomic(out / "rewards_zigzag.py", ZIGZAG_REWARD)
    for path in (example_path("penalize_zigzag"), zigzag):
        console.print(f"[bold]reward lint {path.name} --aws --states 300[/bold]")
        with contextlib.suppress(typer.Exit):  # findings (exit 1) are the point of this step
            lint_command(
                files=[path],
                aws=True,
                states=300,
                no_runtime=False,
                no_audit=False,
                select=[],
                ignore=[],
                output_format="text",
                explain=None,
            )


def _stage_drive(out: Path) -> None:
    from reward_sdk.cli.sim_cmd import run_drive
    from reward_sdk.examples import example_path

    for driver in ("centre", "weave"):
        log = out / f"sim-{driver}.log"
        summaries = run_drive("club", None, driver, 1.5, 2, False, example_path("follow_center_line"), log)
        for summary in summaries:
            console.print(
                f"club circuit, {driver:<6} driver, episode {summary['episode']}: {summary['status']:<12} "
                f"lap time {summary['lap_time']:.2f} s, reward {summary['reward_sum']:.1f}",
                soft_wrap=True,
            )
        console.print(f"[dim]wrote {log} (SIM_TRACE_LOG, 17 fields)[/dim]")


def _stage_replay(out: Path) -> None:
    from reward_sdk.cli.replay_cmd import replay_command
    from reward_sdk.examples import example_path

    replay_command(
        logs=[out / "sim-centre.log", out / "sim-weave.log"],
        track="club",
        tracks_dir=None,
        reward=example_path("penalize_zigzag"),
        compare=None,
        plot=out / "replay.png",
        output_format="text",
    )


STAGES: list[tuple[str, Stage]] = [
    ("1. the params a reward function receives", _stage_params),
    ("2. tracks", _stage_tracks),
    ("3. calling example reward functions in the sandbox", _stage_call),
    ("4. linting: a good example and a reward that pays for zig-zag", _stage_lint),
    ("5. driving the simulator: smooth vs weaving driver, centre-line reward in the sandbox", _stage_drive),
    ("6. replaying those runs: re-score with penalize_zigzag.py, flags, heat map", _stage_replay),
]
"""Demo stages in pipeline order; later stages (lint, replay, train, edge) append themselves here."""


def demo_command(
    out: Path = typer.Option(Path("demo-out"), "--out", help="Folder for files the demo writes."),
) -> None:
    """Run the whole pipeline on built-in defaults: params, tracks, sandboxed call, and every later stage."""
    out.mkdir(parents=True, exist_ok=True)
    for title, stage in STAGES:
        console.rule(f"[bold]{title}")
        stage(out)
    console.rule("[bold green]demo complete")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
