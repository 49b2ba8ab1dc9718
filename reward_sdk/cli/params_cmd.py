"""``reward params``: the table of the 27 input parameters, or their JSON Schema."""

from __future__ import annotations

import json

import typer


def params_command(
    json_schema: bool = typer.Option(
        False, "--json-schema", help="Print the JSON Schema instead of the table."
    ),
) -> None:
    """Show every key of the params dict: name, type, unit and meaning.

    The table and the schema are generated from the Pydantic model reward_sdk.params.RewardParams, which also
    validates params given to `reward call --params`. Units: m, m/s, deg (CCW positive), % and counts; x/y are
    the car's front point 0.14 m ahead of its origin.
    """
    from reward_sdk.params import PARAM_NAMES, RewardParams, param_type_name, param_unit, params_json_schema

    if json_schema:
        typer.echo(json.dumps(params_json_schema(), indent=2))
        return
    from rich.table import Table

    from reward_sdk.cli.common import console

    table = Table(title=f"reward_function(params): {len(PARAM_NAMES)} keys", show_lines=False)
    table.add_column("key", style="bold cyan", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("meaning")
    for name in PARAM_NAMES:
        description = RewardParams.model_fields[name].description or ""
        table.add_row(name, param_type_name(name), param_unit(name), description)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("params")(params_command)
