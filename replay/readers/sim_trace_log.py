"""Reader for robomaker/simulation logs: the ``SIM_TRACE_LOG:`` lines, in any of the 15–19-field formats.

Lines may carry ROS or container prefixes before the marker (``[agent-9] SIM_TRACE_LOG:…``); everything
before ``SIM_TRACE_LOG:`` is ignored. The field count of each line selects its field names
(:data:`reward_sdk.simtrace.FIELDS_BY_COUNT`); 15-field (2019) lines carry yaw and steering in radians and
are converted to degrees by the parser. Non-step lines are mined for metadata
(:mod:`replay.readers.log_metadata`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from replay.readers.log_metadata import mine_log_metadata
from replay.readers.text import decode, split_lines
from reward_sdk.simtrace import LINE_PREFIX

_MARKER = LINE_PREFIX.encode()
assert len(_MARKER) >= 8, "the vectorised marker search compares 8-byte windows"
_MARKER_WORDS = np.frombuffer(b"".join(_MARKER[k : k + 4] for k in range(4)), dtype=np.uint32)
_MARKER_HEAD = np.frombuffer(_MARKER[:8], dtype=np.uint64)[0]
_MARKER_TAIL = np.frombuffer(_MARKER[-8:], dtype=np.uint64)[0]


@dataclass
class LogRecords:
    """The step records of one log: text after ``SIM_TRACE_LOG:``, their line numbers, and metadata.

    :param body: the records as bytes, each followed by ``\\n`` (trailing ``\\r`` stripped): CSV reader input.
    :param lines: 1-based line number of each record.
    :param meta: metadata mined from the non-step lines.
    """

    body: bytes
    lines: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def records(self) -> pa.Array:
        """The records decoded (undecodable bytes → U+FFFD) as a pyarrow string array, one per line."""
        if not self.body:
            return pa.array([], type=pa.string())
        text = decode(self.body[:-1])
        return split_lines(text) if text else pa.array([""], type=pa.string())


def has_sim_trace(data: bytes) -> bool:
    """True if the bytes contain at least one ``SIM_TRACE_LOG:`` marker."""
    return _MARKER in data


def _marker_starts(data: bytes) -> np.ndarray:
    """Sorted offsets of every ``SIM_TRACE_LOG:`` occurrence in ``data`` (int64).

    Vectorised search: every occurrence fully contains exactly one 4-byte-aligned word that is one of the
    marker's first four 4-byte substrings, so only a quarter of the positions are compared (as uint32 words);
    the few candidate starts are then checked against the whole marker.
    """
    n = len(data)
    if n < len(_MARKER):
        return np.zeros(0, dtype=np.int64)
    words = np.frombuffer(data, dtype=np.uint32, count=n // 4)
    hit = words == _MARKER_WORDS[0]
    for word in _MARKER_WORDS[1:]:
        hit |= words == word
    index = np.flatnonzero(hit)
    found = words[index]
    shift = (found == _MARKER_WORDS[1]) + 2 * (found == _MARKER_WORDS[2]) + 3 * (found == _MARKER_WORDS[3])
    starts = index * 4 - shift
    starts = starts[(starts >= 0) & (starts <= n - len(_MARKER))]
    # every 8-byte window (unaligned): the marker is its first 8 bytes and its last 8 bytes (overlapping)
    windows = np.ndarray((n - 7,), dtype=np.uint64, buffer=data, strides=(1,))
    exact = (windows[starts] == _MARKER_HEAD) & (windows[starts + len(_MARKER) - 8] == _MARKER_TAIL)
    return np.asarray(starts[exact], dtype=np.int64)


def _record_spans(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, 0-based line) of the text after the first marker of every line that has one."""
    markers = _marker_starts(data)
    if len(markers) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    line = np.searchsorted(newlines, markers)
    first = np.ones(len(line), dtype=bool)
    first[1:] = line[1:] != line[:-1]  # a second marker on a line belongs to the first one's record
    starts, line = markers[first] + len(_MARKER), line[first]
    ends = np.append(newlines, len(data))[line]
    return starts, ends, line


def _joined_records(data: bytes, starts: np.ndarray, ends: np.ndarray) -> bytes:
    """``data[start:end] + b"\\n"`` for every span, concatenated (one C-level gather, no Python loop)."""
    if b"\r" in data:  # strip trailing carriage returns: spans are no longer followed by their newline
        view = np.frombuffer(data, dtype=np.uint8)
        ends = ends.copy()
        while True:
            cr = (ends > starts) & (view[np.maximum(ends - 1, 0)] == 13)
            if not cr.any():
                break
            ends -= cr
        return b"".join([data[s:e] + b"\n" for s, e in zip(starts.tolist(), ends.tolist(), strict=True)])
    if not data.endswith(b"\n"):
        data += b"\n"
    # Binary array whose odd elements are the records with their newline: offsets 0, s0, e0+1, s1, e1+1, ...
    offsets = np.empty(2 * len(starts) + 1, dtype=np.int64)
    offsets[0] = 0
    offsets[1::2] = starts
    offsets[2::2] = ends + 1
    spans = pa.Array.from_buffers(
        pa.large_binary(), 2 * len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    taken = spans.take(pa.array(np.arange(1, len(spans), 2)))
    total = int(np.asarray(taken.buffers()[1]).view(np.int64)[-1]) if len(taken) else 0
    return taken.buffers()[2][:total].to_pybytes() if total else b""


def extract_log_records(data: bytes) -> LogRecords:
    """Return the step records (``\\r`` stripped) and the mined metadata of one log."""
    starts, ends, line = _record_spans(data)
    body = _joined_records(data, starts, ends) if len(starts) else b""
    return LogRecords(body, line + 1, mine_log_metadata(decode(data)))
