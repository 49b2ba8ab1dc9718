"""Framing over the worker's dedicated pipes, safe decoding of replies, and the shared call-status block.

Messages are ``8-byte little-endian length + pickle`` over a pair of pipes (never stdout/stderr). Requests
(parent ->
worker) are trusted pickles. Replies (worker -> parent) are decoded with :class:`SafeUnpickler`, which only
rebuilds plain containers/scalars, numpy arrays and classes from packages the caller explicitly trusts, so even a
compromised worker cannot make the parent run code by sending a crafted pickle.

The status block is a shared memfd of two int64: ``[0]`` a call counter (odd while a reward call runs) and
``[1]``
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
from itertools import accumulate, chain, repeat
from typing import Any

__all__ = ["RaggedColumn", "SafeUnpickler", "StatusBlock", "frame_message", "read_message", "write_message"]

_HEADER = struct.Struct("<Q")
_FLAT = frozenset({float, int, bool, str, type(None)})


class RaggedColumn:
    """A column whose rows are flat lists, sent as one flat list plus row offsets (unpickling thousands of small
    lists costs ~0.4 µs each; slicing them back in the worker is done in C and gives every row a fresh list)."""

    __slots__ = ("flat", "offsets")

    def __init__(self, flat: list[Any], offsets: list[int]) -> None:
        self.flat = flat
        self.offsets = offsets

    def __getstate__(self) -> tuple[list[Any], list[int]]:
        return self.flat, self.offsets

    def __setstate__(self, state: tuple[list[Any], list[int]]) -> None:
        self.flat, self.offsets = state

    @classmethod
    def encode(cls, items: Any) -> RaggedColumn | None:
        """Encode ``items`` if it is a list of lists of scalars, else None."""
        if not isinstance(items, list) or not items or not {list}.issuperset(map(type, items)):
            return None
        if not any(items):
            return cls([], [0, len(items)])  # all rows empty (e.g. no obstacles): rows() makes fresh []
        flat = list(chain.from_iterable(items))
        if not _FLAT.issuperset(map(type, flat)):
            return None
        return cls(flat, list(accumulate(map(len, items), initial=0)))

    def rows(self) -> list[list[Any]]:
        """One fresh list per row."""
        offsets = self.offsets
        if not self.flat:
            return list(map(list, repeat((), offsets[-1])))
        return list(map(self.flat.__getitem__, map(slice, offsets[:-1], offsets[1:])))


_MAX_MESSAGE = 1 << 34


def frame_message(obj: Any) -> bytes:
    """``obj`` pickled (protocol 5) with its 8-byte length prefix."""
    payload = pickle.dumps(obj, protocol=5)
    return _HEADER.pack(len(payload)) + payload


def write_message(fd: int, obj: Any) -> None:
    """Pickle ``obj`` and write it, length-prefixed, to the blocking ``fd`` (handles short writes)."""
    data = memoryview(frame_message(obj))
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


def read_message(
    fd: int, unpickler: type[pickle.Unpickler] | None = None, trusted: Iterable[str] = ()
) -> Any:
    """Read one message from ``fd``; decode with ``unpickler`` (e.g. :class:`SafeUnpickler`) or plain
    pickle."""
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
    [
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "int",
        "float",
        "complex",
        "str",
        "bytes",
        "bytearray",
        "bool",
        "slice",
        "range",
    ]
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
    """Unpickler for worker replies: builtin containers/scalars, numpy arrays/scalars, and top-level
    (undotted)
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
    """Two shared int64 counters on a memfd (see module docstring). Create in the parent, attach in the
    worker."""

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
