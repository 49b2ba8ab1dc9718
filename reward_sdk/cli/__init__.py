"""The ``reward`` command line.

Each command lives in its own module ``reward_sdk/cli/<name>_cmd.py`` exposing ``register(app)``; heavy imports
(sandbox workers, pandas, torch, openvino) happen inside the command functions so ``reward --help`` and
``reward lint`` start fast.

Errors: any :class:`reward_sdk.errors.UserError` or :class:`sandbox.errors.SandboxError` escaping a command is
printed as one line ``error: ...`` on stderr with exit code 2; ``--verbose`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import sys

import typer

from reward_sdk.cli.common import STATE, fail

app = typer.Typer(
    name="reward",
    help=(
        "Write, check and use DeepRacer reward functions on your own machine.\n\n"
        "Pipeline: params/tracks → sandbox → lint → replay → train → edge. "
        "Run `reward COMMAND --help` for each command."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules in pipeline order; a module that is missing (a later stage not installed) is skipped.
COMMAND_MODULES = (
    "params_cmd",
    "tracks_cmd",
    "call_cmd",
    "new_cmd",
    "lint_cmd",
    "replay_cmd",
    "sim_cmd",
    "train_cmd",
    "raceline_cmd",
    "sweep_cmd",
    "edge_cmd",
    "tui_cmd",
    "demo_cmd",
)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show full tracebacks on errors."),
) -> None:
    STATE.verbose = verbose


for _module_name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"reward_sdk.cli.{_module_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"reward_sdk.cli.{_module_name}":
            raise
        continue
    _module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``reward`` console script; returns the process exit code."""
    from reward_sdk.errors import UserError

    error_types: tuple[type[BaseException], ...] = (UserError,)
    try:
        from sandbox.errors import SandboxError

        error_types = (UserError, SandboxError)
    except ImportError:
        pass
    try:
        # Without standalone mode click returns typer.Exit's code instead of raising it.
        result = app(args=argv, standalone_mode=False)
    except error_types as exc:
        if STATE.verbose:
            raise
        return fail(str(exc))
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        print("aborted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Usage errors from typer's bundled click (bad option, missing argument): one line, with the help hint.
        format_message = getattr(exc, "format_message", None)
        if callable(format_message) and isinstance(getattr(exc, "exit_code", None), int):
            context = getattr(exc, "ctx", None)
            command = context.command_path if context is not None else "reward"
            return fail(f"{format_message()} (see '{command} --help')")
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
