"""Reading a reward-function file: the one place that turns file problems into one-line user errors."""

from __future__ import annotations

import os
from pathlib import Path

from reward_sdk.errors import UserError


def read_reward_source(path: str | os.PathLike[str]) -> str:
    """Text of a reward-function file.

    :raises UserError: the file is missing, is a directory, is not UTF-8 or cannot be read (one line, names it).
    """
    file_path = Path(path)
    if not file_path.exists():
        raise UserError(f"{file_path}: no such file")
    if file_path.is_dir():
        raise UserError(f"{file_path}: is a directory, expected a Python file")
    try:
        return file_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{file_path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise UserError(f"{file_path}: cannot read ({exc.strerror})") from None
