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
from replay.readers.scratch import Blob, scratch
from replay.readers.text import decode, decode_view, split_lines
from reward_sdk.simtrace import LINE_PREFIX

_MARKER = LINE_PREFIX.encode()
assert len(_MARKER) >= 8, "the vectorised marker search compares 8-byte windows"
_MARKER_WORDS = np.frombuffer(b"".join(_MARKER[k : k + 4] for k in range(4)), dtype=np.uint32)
_MARKER_HEAD = np.frombuffer(_MARKER[:8], dtype=np.uint64)[0]
_MARKER_TAIL = np.frombuffer(_MARKER[-8:], dtype=np.uint64)[0]
_HAS_BITWISE_COUNT = hasattr(np, "bitwise_count")  # numpy >= 2.0


@dataclass
class LogRecords:
    """The step records of one log: text after ``SIM_TRACE_LOG:``, their line numbers, and metadata.

    :param body: the records, each followed by ``\\n`` (trailing ``\\r`` stripped): CSV reader input (a pyarrow
        buffer of the records' own memory, or bytes).
    :param lines: 1-based line number of each record.
    :param meta: metadata mined from the non-step lines.
    """

    body: pa.Buffer | bytes
    lines: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def records(self) -> pa.Array:
        """The records decoded (undecodable bytes → U+FFFD) as a pyarrow string array, one per line."""
        if not len(self.body):
            return pa.array([], type=pa.string())
        text = decode(memoryview(self.body)[:-1].tobytes())
        return split_lines(text) if text else pa.array([""], type=pa.string())


def has_sim_trace(blob: Blob) -> bool:
    """True if the file's bytes contain at least one ``SIM_TRACE_LOG:`` marker (searched in place)."""
    return blob.find(_MARKER) >= 0


def _marker_starts(data: bytes | np.ndarray) -> np.ndarray:
    """Sorted offsets of every ``SIM_TRACE_LOG:`` occurrence in ``data`` (bytes or a uint8 array; int64).

    Vectorised search: every occurrence fully contains exactly one 4-byte-aligned word that is one of the
    marker's first four 4-byte substrings, so only a quarter of the positions are compared (as uint32 words);
    the few candidate starts are then checked against the whole marker. The masks live in scratch memory.
    """
    view = data if isinstance(data, np.ndarray) else np.frombuffer(data, dtype=np.uint8)
    n = len(view)
    if n < len(_MARKER):
        return np.zeros(0, dtype=np.int64)
    words = view[: n // 4 * 4].view(np.uint32)
    hit = scratch("log.hit", len(words)).view(bool)
    other = scratch("log.other", len(words)).view(bool)
    np.equal(words, _MARKER_WORDS[0], out=hit)
    for word in _MARKER_WORDS[1:]:
        hit |= np.equal(words, word, out=other)
    index = np.flatnonzero(hit)
    found = words[index]
    shift = (found == _MARKER_WORDS[1]) + 2 * (found == _MARKER_WORDS[2]) + 3 * (found == _MARKER_WORDS[3])
    starts = index * 4 - shift
    starts = starts[(starts >= 0) & (starts <= n - len(_MARKER))]
    # every 8-byte window (unaligned): the marker is its first 8 bytes and its last 8 bytes (overlapping)
    windows = np.ndarray((n - 7,), dtype=np.uint64, buffer=view, strides=(1,))
    exact = (windows[starts] == _MARKER_HEAD) & (windows[starts + len(_MARKER) - 8] == _MARKER_TAIL)
    return np.asarray(starts[exact], dtype=np.int64)


def _lines_and_ends(view: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted offsets into ``view``: the 0-based line of each (newlines before it), and the offset of the
    first newline at or after it (``len(view)`` when there is none).

    Vectorised without listing every newline (a log has several lines per record): the newlines become a
    bitmask of 64 bytes per word; per-word popcounts summed give the newlines before each word, a masked
    popcount those before the offset inside its word; the next newline is the lowest set bit at or after the
    offset, found in that word or, for the few offsets whose line goes on, in the next words.
    """
    n = len(view)
    newline = scratch("log.newline", n + (-n % 64)).view(bool)
    newline[n:] = False
    np.equal(view, 10, out=newline[:n])
    words = np.packbits(newline, bitorder="little").view("<u8")
    before = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.bitwise_count(words), out=before[1:])
    word = positions >> 6
    below = (np.uint64(1) << (positions & 63).astype(np.uint64)) - np.uint64(1)
    line = before[word] + np.bitwise_count(words[word] & below)
    ends = np.full(len(positions), n, dtype=np.int64)
    todo = np.arange(len(positions))
    bits = words[word] & ~below
    while len(todo):
        found = bits != 0
        low = bits[found] & (~bits[found] + np.uint64(1))  # the lowest set bit alone
        ends[todo[found]] = word[found] * 64 + np.bitwise_count(low - np.uint64(1))
        todo, word = todo[~found], word[~found] + 1
        inside = word < len(words)
        todo, word = todo[inside], word[inside]
        bits = words[word]
    return line, ends


def _record_spans(view: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, 0-based line) of the text after the first marker of every line that has one.

    :param view: the log's bytes as a uint8 array.
    """
    markers = _marker_starts(view)
    if len(markers) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    if _HAS_BITWISE_COUNT:
        line, ends = _lines_and_ends(view, markers)
    else:  # numpy < 2.0: every newline's offset
        newlines = np.flatnonzero(view == 10)
        line = np.searchsorted(newlines, markers)
        ends = np.append(newlines, len(view))[line]
    first = np.ones(len(line), dtype=bool)
    first[1:] = line[1:] != line[:-1]  # a second marker on a line belongs to the first one's record
    return markers[first] + len(_MARKER), ends[first], line[first]


def _joined_records(blob: Blob, starts: np.ndarray, ends: np.ndarray) -> pa.Buffer:
    """``data[start:end] + b"\\n"`` for every span (trailing ``\\r`` of a span stripped), concatenated.

    One C-level gather (pyarrow ``take``), no Python loop: the spans become the odd elements of a binary array
    over the log's bytes, each followed by its line's ``\\n``. Where that byte is not there (a stripped ``\\r``, the
    last line without a line break) a ``\\n`` is written into the log's bytes first: in place when they are this
    read's scratch copy with room after the end, else into a scratch copy.
    """
    view = blob.view()
    n = len(view)
    if blob.find(b"\r") >= 0:  # strip trailing carriage returns
        ends = ends.copy()
        while True:
            cr = (ends > starts) & (view[np.maximum(ends - 1, 0)] == 13)
            if not cr.any():
                break
            ends -= cr
    if (ends < n).all() and (view[np.minimum(ends, n - 1)] == 10).all():
        data = view
    else:  # write the missing line breaks
        if isinstance(blob.data, bytearray) and blob.end < len(blob.data):
            data = np.frombuffer(blob.data, dtype=np.uint8, count=n + 1, offset=blob.start)
        else:
            data = scratch("log.copy", n + 1)
            data[:n] = view
        data[ends] = 10
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
    return taken.buffers()[2][:total] if total else pa.py_buffer(b"")


def extract_log_records(blob: Blob) -> LogRecords:
    """Return the step records (``\\r`` stripped) and the mined metadata of one log.

    :param blob: the log's bytes (a scratch copy's bytes may be modified: line breaks written after records).
    """
    view = blob.view()
    ascii_only = len(view) > 0 and int(view.max()) < 128  # then the bytes are searched as they are
    meta = mine_log_metadata(
        memoryview(blob.data)[blob.start : blob.end] if ascii_only else decode_view(blob)
    )
    starts, ends, line = _record_spans(view)
    body = _joined_records(blob, starts, ends) if len(starts) else pa.py_buffer(b"")
    return LogRecords(body, line + 1, meta)
