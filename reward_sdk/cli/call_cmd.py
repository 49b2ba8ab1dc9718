"""``reward call``: run a reward function once, in the sandbox, and print the reward."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from reward_sdk.errors import ParamsError
from reward_sdk.reward_file import read_reward_source


def read_params_option(value: str) -> dict[str, Any]:
    """``--params`` value: inline JSON, ``-`` for stdin, or the path of a JSON file."""
    if value == "-":
        text, origin = sys.stdin.read(), "stdin"
    elif value.lstrip().startswith("{"):
        text, origin = value, "--params"
    else:
        path = Path(value)
        if not path.is_file():
            raise ParamsError(f"--params: '{value}' is neither a JSON object nor an existing file")
        text, origin = path.read_text(encoding="utf-8"), str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParamsError(
            f"{origin}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise ParamsError(f"{origin}: params must be a JSON object, got {type(data).__name__}")
    return data


def call_command(
    file: Path = typer.Argument(..., help="Python file defining reward_function(params)."),
    params: str | None = typer.Option(
        None,
        "--params",
        "-p",
        help="Params as inline JSON, a JSON file, or - for stdin. Keys you omit come from a sample state.",
    ),
    track: str | None = typer.Option(
        None, "--track", help="Track for the sample state (built-in name or .npy)."
    ),
    timeout: float = typer.Option(1.0, "--timeout", help="Wall-clock limit for the call, seconds.", min=0.01),
    show_params: bool = typer.Option(
        False, "--show-params", help="Also print the params dict that was used."
    ),
) -> None:
    """Run FILE's reward_function once inside the sandbox and print the reward.

    Without --params the function sees a realistic state: a car 10 % round the built-in club circuit (or
    --track), 0.1 m left of the centre line at 2 m/s. With --params, the given keys replace that state's; the
    result is validated against the params schema first (wrong types → one-line error, exit 2).
    """
    from reward_sdk.params import validate_params
    from reward_sdk.samples import sample_params
    from reward_sdk.tracks import resolve_track

    source = read_reward_source(file)
    base = sample_params(resolve_track(track) if track else None)
    if params is not None:
        base.update(read_params_option(params))
    validated = validate_params(base).to_dict()
    from sandbox import RewardSandbox, SandboxLimits

    with RewardSandbox(source, filename=str(file), limits=SandboxLimits(timeout_s=timeout)) as sandbox:
        reward = sandbox.score(validated)
        printed = sandbox.printed()
    if printed:  # the real simulator logs what the function prints; show it apart from the result
        for line in printed.rstrip("\n").splitlines():
            typer.echo(f"print: {line}", err=True)
    if show_params:
        shown = {key: value for key, value in validated.items() if key != "waypoints"}
        shown["waypoints"] = f"<{len(validated['waypoints'])} points>"
        typer.echo(json.dumps(shown, indent=2), err=True)
    typer.echo(repr(reward))


def register(app: typer.Typer) -> None:
    app.command("call")(call_command)
