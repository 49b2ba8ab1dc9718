"""Shared CLI plumbing: the global options, one-line errors and the console."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from rich.console import Console


@dataclass
class CliState:
    """Options given before the command name (``reward --verbose lint ...``)."""

    verbose: bool = False


STATE = CliState()
console = Console()
error_console = Console(stderr=True)


def fail(message: str) -> int:
    """Print ``error: <first line of message>`` on stderr and return exit code 2."""
    first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    print(f"error: {first_line}", file=sys.stderr)
    return 2
