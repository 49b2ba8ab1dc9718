"""Turning raw bytes into a pyarrow array of lines, without a Python loop over the lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # scratch imports this module's line checks
    from replay.readers.scratch import Blob


def decode(data: bytes) -> str:
    """Decode log bytes as UTF-8; undecodable bytes (binary junk) become U+FFFD instead of failing."""
    return data.decode("utf-8", errors="replace")


def decode_view(blob: Blob) -> str:
    """:func:`decode` of a blob's bytes, without copying them first."""
    return str(memoryview(blob.data)[blob.start : blob.end], "utf-8", "replace")


def split_lines(text: str) -> pa.Array:
    """Split ``text`` on ``\\n`` into a pyarrow string array (element i is line i+1; ``\\r`` is kept)."""
    if not text:
        return pa.array([], type=pa.string())
    big = pa.array([text], type=pa.large_string() if len(text) >= 2**31 - 1 else pa.string())
    return pc.split_pattern(big, "\n").flatten()


def long_line_at(data: bytes | bytearray, start: int, end: int, window: int) -> int:
    """Offset of the first ``window``-byte run of ``data[start:end]`` without a ``\\n``, or -1 if there is none.

    The runs checked are ``data[start + k * window : start + (k + 1) * window]`` (whole runs only: a shorter
    last run is not checked). So a line shorter than ``window`` bytes always passes and a line of ``2 * window``
    bytes or more (its line break aside) always fails; in between it depends on where the line starts. One
    ``find`` per run, which stops at the run's first line break: nearly free on real text.
    """
    for low in range(start, end - window + 1, window):
        if data.find(b"\n", low, low + window) < 0:
            return low
    return -1


def line_number(data: bytes | bytearray, start: int, offset: int) -> int:
    """1-based number of the line holding ``data[offset]`` in the text that starts at ``data[start]``."""
    return data.count(b"\n", start, offset) + 1
