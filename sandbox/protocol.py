"""Framing over the worker's dedicated pipes, safe decoding of replies, and the shared call-status block.

Messages are ``8-byte little-endian length + pickle`` over a pair of pipes (never stdout/stderr). Requests (parent ->
worker) are trusted pickles. Replies (worker -> parent) are decoded with :class:`SafeUnpickler`, which only
rebuilds plain containers/scalars, numpy arrays and classes from packages the caller explicitly trusts, so even a
compromised worker cannot make the parent run code by sending a crafted pickle.

The status block is a shared memfd of two int64: ``[0]`` a call counter (odd while a reward call runs) and ``[1]``
the row index of the current call. The parent watchdog reads it to tell "stuck in a reward call" from "busy in
trusted code" and to name the offending row.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import struct
from collections.abc import Iterable
from typing import Any

__all__ = ["SafeUnpickler", "StatusBlock", "read_message", "write_message"]

_HEADER = struct.Struct("<Q")
_MAX_MESSAGE = 1 << 34


def write_message(fd: int, obj: Any) -> None:
    """Pickle ``obj`` (protocol 5) and write it, length-prefixed, to ``fd`` (blocking, handles short writes)."""
    payload = pickle.dumps(obj, protocol=5)
    data = memoryview(_HEADER.pack(len(payload)) + payload)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_exact(fd: int, size: int) -> bytes:
    """Read exactly ``size`` bytes from ``fd``; EOFError if the peer closed the pipe first."""
    chunks = bytearray()
    while len(chunks) < size:
        chunk = os.read(fd, min(size - len(chunks), 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks += chunk
    return bytes(chunks)


def read_message(fd: int, unpickler: type[pickle.Unpickler] | None = None, trusted: Iterable[str] = ()) -> Any:
    """Read one message from ``fd``; decode with ``unpickler`` (e.g. :class:`SafeUnpickler`) or plain pickle."""
    (size,) = _HEADER.unpack(read_exact(fd, _HEADER.size))
    if size > _MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes refused")
    payload = read_exact(fd, size)
    if unpickler is None:
        return pickle.loads(payload)
    reader = unpickler(io.BytesIO(payload))
    if isinstance(reader, SafeUnpickler):
        reader.trusted = tuple(trusted)
    return reader.load()


_SAFE_BUILTINS = frozenset(
    "dict list tuple set frozenset int float complex str bytes bytearray bool slice range".split()
)
_SAFE_GLOBALS = {
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.numeric", "_frombuffer"),
    ("collections", "OrderedDict"),
    ("collections", "defaultdict"),
}


class SafeUnpickler(pickle.Unpickler):
    """Unpickler for worker replies: builtin containers/scalars, numpy arrays/scalars, and top-level (undotted)
    names from modules under the packages in ``trusted`` (e.g. ``("reward_sdk",)``, set by the caller)."""

    trusted: tuple[str, ...] = ()

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        root = module.split(".", 1)[0]
        if root in self.trusted and "." not in name and not name.startswith("__"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name} from the sandbox worker")


class StatusBlock:
    """Two shared int64 counters on a memfd (see module docstring). Create in the parent, attach in the worker."""

    SIZE = 16

    def __init__(self, fd: int | None = None) -> None:
        if fd is None:
            fd = os.memfd_create("reward-sandbox-status", 0)
            os.ftruncate(fd, self.SIZE)
        self.fd = fd
        self._map = mmap.mmap(fd, self.SIZE)
        self.words = memoryview(self._map).cast("q")

    def read(self) -> tuple[int, int]:
        """``(counter, row)``; the counter is odd while a reward call is running."""
        return self.words[0], self.words[1]

    def close(self) -> None:
        """Release the mapping and the descriptor."""
        self.words.release()
        self._map.close()
        os.close(self.fd)
