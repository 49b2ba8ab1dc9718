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

    Output: text (default), or --format json / csv, both with a schema_version field. Bad input (missing path,
    unreadable file, no SIM_TRACE lines) prints one line and exits with code 2.

    Example: reward replay sample-drfc-1-logs/ --tracks-dir tracks/ --reward my_reward.py --plot out.png
    """
    from reward_sdk.cli.common import console
    from reward_sdk.errors import UserError

    if output_format not in ("text", "json", "csv"):
        raise UserError(f"--format must be text, json or csv, got '{output_format}'")
    for path in (reward, compare):
        if path is not None and not path.is_file():
            raise UserError(f"{path}: no such reward-function file")

    from replay.pipeline import run_replay
    from replay.report import render_text, to_csv, to_json

    outcome = run_replay(logs, track=track, tracks_dir=tracks_dir, reward=reward, compare=compare)
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
