"""Parsing many sources in one go: a fast path through pyarrow's CSV reader, the robust parser as fallback.

Per-call overhead dominates when a run has dozens of small ``N-iteration.csv`` files, so records are
parsed in batches: all CSVs that share a header are concatenated and read by one multi-threaded
``pyarrow.csv.read_csv`` call; all logs' ``SIM_TRACE_LOG`` records are joined into one buffer and read the
same way. The fast path is only trusted when it returns exactly the expected number of rows and every
value validates (finite numbers, integral counters, a-z status, int or two-number list action); otherwise
the batch is re-parsed by :func:`replay.readers.fields.parse_records`, which reports each bad record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from replay.readers.fields import (
    _INT_FIELDS,
    _MAX_EXACT_INT,
    _RAD_TO_DEG,
    _STATUS,
    ParsedRecords,
    _derived_status,
    _merge_groups,
    _parse_action,
    log_field_names,
    parse_records,
)
from replay.readers.scratch import adjacent, scratch
from replay.readers.sim_trace_log import LogRecords
from replay.readers.simtrace_csv import CsvBody, csv_records
from reward_sdk.simtrace import ALL_FIELDS

_STATUS_TEXT = re.compile(_STATUS.strip("^$"))
"""``fields._STATUS`` for ``re.fullmatch`` on the few distinct statuses."""
_NUMERIC = {
    name for name in ALL_FIELDS if name not in ("action", "done", "all_wheels_on_track", "episode_status")
}


def _fast_table(
    buffer: pa.Buffer | bytes, names: Sequence[str], rows: int, list_actions: bool
) -> dict[str, object] | None:
    """Read ``rows`` headerless CSV records with pyarrow; None when the result can't be trusted."""
    known = [n for n in names if n in ALL_FIELDS]
    if len(set(known)) != len(known):
        return None
    types = {n: (pa.float64() if n in _NUMERIC else pa.string()) for n in known}
    types.update({"done": pa.bool_(), "all_wheels_on_track": pa.bool_()})
    types["episode_status"] = pa.dictionary(pa.int32(), pa.string())
    if not list_actions:
        types["action"] = pa.float64()
    column_names = [n if n in ALL_FIELDS else f"_extra{i}" for i, n in enumerate(names)]
    # two blocks: both cores tokenise and convert in parallel when they are free, and only one seam to join
    block_size = max(1 << 16, len(buffer) // 2 + 1)  # type: ignore[arg-type]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(column_names=column_names, block_size=block_size),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=known,
                null_values=[],
                true_values=["True", "true"],
                false_values=["False", "false"],
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != rows:
        return None
    out: dict[str, object] = {}
    for name in known:
        col = table.column(name).combine_chunks()
        if name in _NUMERIC or (name == "action" and not list_actions):
            values = col.to_numpy(zero_copy_only=False)
            if not np.isfinite(values).all():
                return None
            if name in _INT_FIELDS and (
                (values != np.floor(values)).any() or (np.abs(values) >= _MAX_EXACT_INT).any()
            ):
                return None
            out[name] = values
        elif name in ("done", "all_wheels_on_track"):
            out[name] = np.asarray(col.to_numpy(zero_copy_only=False), dtype=bool)
        else:
            out[name] = col
    status = out.get("episode_status")
    if status is not None and not all(map(_STATUS_TEXT.fullmatch, status.dictionary.to_pylist())):  # type: ignore[attr-defined]
        return None
    if list_actions:
        index, steer, speed, valid = _parse_action(out["action"])  # type: ignore[arg-type]
        if not valid.all():
            return None
    else:
        index = np.asarray(out["action"], dtype=np.float64)
        steer, speed = np.full(rows, np.nan), np.full(rows, np.nan)
        if ((index != np.floor(index)) | (np.abs(index) >= _MAX_EXACT_INT)).any():  # type: ignore[operator]
            return None
    out["action"], out["action_steering_angle"], out["action_speed"] = index, steer, speed
    for name in ("pause_duration", "obstacle_crash_counter", "wall_clock"):
        out.setdefault(name, np.full(rows, np.nan))
    if "episode_status" not in out:
        out["episode_status"] = _derived_status(out["done"], out["all_wheels_on_track"], out["progress"])  # type: ignore[arg-type]
    return out


def _join_bodies(csvs: Sequence[CsvBody]) -> tuple[np.ndarray, list[int]]:
    """The CSVs' data lines as one text, and the number of data lines of each CSV.

    CSVs that a :class:`FileArena` read one after the other already are one text: their header lines are
    overwritten with line breaks in place (blank lines, which the CSV reader skips). Others are copied into
    this thread's scratch memory, each body followed by a ``\\n``. The text is valid until the next call. Lines
    are counted on it: one vectorised comparison, then a count per CSV.
    """
    if adjacent([c.blob for c in csvs]):
        base = csvs[0].blob.start
        joined = np.frombuffer(
            csvs[0].blob.data, dtype=np.uint8, count=csvs[-1].blob.end + 1 - base, offset=base
        )
        spans = [(c.blob.start - base + c.start, c.blob.end - base) for c in csvs]  # bodies in ``joined``
        for c, (body, _) in zip(csvs, spans, strict=True):
            joined[body - c.start : body] = 10  # the header line (and any blank lines before it)
    else:
        sizes = [c.size + 1 for c in csvs]
        joined = scratch("csv.joined", sum(sizes))
        spans, pos = [], 0
        for c, size in zip(csvs, sizes, strict=True):
            joined[pos : pos + size - 1] = c.body()
            joined[pos + size - 1] = 10  # "\n"
            spans.append((pos, pos + size - 1))
            pos += size
    newline = scratch("csv.newline", len(joined)).view(bool)
    np.equal(joined, 10, out=newline)
    rows = [
        int(np.count_nonzero(newline[a:b])) + (0 if c.ends_with_newline else 1)
        for c, (a, b) in zip(csvs, spans, strict=True)
    ]
    return joined, rows


def parse_csvs(csvs: Sequence[CsvBody], origins: Sequence[int], source_names: Sequence[str]) -> ParsedRecords:
    """Parse CSVs that share one header; fast path over their concatenated bodies, else record by record."""
    names = csvs[0].names
    result = ParsedRecords()
    if all(c.clean for c in csvs):
        # one-byte search: fast; a ", " without "[" fails validation anyway
        list_actions = any(c.blob.find(b"[", c.start) >= 0 for c in csvs)
        joined, rows = _join_bodies(csvs)
        body: pa.Buffer | bytes = pa.py_buffer(joined)
        if list_actions:  # "[a, b]" actions: make the comma-free form pyarrow can split
            text = joined.tobytes()
            body = text.replace(b", ", b" ") if b", " in text else text
        columns = _fast_table(body, names, sum(rows), list_actions) if sum(rows) else None
        if columns is not None:
            columns["line"] = np.concatenate(
                [
                    np.arange(c.header_line + 1, c.header_line + 1 + n, dtype=np.int64)
                    for c, n in zip(csvs, rows, strict=True)
                ]
            )
            columns["origin"] = np.repeat(np.asarray(origins, dtype=np.int64), rows)
            result.columns = columns
            result.field_counts = {(o, len(names)): n for o, n in zip(origins, rows, strict=True)}
            return result
    pieces = [csv_records(c) for c in csvs]
    records = pa.concat_arrays([p[0] for p in pieces])
    lines = np.concatenate([p[1] for p in pieces])
    origin = np.repeat(np.asarray(origins, dtype=np.int64), [len(p[1]) for p in pieces])
    width = len(names)
    return parse_records(records, lines, origin, source_names, lambda n: names if n == width else None)


def parse_logs(
    logs: Sequence[LogRecords], origins: Sequence[int], source_names: Sequence[str]
) -> ParsedRecords:
    """Parse the step records of several logs at once."""
    lines = np.concatenate([log.lines for log in logs])
    origin = np.repeat(np.asarray(origins, dtype=np.int64), [len(log.lines) for log in logs])
    if len(lines) == 0:
        return ParsedRecords()
    joined: pa.Buffer | bytes = logs[0].body if len(logs) == 1 else b"".join(log.body for log in logs)
    view = np.frombuffer(joined, dtype=np.uint8)
    list_actions = bool(np.equal(view, ord("["), out=scratch("log.bracket", len(view)).view(bool)).any())
    commas = False
    if list_actions:
        text = bytes(joined)
        commas = b", " in text  # "[a, b]" (simapp < 5.2)
        joined = text.replace(b", ", b" ") if commas else text
    first = bytes(memoryview(joined)[:4096])
    if b"\n" not in first:
        first = bytes(joined)
    count = first[: first.index(b"\n")].count(b",") + 1
    names = log_field_names(count)
    if names is not None:  # the CSV reader rejects any record with another field count
        columns = _fast_table(joined, names, len(lines), list_actions)
        if columns is not None:
            if count == 15:
                columns["yaw"] = columns["yaw"] * _RAD_TO_DEG  # type: ignore[operator]
                columns["steer"] = columns["steer"] * _RAD_TO_DEG  # type: ignore[operator]
            columns["line"], columns["origin"] = lines, origin
            result = ParsedRecords(columns=columns, radians_converted=count == 15)
            result.field_counts = {
                (int(o), count): len(log.lines)
                for o, log in zip(origins, logs, strict=True)
                if len(log.lines)
            }
            return result
    records = pa.concat_arrays([log.records for log in logs])
    if commas:
        records = pc.replace_substring(records, ", ", " ")
    return parse_records(records, lines, origin, source_names, log_field_names, radians_when_15=True)


def merge(parsed: Sequence[ParsedRecords]) -> ParsedRecords:
    """Concatenate batches (same column set) into one, rows ordered by (origin, line)."""
    filled = [p for p in parsed if p.rows]
    result = ParsedRecords()
    for p in parsed:
        result.warnings.extend(p.warnings)
        result.bad_lines.update(p.bad_lines)
        result.field_counts.update(p.field_counts)
        result.radians_converted |= p.radians_converted
    if not filled:
        return result
    keys = [np.asarray(p.columns["origin"]) * (1 << 32) + np.asarray(p.columns["line"]) for p in filled]
    result.columns = _merge_groups(list(zip(keys, [p.columns for p in filled], strict=True)))
    return result
