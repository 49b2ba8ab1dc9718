"""Reader for simtrace CSVs (``N-iteration.csv``, CloudWatch-derived ``deepracer-sim-*.csv``, DU exports).

The first non-empty line is the header; columns are matched by **name**, never by position (16/17/18/19-column
files are mixed even inside one model folder). Header names may be the raw simapp names or the
deepracer-utils / 2019-notebook names (``x``, ``y``, ``steering_angle``, ``speed``, ``on_track``,
``timestamp``); unknown extra columns (``iteration``, an index) are ignored. A list action written with a
comma, quoted (``"[a, b]"``) or not (``[a, b]``, which gives the row one field more than the header), is
rejoined before splitting, so such rows keep their columns instead of shifting. Lines equal to the header
(concatenated files) and empty lines are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from replay.readers.scratch import Blob
from replay.readers.text import decode, split_lines
from replay.schema import HEADER_ALIASES
from reward_sdk.errors import UserError
from reward_sdk.simtrace import ALL_FIELDS

REQUIRED_FIELDS = ALL_FIELDS[:15]
"""Columns a simtrace CSV must have (the 15 fields common to every version)."""


class NotASimtraceError(UserError):
    """The file is not a simtrace CSV (its header lacks the step fields)."""


@dataclass
class CsvBody:
    """A simtrace CSV split into its header and its data lines (kept inside the file's bytes, not copied).

    :param header: the header line (no line break).
    :param names: raw field names of the header columns (aliases mapped).
    :param blob: the whole file; the data lines start at offset ``start`` of it.
    :param start: offset (in ``blob``) of the first byte after the header line.
    :param header_line: 1-based line number of the header.
    :param clean: no ``\\r``-separated blank lines after the header, so if the validated fast reader (which
        skips blank lines and fails on a repeated header) returns as many rows as the body has lines, data line
        i is line ``header_line + i``.
    """

    header: bytes
    names: tuple[str, ...]
    blob: Blob
    start: int
    header_line: int
    clean: bool

    @property
    def size(self) -> int:
        """Number of bytes after the header line."""
        return len(self.blob) - self.start

    @property
    def ends_with_newline(self) -> bool:
        """True when the body is empty or its last line has its ``\\n``."""
        return self.size <= 0 or self.blob.endswith(b"\n")

    def body(self) -> np.ndarray:
        """The bytes after the header line, as a uint8 array (no copy)."""
        return self.blob.view(self.start)


def header_names(header: str) -> tuple[str, ...]:
    """Raw field names of a CSV header line (aliases mapped, quotes and whitespace stripped)."""
    names = [name.strip().strip('"').strip() for name in header.rstrip("\r\n").split(",")]
    return tuple(HEADER_ALIASES.get(name, name) for name in names)


def looks_like_simtrace_header(
    first_line: str, names_of: Callable[[str], tuple[str, ...]] = header_names
) -> bool:
    """True if a CSV's first line names the required step fields (``names_of``: see :func:`split_csv`)."""
    return set(REQUIRED_FIELDS) <= set(names_of(first_line))


def split_csv(blob: Blob, source: str, names_of: Callable[[str], tuple[str, ...]] = header_names) -> CsvBody:
    """Find the header of a simtrace CSV and return it with the offset of the data lines.

    :param blob: the file's bytes.
    :param source: display name for error messages.
    :param names_of: :func:`header_names`, or a per-read memoised version of it (CSVs of one run share a header).
    :raises NotASimtraceError: empty file, or the header does not name the required fields.
    """
    head = blob.copy(0, 4096)
    skipped = len(head) - len(head.lstrip(b"\r\n"))
    if skipped == len(head):  # nothing but line breaks so far: look at all of it
        head = blob.copy(0, len(blob))
        skipped = len(head) - len(head.lstrip(b"\r\n"))
    header_line = head.count(b"\n", 0, skipped) + 1
    end = blob.find(b"\n", skipped)
    start = len(blob) if end < 0 else end + 1
    header = blob.copy(skipped, len(blob) if end < 0 else end).rstrip(b"\r")
    if not header.strip():
        raise NotASimtraceError(f"{source}: empty file, expected a simtrace CSV header")
    names = names_of(decode(header))
    missing = [name for name in REQUIRED_FIELDS if name not in names]
    if missing:
        raise NotASimtraceError(f"{source}:{header_line}: not a simtrace CSV header (missing {missing[:3]})")
    # A blank or repeated-header line makes the validated fast reader fail (it skips blank lines, so it returns
    # fewer rows than the body has lines; a header fails number conversion), which sends the batch to the
    # fallback. Only ``\\r``-separated blank lines need an explicit test (two-byte searches: slow, so only for
    # CRLF files).
    data, first = blob.data, blob.start + start
    clean = blob.find(b"\r", start) < 0 or (
        blob.find(b"\n\n", start) < 0
        and blob.find(b"\n\r", start) < 0
        and not data.startswith((b"\n", b"\r", header), first, blob.end)
    )
    return CsvBody(header, names, blob, start, header_line, clean)


def csv_records(csv: CsvBody) -> tuple[pa.Array, np.ndarray]:
    """The data lines of a CSV as records with their 1-based line numbers (blank/header lines dropped)."""
    lines = pc.utf8_rtrim(split_lines(decode(csv.blob.copy(csv.start, len(csv.blob)))), characters="\r")
    header = decode(csv.header)
    keep = pc.and_(pc.not_equal(lines, ""), pc.not_equal(lines, header))
    idx = np.flatnonzero(np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool))
    return lines.take(pa.array(idx)), idx.astype(np.int64) + csv.header_line + 1
