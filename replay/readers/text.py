"""Turning raw bytes into a pyarrow array of lines, without a Python loop over the lines."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def decode(data: bytes) -> str:
    """Decode log bytes as UTF-8; undecodable bytes (binary junk) become U+FFFD instead of failing."""
    return data.decode("utf-8", errors="replace")


def split_lines(text: str) -> pa.Array:
    """Split ``text`` on ``\\n`` into a pyarrow string array (element i is line i+1; ``\\r`` is kept)."""
    if not text:
        return pa.array([], type=pa.string())
    big = pa.array([text], type=pa.large_string() if len(text) >= 2**31 - 1 else pa.string())
    return pc.split_pattern(big, "\n").flatten()


def lines_containing(lines: pa.Array, marker: str) -> tuple[np.ndarray, pa.Array]:
    """Return (0-based indices, text after the first ``marker``) for the lines that contain ``marker``."""
    pos = np.asarray(pc.find_substring(lines, marker).to_numpy(zero_copy_only=False))
    idx = np.flatnonzero(pos >= 0)
    if len(idx) == 0:
        return idx, pa.array([], type=pa.string())
    found = lines.take(pa.array(idx))
    starts = pos[idx]
    if starts.min() == starts.max() and pc.all(pc.string_is_ascii(found)).as_py():
        return idx, pc.utf8_slice_codeunits(found, int(starts[0]) + len(marker))
    pattern = "^.*?" + marker.replace("[", r"\[").replace(".", r"\.")
    return idx, pc.replace_substring_regex(found, pattern, "", max_replacements=1)
