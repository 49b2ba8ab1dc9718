"""Shared CLI plumbing: the global options, one-line errors and the console."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from rich.console import Console


@dataclass
class CliState:
    """Options given before the command name (``reward --verbose lint ...``)."""

    verbose: bool = False


STATE = CliState()
# Piped output (files, CI logs) gets a wide console so tables are not squeezed to rich's 80-column default.
_PIPE_WIDTH = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 150
console = Console(width=_PIPE_WIDTH)
error_console = Console(stderr=True)


def fail(message: str) -> int:
    """Print ``error: <first line of message>`` on stderr and return exit code 2."""
    first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    print(f"error: {first_line}", file=sys.stderr)
    return 2
