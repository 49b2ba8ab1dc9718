"""Reading files the user names (tracks, ``model_metadata.json``, logs) without trusting them.

A path handed to the CLI may name a FIFO or a device (opening a FIFO for reading blocks until a writer comes,
reading ``/dev/zero`` never ends) or a file far bigger than any real input. The helpers here open with
``O_NONBLOCK`` (so opening a FIFO returns at once), check ``S_ISREG`` on the open descriptor (no race with a
file swapped after a ``stat``), and read at most a given number of bytes.

Safety caps are module constants of the modules that use them; :func:`cap` reads a constant's environment
override (``REWARD_MAX_...``), so a user with a genuinely bigger input can raise a cap without editing code.
"""

from __future__ import annotations

import os
import stat

from reward_sdk.errors import InputLimitError, UserError

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def file_kind(mode: int) -> str:
    """What a ``st_mode`` describes, for messages: ``"a FIFO (named pipe)"``, ``"a directory"``, ..."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def cap(default: int, env: str) -> int:
    """A safety cap: ``$env`` when it is set (a positive integer, ``_`` separators allowed), else ``default``.

    :raises UserError: the variable is set to something other than a positive integer.
    """
    raw = os.environ.get(env)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise UserError(f"${env} must be a positive integer, got {raw!r}")
    return value


def size_text(nbytes: int) -> str:
    """``nbytes`` for a message: ``512 MiB``, ``1.5 GiB``, ``3 kB``... (binary units from 1 MiB on)."""
    if nbytes >= 1 << 40:
        return f"{nbytes / (1 << 40):.3g} TiB"
    if nbytes >= 1 << 30:
        return f"{nbytes / (1 << 30):.3g} GiB"
    if nbytes >= 1 << 20:
        return f"{nbytes / (1 << 20):.3g} MiB"
    if nbytes >= 1000:
        return f"{nbytes / 1000:.3g} kB"
    return f"{nbytes} bytes"


def open_regular(path: str | os.PathLike[str], what: str = "file") -> tuple[int, int]:
    """Open ``path`` read-only without blocking; returns ``(descriptor, size in bytes)``.

    The descriptor keeps ``O_NONBLOCK``, which has no effect on a regular file's reads (it only matters for the
    open of a FIFO or device, refused here). The caller closes it.

    :param what: the kind of input, for messages (``"track file"``, ``"log"``...).
    :raises InputLimitError: the path is not a regular file (FIFO, device, socket, directory).
    :raises OSError: the path cannot be opened (missing, no permission...).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputLimitError(f"{os.fspath(path)}: {file_kind(info.st_mode)}, expected a regular {what}")
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def read_regular(path: str | os.PathLike[str], max_bytes: int, what: str = "file", env: str = "") -> bytes:
    """All bytes of the regular file ``path``, refusing files over ``max_bytes`` before reading them.

    :param max_bytes: the cap (bytes). A file that grows past it while being read is refused too.
    :param what: the kind of input, for messages; ``env``: the variable that raises the cap, for messages.
    :raises InputLimitError: not a regular file, or more than ``max_bytes`` bytes.
    :raises OSError: the file cannot be opened or read.
    """
    fd, size = open_regular(path, what)
    try:

        def too_big() -> InputLimitError:
            hint = f" (set ${env} to raise the limit)" if env else ""
            return InputLimitError(
                f"{os.fspath(path)}: {what} larger than {size_text(max_bytes)}, refused{hint}"
            )

        if size > max_bytes:
            raise too_big()
        parts = [os.read(fd, size + 1)]
        total = len(parts[0])
        while parts[-1]:  # until EOF: the file may have grown since fstat
            if total > max_bytes:
                raise too_big()
            parts.append(os.read(fd, min(1 << 20, max_bytes + 1 - total)))
            total += len(parts[-1])
        if total > max_bytes:
            raise too_big()
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 2 else b"".join(parts)
