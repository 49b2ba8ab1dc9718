"""Per-thread reusable memory for the large, short-lived buffers of one read (file bytes, joined records, masks).

A multi-megabyte buffer that is allocated fresh on every read costs a page fault per 4 KiB page every time:
glibc hands large freed blocks (and the freed top of its heap) back to the operating system, so the next read
maps and zeroes the same amount again (~900 faults, over a millisecond, for a 1.6 MB log). Keeping the few big
buffers of a read alive for the next read on the same thread removes that cost. Only the memory is reused,
never its content: every read fills the buffers it uses from scratch.

A slot's memory is valid until the next request for the same slot on the same thread, so a slot belongs to one
function at a time and nothing derived from it may outlive the read without a copy. Buffers larger than
:data:`MAX_KEPT` bytes are not kept (a huge log should not pin its memory: a thread keeps at most a few times
that in all), and :func:`release` drops a thread's buffers.
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass

import numpy as np

from replay.readers.text import line_number, long_line_at
from reward_sdk.errors import InputLimitError
from reward_sdk.input_files import open_regular, size_text

MAX_KEPT = 8 << 20
"""Largest buffer (bytes) a thread keeps between reads, per slot (there are eight slots)."""

_local = threading.local()


def _kept() -> dict[str, bytearray]:
    kept: dict[str, bytearray] = _local.__dict__.setdefault("buffers", {})
    return kept


def release() -> None:
    """Drop this thread's kept buffers (the next read allocates afresh)."""
    _kept().clear()


def scratch_bytes(slot: str, nbytes: int) -> bytearray:
    """A bytearray of at least ``nbytes`` for ``slot``: this thread's kept one when it is big enough, else a new
    one with 25 % headroom (kept if at most :data:`MAX_KEPT` bytes). Content undefined."""
    kept = _kept()
    buffer = kept.get(slot)
    if buffer is None or len(buffer) < nbytes:
        buffer = bytearray(nbytes + nbytes // 4 + 4096)
        if len(buffer) <= MAX_KEPT:
            kept[slot] = buffer
    return buffer


def scratch(slot: str, nbytes: int) -> np.ndarray:
    """A writable uint8 array of exactly ``nbytes`` over :func:`scratch_bytes` memory of ``slot``."""
    return np.frombuffer(scratch_bytes(slot, nbytes), dtype=np.uint8, count=nbytes)


@dataclass(frozen=True)
class Blob:
    """The bytes of one file: ``data[start:end]``, searched in place (``data.find(sub, start, end)``), not copied.

    :param data: the file's own ``bytes`` (archive members, gzip files), or the scratch bytearray that
        :class:`FileArena` read the file into (valid during the read only).
    :param start: offset of the file's first byte in ``data``; ``end``: offset after its last byte.
    """

    data: bytes | bytearray
    start: int
    end: int

    @classmethod
    def of(cls, data: bytes) -> Blob:
        """A blob of all of ``data``."""
        return cls(data, 0, len(data))

    def __len__(self) -> int:
        return self.end - self.start

    def find(self, sub: bytes, offset: int = 0) -> int:
        """Offset (relative to ``start``) of the first ``sub`` at or after ``offset``, or -1."""
        at = self.data.find(sub, self.start + offset, self.end)
        return at - self.start if at >= 0 else -1

    def copy(self, lo: int, hi: int) -> bytes:
        """A copy of the bytes at offsets ``lo:hi`` (clipped to the blob)."""
        return bytes(self.data[self.start + lo : self.start + min(hi, len(self))])

    def endswith(self, suffix: bytes) -> bool:
        """True if the blob ends with ``suffix``."""
        return self.data.endswith(suffix, self.start, self.end)

    def view(self, offset: int = 0) -> np.ndarray:
        """The bytes from ``offset`` on as a uint8 array (no copy; read-only for ``bytes`` data)."""
        return np.frombuffer(self.data, dtype=np.uint8, count=len(self) - offset, offset=self.start + offset)


class FileArena:
    """Reads the plain files of one read into one reused scratch bytearray, one after another.

    Each file is followed by 1 to 8 ``\\n`` bytes up to the next 8-byte boundary, where the next file starts. So
    the files read in a row are also one text whose lines are theirs plus a few blank ones (see
    :func:`adjacent`), and every file starts aligned for word-wise scans.
    """

    def __init__(self, slot: str = "files") -> None:
        self.slot = slot
        self.buffer = scratch_bytes(slot, 1 << 20)
        self.used = 0

    def read(self, path: str, max_line: int | None = None) -> Blob:
        """The bytes of the regular file at ``path`` (as a blob into the arena).

        :param max_line: refuse a file where a run of this many bytes holds no line break
            (:func:`replay.readers.text.long_line_at`); None: no check. Files over :data:`CHUNKED_READ_BYTES`
            are then read and checked chunk by chunk, so a huge one-line file is refused after one chunk.
        :raises InputLimitError: not a regular file (opened without blocking: a FIFO cannot hang the read), or a
            line over ``max_line``.
        :raises OSError: the file cannot be opened or read.
        """
        fd, size = open_regular(path, "log file")
        try:
            if max_line is not None and size > CHUNKED_READ_BYTES:
                return Blob.of(_read_checked(fd, path, max_line))
            if self.used + size + 9 > len(self.buffer):  # a bigger buffer; earlier blobs keep the old one
                self.buffer = scratch_bytes(self.slot, max(size + 9, 2 * len(self.buffer)))
                self.used = 0
            start = self.used
            view = memoryview(self.buffer)
            got = 0
            while got <= size:  # one byte more than the size: reading 0 of it is the EOF check
                n = os.readv(fd, [view[start + got : start + size + 1]])
                if n == 0:
                    break
                got += n
            del view
            if got > size:  # the file grew while being read: take all of it as plain bytes
                rest = [bytes(self.buffer[start : start + got])]
                while chunk := os.read(fd, 1 << 20):
                    rest.append(chunk)
                data = b"".join(rest)
                if max_line is not None:
                    check_lines(data, 0, len(data), max_line, path)
                return Blob.of(data)
        finally:
            os.close(fd)
        end = start + got
        if max_line is not None:
            check_lines(self.buffer, start, end, max_line, path)
        gap = 8 - end % 8
        self.buffer[end : end + gap] = b"\n" * gap
        self.used = end + gap
        return Blob(self.buffer, start, end)


CHUNKED_READ_BYTES = 64 << 20
"""Files bigger than this (bytes) are read in chunks of about this size when lines are checked."""


def check_lines(data: bytes | bytearray, start: int, end: int, max_line: int, path: str) -> None:
    """Refuse text with an overlong line (see :func:`replay.readers.text.long_line_at`).

    :param path: the file's name for the message.
    :raises InputLimitError: ``data[start:end]`` has a run of ``max_line`` bytes without a line break.
    """
    at = long_line_at(data, start, end, max_line)
    if at >= 0:
        raise _long_line(path, line_number(data, start, at), max_line)


def _long_line(path: str, line: int, max_line: int) -> InputLimitError:
    return InputLimitError(
        f"{path}:{line}: line longer than {size_text(max_line)}, refused "
        "(set $REWARD_MAX_LINE_BYTES to raise the limit)"
    )


def _read_checked(fd: int, path: str, max_line: int) -> bytes:
    """All bytes from ``fd``, read in chunks (whole multiples of ``max_line``), each checked for a line over
    ``max_line`` before the next is read. :raises InputLimitError: a line too long."""
    step = max_line * max(1, CHUNKED_READ_BYTES // max_line)
    parts: list[bytes] = []
    lines_before = 0
    while chunk := os.read(fd, step):
        while len(chunk) < step and (more := os.read(fd, step - len(chunk))):  # short reads: fill the chunk
            chunk += more
        at = long_line_at(chunk, 0, len(chunk), max_line)
        if at >= 0:
            raise _long_line(path, lines_before + line_number(chunk, 0, at), max_line)
        lines_before += chunk.count(b"\n")
        parts.append(chunk)
    return b"".join(parts)


def adjacent(blobs: list[Blob]) -> bool:
    """True if the blobs were read by one :class:`FileArena` one right after the other (same buffer, only the
    arena's 1 to 8 line breaks between them)."""
    first = blobs[0].data
    return isinstance(first, bytearray) and all(
        b.data is first and b.start == a.end + 8 - a.end % 8 for a, b in itertools.pairwise(blobs)
    )
