"""Framing over the worker's dedicated pipes, safe decoding of replies, and the shared call-status block.

Messages are ``8-byte little-endian length + pickle`` over a pair of pipes (never stdout/stderr). Requests
(parent -> worker) are trusted pickles (:func:`read_message`, worker side). Replies (worker -> parent) are
untrusted: the parent reads them with :class:`MessageReader` (non-blocking, size-capped before allocation) and
decodes them with :func:`decode_reply`, an unpickler that refuses every class/function lookup and persistent id,
followed by :func:`check_plain` (exact builtin types, bounded depth and item count). A compromised worker can
therefore neither make the parent run code nor hand it an object with behaviour (numpy dtypes, subclasses...).

The status block is a shared memfd of two int64: ``[0]`` a call counter (odd while user code may run: a reward
call, its result/exception conversion, the release of objects user code touched, a garbage collection) and
``[1]`` the row index of the current call. The parent watchdog reads it to tell "stuck in user code" from "busy
in trusted code" and to name the offending row.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import struct
import time
from itertools import accumulate, chain, repeat
from typing import Any

__all__ = [
    "DEFAULT_MAX_REPLY",
    "MessageReader",
    "ProtocolError",
    "RaggedColumn",
    "StatusBlock",
    "check_plain",
    "decode_reply",
    "frame_message",
    "read_message",
    "write_message",
]

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


#: Largest reply the parent accepts by default (bytes of one pickled message, header excluded).
DEFAULT_MAX_REPLY = 8 << 20
#: Deepest nesting of containers accepted in a reply (a params dict with lists of lists is 4 deep).
MAX_DEPTH = 32
_MAX_INT = 1 << 63  # plain ints are machine-sized: |i| < 2**63
_READ_CHUNK = 1 << 20


class ProtocolError(Exception):
    """A worker reply that breaks the protocol: over the size cap, truncated, not plain data, too deep/large."""


def frame_message(obj: Any) -> bytes:
    """``obj`` pickled (protocol 5) with its 8-byte length prefix."""
    payload = pickle.dumps(obj, protocol=5)
    return _HEADER.pack(len(payload)) + payload


def write_message(fd: int, obj: Any) -> None:
    """Pickle ``obj`` and write it, length-prefixed, to the blocking ``fd`` (handles short writes).

    Worker side only: the parent never blocks on a worker (it writes non-blocking under its watchdog)."""
    data = memoryview(frame_message(obj))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_exact(fd: int, size: int) -> bytes:
    """Read exactly ``size`` bytes from the blocking ``fd``; EOFError if the peer closed the pipe first.

    Worker side only (requests come from the trusted parent)."""
    chunks = bytearray()
    while len(chunks) < size:
        chunk = os.read(fd, min(size - len(chunks), _READ_CHUNK))
        if not chunk:
            raise EOFError("pipe closed")
        chunks += chunk
    return bytes(chunks)


def read_message(fd: int) -> Any:
    """Read one *trusted* message (a request from the parent) from the blocking ``fd``; plain pickle.

    Never use it on data from a worker: replies go through :class:`MessageReader` and :func:`decode_reply`."""
    (size,) = _HEADER.unpack(read_exact(fd, _HEADER.size))
    return pickle.loads(read_exact(fd, size))


class MessageReader:
    """Incremental reader of one length-prefixed reply from a *non-blocking* pipe (the parent's side).

    :param fd: the read end of the worker's reply pipe, in non-blocking mode.
    :param max_bytes: largest accepted payload; a bigger header raises :class:`ProtocolError` before anything
        is allocated.

    Call :meth:`feed` whenever ``fd`` is readable: it reads what is available (never past the end of this
    message, so a following message stays in the pipe) and returns the payload once complete, else None.
    ``started`` is the ``time.monotonic()`` of the first byte (None before), ``size`` the announced payload
    length (None until the header is complete) — the caller bounds how long a started message may take.
    """

    def __init__(self, fd: int, max_bytes: int) -> None:
        self.fd = fd
        self.max_bytes = max_bytes
        self.started: float | None = None
        self.size: int | None = None
        self._buffer = bytearray(_HEADER.size)
        self._filled = 0

    def feed(self) -> bytes | None:
        """Read the available bytes; the payload when the message is complete, else None.

        :raises EOFError: the worker closed the pipe (died) mid-message or before it.
        :raises ProtocolError: the header announces more than ``max_bytes``.
        """
        while True:
            view = memoryview(self._buffer)[self._filled :]
            if not view:
                if self.size is not None:
                    return bytes(self._buffer)
                (size,) = _HEADER.unpack(self._buffer)
                if size > self.max_bytes:
                    raise ProtocolError(f"reply of {size} bytes is over the {self.max_bytes}-byte cap")
                self.size, self._buffer, self._filled = size, bytearray(size), 0
                continue
            try:
                count = os.readv(self.fd, [view[:_READ_CHUNK]])
            except BlockingIOError:
                return None
            finally:
                view.release()
            if count == 0:
                raise EOFError("pipe closed")
            if self.started is None:
                self.started = time.monotonic()
            self._filled += count


class _PlainUnpickler(pickle.Unpickler):
    """Unpickler that can build only what pickle builds without looking anything up: no class, no function,
    no persistent id, no out-of-band buffer (so ``REDUCE``/``BUILD``/``NEWOBJ`` never get a callable)."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"reply refers to {module}.{name}: replies are plain data only")

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("reply uses a persistent id: replies are plain data only")


_SCALARS = frozenset({float, bool, str, bytes, type(None)})
_ATOMS = _SCALARS | {int}


def check_plain(value: Any, max_depth: int = MAX_DEPTH, max_items: int = 1 << 20) -> None:
    """Raise :class:`ProtocolError` unless ``value`` is plain data.

    Plain data: ``float, bool, str, bytes, None``, ``int`` with ``|i| < 2**63``, and ``list``/``tuple``/``dict``
    (``str`` keys) of plain data — exact types, no subclasses — nested at most ``max_depth`` deep, with at most
    ``max_items`` container entries in total (shared sub-objects count every time they are reached, so a
    reference cycle or an exponential DAG is refused instead of walked forever). Never calls a method of
    ``value``: only ``type()`` identity checks, ``len`` and iteration of exact builtin containers.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    budget = max_items
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind in _SCALARS:
            continue
        if kind is int:
            if not -_MAX_INT < item < _MAX_INT:
                raise ProtocolError("reply holds an integer beyond 64 bits")
            continue
        if kind is dict:
            if not {str}.issuperset(map(type, item)):
                raise ProtocolError("reply holds a dict with a non-str key")
            children: Any = item.values()
        elif kind is list or kind is tuple:
            children = item
        else:
            raise ProtocolError(f"reply holds a {kind.__name__!r}: replies are plain data only")
        if depth >= max_depth:
            raise ProtocolError(f"reply is nested more than {max_depth} levels deep")
        budget -= len(children)
        if budget < 0:
            raise ProtocolError(f"reply holds more than {max_items} items")
        kinds = set(map(type, children))
        if int in kinds:
            kinds.discard(int)
            if not all(-_MAX_INT < x < _MAX_INT for x in children if type(x) is int):
                raise ProtocolError("reply holds an integer beyond 64 bits")
        if not _SCALARS.issuperset(kinds):
            stack.extend((child, depth + 1) for child in children if type(child) not in _ATOMS)
    return None


def decode_reply(payload: bytes, max_depth: int = MAX_DEPTH, max_items: int | None = None) -> Any:
    """Decode a worker reply without any class lookup and check it with :func:`check_plain`.

    :param max_items: container entries allowed (default: one per 4 payload bytes, at least 65536 — a forged
        pickle can repeat one memoised object with 2-byte opcodes, so this bounds the parent's work too).
    :raises ProtocolError: not a pickle of plain data, or beyond the limits.
    """
    if max_items is None:
        max_items = max(1 << 16, len(payload) // 4)
    try:
        value = _PlainUnpickler(io.BytesIO(payload)).load()
    except Exception as exc:  # UnpicklingError, EOFError, ValueError, MemoryError... all mean a bad reply
        raise ProtocolError(f"undecodable reply: {type(exc).__name__}: {str(exc)[:200]}") from None
    check_plain(value, max_depth, max_items)
    return value


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
