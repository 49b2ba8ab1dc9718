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

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
    """A simtrace CSV split into its header and its data bytes.

    :param names: raw field names of the header columns (aliases mapped).
    :param body: the bytes after the header line.
    :param header_line: 1-based line number of the header.
    :param rows: number of data lines when ``clean``.
    :param clean: no ``\\r``-separated blank lines after the header, so if the validated fast reader (which
        skips blank lines and fails on a repeated header) returns exactly ``rows`` rows, data line i is line
        ``header_line + i``.
    """

    header: bytes
    names: tuple[str, ...]
    body: bytes
    header_line: int
    rows: int
    clean: bool


def header_names(header: str) -> tuple[str, ...]:
    """Raw field names of a CSV header line (aliases mapped, quotes and whitespace stripped)."""
    names = [name.strip().strip('"').strip() for name in header.rstrip("\r\n").split(",")]
    return tuple(HEADER_ALIASES.get(name, name) for name in names)


def looks_like_simtrace_header(first_line: str) -> bool:
    """True if a CSV's first line names the required step fields."""
    return set(REQUIRED_FIELDS) <= set(header_names(first_line))


def split_csv(data: bytes, source: str) -> CsvBody:
    """Find the header of a simtrace CSV and return it with the data bytes.

    :raises NotASimtraceError: empty file, or the header does not name the required fields.
    """
    stripped = data.lstrip(b"\r\n")
    header_line = data[: len(data) - len(stripped)].count(b"\n") + 1
    end = stripped.find(b"\n")
    header = stripped if end < 0 else stripped[:end]
    body = b"" if end < 0 else stripped[end + 1 :]
    header = header.rstrip(b"\r")
    if not header.strip():
        raise NotASimtraceError(f"{source}: empty file, expected a simtrace CSV header")
    names = header_names(decode(header))
    missing = [name for name in REQUIRED_FIELDS if name not in names]
    if missing:
        raise NotASimtraceError(f"{source}:{header_line}: not a simtrace CSV header (missing {missing[:3]})")
    # A blank or repeated-header line makes the validated fast reader fail (it skips blank lines, so it returns
    # fewer rows than ``rows``; a header fails number conversion), which sends the batch to the fallback. Only
    # ``\r``-separated blank lines need an explicit test (two-byte searches: slow, so only for CRLF files).
    clean = b"\r" not in body or (
        b"\n\n" not in body and b"\n\r" not in body and not body.startswith((b"\n", b"\r", header))
    )
    rows = 0 if not body else body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    return CsvBody(header, names, body, header_line, rows, clean)


def csv_records(csv: CsvBody) -> tuple[pa.Array, np.ndarray]:
    """The data lines of a CSV as records with their 1-based line numbers (blank/header lines dropped)."""
    lines = pc.utf8_rtrim(split_lines(decode(csv.body)), characters="\r")
    header = decode(csv.header)
    keep = pc.and_(pc.not_equal(lines, ""), pc.not_equal(lines, header))
    idx = np.flatnonzero(np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool))
    return lines.take(pa.array(idx)), idx.astype(np.int64) + csv.header_line + 1
