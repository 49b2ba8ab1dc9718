"""``reward tracks``: built-in tracks plus every loadable ``.npy`` track in a directory."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def tracks_command(
    directory: Path | None = typer.Option(
        None,
        "--dir",
        help="Folder of DeepRacer .npy route files (default: $REWARD_TRACKS_DIR).",
        file_okay=False,
    ),
    output_format: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """List tracks with length, width, waypoint count and direction.

    Built-in tracks (drawn by reward-sdk) come first, then every .npy file in --dir or $REWARD_TRACKS_DIR.
    Files that fail validation are listed with the reason instead of stopping the listing.
    """
    from reward_sdk.errors import UserError
    from reward_sdk.tracks import Track, iter_tracks, tracks_dir_from_env

    if output_format not in ("text", "json"):
        raise UserError(f"--format must be text or json, got '{output_format}'")
    source_dir = directory if directory is not None else tracks_dir_from_env()
    rows: list[dict[str, object]] = []
    for item in iter_tracks(source_dir):
        if isinstance(item, Track):
            rows.append(
                {
                    "name": item.name,
                    "source": str(item.source) if item.source else "built-in",
                    "length_m": round(item.length, 3),
                    "width_m": round(item.width, 3),
                    "waypoints": len(item.center),
                    "loop": item.is_loop,
                    "direction": item.direction,
                    "duplicate_points": item.duplicate_point_count,
                }
            )
        else:
            rows.append({"name": None, "error": str(item)})
    if output_format == "json":
        typer.echo(json.dumps({"schema_version": 1, "tracks": rows}, indent=2))
        return
    from rich.table import Table

    from reward_sdk.cli.common import console

    table = Table(title="tracks" + (f" (built-in + {source_dir})" if source_dir else " (built-in)"))
    for column in ("name", "length m", "width m", "waypoints", "loop", "direction", "source"):
        numeric = column.endswith(("m", "waypoints"))
        table.add_column(column, justify="right" if numeric else "left", no_wrap=column == "name")
    for row in rows:
        if "error" in row:
            table.add_row("[red]invalid[/red]", "", "", "", "", "", f"[red]{row['error']}[/red]")
            continue
        table.add_row(
            str(row["name"]),
            f"{row['length_m']:.2f}",
            f"{row['width_m']:.3f}",
            str(row["waypoints"]),
            "yes" if row["loop"] else "open",
            str(row["direction"]),
            "built-in" if row["source"] == "built-in" else "file",
        )
    console.print(table)
    if source_dir is None:
        console.print("[dim]Add real tracks with --dir DIR or REWARD_TRACKS_DIR=DIR.[/dim]")


def register(app: typer.Typer) -> None:
    app.command("tracks")(tracks_command)
