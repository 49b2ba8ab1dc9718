"""``reward replay``: read real DeepRacer logs, match the track, re-score, flag behaviours, plot."""

from __future__ import annotations

from pathlib import Path

import typer


def replay_command(
    logs: list[Path] = typer.Argument(
        ...,
        help="Logs: robomaker/simulation .log, simtrace .csv (either may be .gz), console .tar.gz exports, "
        "or folders (DRfC model folders with one or several workers, evaluation folders).",
    ),
    track: str | None = typer.Option(
        None, "--track", help="Track name, .npy path or file stem in the tracks folder (default: matched)."
    ),
    tracks_dir: Path | None = typer.Option(
        None,
        "--tracks-dir",
        help="Folder of .npy tracks to match against (default: $REWARD_TRACKS_DIR).",
        file_okay=False,
    ),
    reward: Path | None = typer.Option(None, "--reward", help="Reward function to re-score every step with."),
    compare: Path | None = typer.Option(None, "--compare", help="Second reward function shown side by side."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write a PNG: reward heat maps + per-waypoint profile."
    ),
    output_format: str = typer.Option("text", "--format", help="text, json or csv."),
    on_error: str = typer.Option(
        "skip",
        "--on-error",
        help="When --reward/--compare fails on a step: skip (NaN, counted, left out of the sums) or stop "
        "(describe the step, exit 1).",
    ),
    time_budget: float | None = typer.Option(
        None,
        "--time-budget",
        help="Wall-time budget in seconds for all re-scoring (default: 10 ms per step, at least 60 s); "
        "past it the command stops with exit 2.",
    ),
) -> None:
    """Replay real logs: per-episode summary, behaviour flags, re-scoring and a reward heat map.

    Reads every log variant (SIM_TRACE_LOG with 15/16/17/19 fields, simtrace CSVs, console exports, DRfC
    folders) into one table, picks the track (--track, or by matching the logged track length and the X/Y
    points against the .npy files in --tracks-dir / $REWARD_TRACKS_DIR) and prints one row per episode with its
    flags: zigzag (steering/heading oscillation), offtrack (where), reversed, slide (heading vs direction of
    travel), lap (completed, with lap time).

    --reward FILE re-runs FILE (in the sandbox) on every step with params rebuilt from the log; --compare FILE
    adds a second function and lists the episodes where the two disagree most. Evaluation logs are always
    scored by the simulator's default centre-line function, so for them a fidelity line reports how many logged
    rewards the rebuilt params reproduce.

    A step where a re-scored function raises, returns a bad value, times out or kills its worker gets NaN,
    is left out of the sums and counted; the first one is shown with its episode, step, waypoints and params
    (--on-error stop: stop there, exit 1). Re-scoring as a whole stops after --time-budget seconds (exit 2).

    Output: text (default), or --format json / csv, both with a schema_version field (and the failure counts).
    Bad input (missing path, unreadable file, no SIM_TRACE lines) prints one line and exits with code 2.

    Example: reward replay sample-drfc-1-logs/ --tracks-dir tracks/ --reward my_reward.py --plot out.png
    """
    from reward_sdk.cli.common import console
    from reward_sdk.errors import UserError

    if output_format not in ("text", "json", "csv"):
        raise UserError(f"--format must be text, json or csv, got '{output_format}'")
    if on_error not in ("skip", "stop"):
        raise UserError(f"--on-error must be skip or stop, got '{on_error}'")
    if time_budget is not None and not 0.0 < time_budget < float("inf"):
        raise UserError(f"--time-budget must be a positive number of seconds, got {time_budget:g}")
    for path in (reward, compare):
        if path is not None and not path.is_file():
            raise UserError(f"{path}: no such reward-function file")

    from replay.pipeline import run_replay
    from replay.report import describe_params, render_text, to_csv, to_json
    from replay.rescore import RescoreStopped

    try:
        outcome = run_replay(
            logs,
            track=track,
            tracks_dir=tracks_dir,
            reward=reward,
            compare=compare,
            on_error=on_error,
            time_budget=time_budget,
        )
    except RescoreStopped as exc:
        lines = [f"error: re-scoring stopped (--on-error stop): {exc}", *describe_params(exc.failure.params)]
        typer.echo("\n".join(lines), err=True)
        raise typer.Exit(1) from None
    if plot is not None:
        if not outcome.groups:
            raise UserError("--plot needs a track: pass --track NAME or --tracks-dir DIR")
        from replay.plot import plot_replay

        group = outcome.groups[0]
        rows = group.rows
        plot_replay(
            plot,
            outcome.result.log.steps.iloc[rows],
            group.choice.track,
            None if outcome.new_reward is None else outcome.new_reward[rows],
            None if outcome.other_reward is None else outcome.other_reward[rows],
            new_name=reward.name if reward else "new reward",
            other_name=compare.name if compare else "compare",
        )
    if output_format == "json":
        typer.echo(to_json(outcome.result))
    elif output_format == "csv":
        typer.echo(to_csv(outcome.result), nl=False)
    else:
        render_text(outcome.result, console)
        if plot is not None:
            console.print(f"wrote {plot}")


def register(app: typer.Typer) -> None:
    """Add the ``replay`` command to the ``reward`` app."""
    app.command("replay")(replay_command)
