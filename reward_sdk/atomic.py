"""Write files so that a crash or Ctrl-C never leaves a half-written file: temp file in the same folder, then
``os.replace`` (atomic on POSIX)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reward_sdk.errors import UserError


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; parent folders are created. Returns the path."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise UserError(f"{target}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Text (UTF-8) twin of :func:`write_bytes_atomic`."""
    return write_bytes_atomic(path, text.encode("utf-8"))
