"""Turning raw bytes into a pyarrow array of lines, without a Python loop over the lines."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

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
