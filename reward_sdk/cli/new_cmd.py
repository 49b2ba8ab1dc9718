"""``reward new``: start a reward function from one of the examples."""

from __future__ import annotations

from pathlib import Path

import typer


def new_command(
    file: Path = typer.Argument(..., help="File to create."),
    template: str = typer.Option("follow_center_line", "--template", "-t", help="Example to start from."),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
) -> None:
    """Create FILE from an example reward function.

    Templates: follow_center_line, stay_inside_borders, penalize_zigzag, speed_center_line, waypoint_heading.
    """
    from reward_sdk.atomic import write_text_atomic
    from reward_sdk.errors import UserError
    from reward_sdk.examples import example_source

    if file.exists() and not force:
        raise UserError(f"{file}: already exists (use --force to overwrite)")
    write_text_atomic(file, example_source(template))
    typer.echo(f"created {file} from template '{template}'; try: reward call {file}")


def register(app: typer.Typer) -> None:
    app.command("new")(new_command)
