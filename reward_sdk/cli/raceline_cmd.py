"""``reward raceline``: the racing line of a track, its speed profile and lap time; PNG, reward and actions.

The logic lives in :mod:`reward_sdk.raceline` (imported inside the command, so ``reward --help`` stays fast).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from reward_sdk.cli.common import console
from reward_sdk.errors import UserError

METHOD_NAMES = ("min-curvature", "k1999")  # reward_sdk.raceline.METHODS (not imported: keeps --help fast)
FORMATS = ("text", "json")
PHYSICS_NAMES = ("droa-2026", "drfc-2022")  # the keys of reward_sdk.sim.car.PHYSICS_PROFILES
JSON_VERSION = 1

RACELINE_HELP = """Compute the racing line of TRACK inside a safety margin, its speed profile and lap time.

The line stays --margin m from both borders (checked with shapely on every point). min-curvature minimises the
sum of squared curvatures (bounded linear least squares with scipy, re-linearised a few times, peak curvature
bounded); k1999 smooths the line until each point's curvature is the mean of its neighbours'. The speed profile
comes from the calibrated car (--physics): top speed, a usable lateral acceleration (a share of the tyres'
saturation) and the acceleration/braking limits on a friction ellipse, with forward and backward passes; the
predicted lap time is a flying lap.

--out writes a PNG of the line coloured by speed over the track borders. --emit-reward writes a self-contained
reward function (imports math only) that pays for being near the line at its target speed and for progress per
step; it lints clean. --emit-actions writes a model_metadata.json whose discrete actions are k-means clusters of
the line's (steering, speed) pairs, mirrored. --drive also drives the line in the simulator and compares it
with the fastest centre-line driver.

JSON output (--format json): {"version": 1, "track", "method", "margin_m", "points", "length_m",
"centre_length_m", "lap_time_s", "centre_lap_time_s", "min_clearance_m", "peak_curvature_per_m",
"speed_min_mps", "speed_max_mps", "limits": {...}, "written": {"png"|"reward"|"actions": path},
"drive": {"raceline_lap_s", "raceline_status", "centre_lap_s", "centre_speed_mps"} (with --drive)}.
"""
# one line per paragraph: the help formatter keeps hard line breaks inside a paragraph
RACELINE_HELP = "\n\n".join(" ".join(part.split("\n")) for part in RACELINE_HELP.strip().split("\n\n"))


def register(app: typer.Typer) -> None:
    """Add ``raceline`` to the main ``reward`` app."""

    @app.command("raceline", help=RACELINE_HELP)
    def raceline_cmd(
        track: str = typer.Argument(..., help="Built-in name, .npy path or file stem in --tracks-dir."),
        method: str = typer.Option("min-curvature", help="min-curvature or k1999."),
        margin: float = typer.Option(
            0.15, help="Metres kept between the line and the borders (>= 0; the wheels sit 0.08 m beside it)."
        ),
        out: Path | None = typer.Option(None, "--out", help="Write a PNG of the line coloured by speed."),
        emit_reward: Path | None = typer.Option(None, help="Write a reward function that follows the line."),
        emit_actions: Path | None = typer.Option(
            None, help="Write a model_metadata.json with actions clustered from the line."
        ),
        actions: int = typer.Option(7, "--actions", help="k-means clusters for --emit-actions (1-20)."),
        tracks_dir: Path | None = typer.Option(None, help="Folder of real .npy tracks ($REWARD_TRACKS_DIR)."),
        reverse_track: bool = typer.Option(False, "--reverse", help="Drive the track the other way round."),
        physics: str = typer.Option("droa-2026", help=f"Car model: {', '.join(PHYSICS_NAMES)}."),
        drive: bool = typer.Option(
            False, "--drive", help="Also drive the line and the centre line in the sim."
        ),
        output_format: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        result = run_raceline(
            track,
            method=method,
            margin=margin,
            out=out,
            emit_reward=emit_reward,
            emit_actions=emit_actions,
            actions=actions,
            tracks_dir=tracks_dir,
            reverse_track=reverse_track,
            physics=physics,
            drive=drive,
            output_format=output_format,
        )
        if output_format == "json":
            print(json.dumps(result, indent=2))
        else:
            _print_text(result)


def run_raceline(
    track_name: str,
    *,
    method: str = "min-curvature",
    margin: float = 0.15,
    out: Path | None = None,
    emit_reward: Path | None = None,
    emit_actions: Path | None = None,
    actions: int = 7,
    tracks_dir: Path | None = None,
    reverse_track: bool = False,
    physics: str = "droa-2026",
    drive: bool = False,
    output_format: str = "text",
) -> dict[str, Any]:
    """Compute the line, write the requested files (atomically) and return the JSON body (see the help).

    :raises UserError: unknown track/method/physics/format, bad margin or cluster count (before any work).
    """
    if output_format not in FORMATS:
        raise UserError(f"--format must be text or json, got {output_format!r}")
    if method not in METHOD_NAMES:
        raise UserError(f"unknown --method {method!r}: choose one of {', '.join(METHOD_NAMES)}")
    if not 1 <= actions <= 20:
        raise UserError(f"--actions must be between 1 and 20, got {actions}")
    from reward_sdk.raceline import racing_line
    from reward_sdk.raceline.build import check_margin
    from reward_sdk.sim.car import physics_profile
    from reward_sdk.tracks import resolve_track

    try:
        car = physics_profile(physics)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for option, path in (("--out", out), ("--emit-reward", emit_reward), ("--emit-actions", emit_actions)):
        if path is not None and path.is_dir():
            raise UserError(f"{option} {path}: is a folder, give a file name")
    track = resolve_track(track_name, tracks_dir)
    if reverse_track:
        track = track.reversed()
    check_margin(track, margin)
    line = racing_line(track, method, margin, car)
    result: dict[str, Any] = {"version": JSON_VERSION, **line.summary(), "written": {}}
    if out is not None:
        from reward_sdk.raceline.plot import write_png

        result["written"]["png"] = str(write_png(line, out))
    if emit_reward is not None:
        from reward_sdk.raceline.emit import write_reward

        result["written"]["reward"] = str(write_reward(line, emit_reward))
    if emit_actions is not None:
        from reward_sdk.raceline.emit import write_actions

        result["written"]["actions"] = str(write_actions(line, emit_actions, actions))
    if drive:
        from reward_sdk.raceline.laps import best_centre_laps, racing_line_laps

        own, centre = racing_line_laps(line, car=car), best_centre_laps(track, car=car)
        result["drive"] = {
            "raceline_lap_s": None if own.best is None else round(own.best, 4),
            "raceline_status": own.statuses[0],
            "centre_lap_s": None if centre.best is None else round(centre.best, 4),
            "centre_speed_mps": round(centre.speed, 2),
        }
    return result


def _print_text(result: dict[str, Any]) -> None:
    limits = result["limits"]
    console.print(
        f"{result['track']}: {result['method']} line, margin {result['margin_m']:g} m, {result['points']} points, "
        f"{result['length_m']:.2f} m (centre line {result['centre_length_m']:.2f} m)",
        soft_wrap=True,
    )
    console.print(
        f"predicted lap {result['lap_time_s']:.2f} s (centre line at the same limits {result['centre_lap_time_s']:.2f} s); "
        f"speeds {result['speed_min_mps']:.2f}-{result['speed_max_mps']:.2f} m/s; closest to a border "
        f"{result['min_clearance_m']:.3f} m; peak curvature {result['peak_curvature_per_m']:.2f} /m",
        soft_wrap=True,
    )
    console.print(
        f"car limits: top {limits['top_speed_mps']:.2f} m/s, lateral {limits['lateral_mps2']:.2f} m/s², "
        f"accel {limits['accel_mps2']:.1f} m/s², braking {limits['decel_mps2']:.1f} m/s²",
        soft_wrap=True,
    )
    drive = result.get("drive")
    if drive:
        own = "did not finish" if drive["raceline_lap_s"] is None else f"{drive['raceline_lap_s']:.2f} s"
        centre = (
            "none finished"
            if drive["centre_lap_s"] is None
            else f"{drive['centre_lap_s']:.2f} s at {drive['centre_speed_mps']:.1f} m/s"
        )
        console.print(f"simulator lap from a standing start: racing line {own}, best centre line {centre}")
    for kind, path in result["written"].items():
        console.print(f"wrote {kind}: {path}", soft_wrap=True)
