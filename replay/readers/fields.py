"""Vectorised parsing of comma-separated step records into typed columns (pyarrow compute, no per-line Python).

Both the ``SIM_TRACE_LOG`` lines of a log and the data lines of a simtrace CSV are records of the fields in
:data:`reward_sdk.simtrace.ALL_FIELDS`. :func:`parse_records` takes the record texts and their line
numbers, normalises list actions (``[a, b]``, ``"[a, b]"``, ``[a b]`` all become ``[a b]`` so the comma no
longer splits them), splits on commas, picks the field names by field count, converts every field, and
returns typed numpy columns for the valid records plus one ``file:line: reason`` warning per invalid record.
A record is invalid when its field count has no name list, or any of its fields does not parse (a number
that is not finite, a boolean other than True/False, a status with characters other than ``a-z_``, an
action that is neither an integer nor a two-number list). Invalid records are skipped, never half-filled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reward_sdk.simtrace import FIELDS_BY_COUNT

_LIST_ACTION = r'"?\[\s*([^\[\],"\s]+)\s*[,\s]\s*([^\[\],"\s]+)\s*\]"?'
_NUMBER = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"
_STATUS = r"^[a-z_]+$"
_INT_FIELDS = ("episode", "steps", "closest_waypoint", "obstacle_crash_counter")
_FLOAT_FIELDS = ("X", "Y", "yaw", "steer", "throttle", "reward", "progress", "track_len", "tstamp")
_OPTIONAL_FLOATS = ("pause_duration", "wall_clock")
_MAX_EXACT_INT = 2.0**53
_RAD_TO_DEG = 180.0 / math.pi


@dataclass
class ParsedRecords:
    """Typed columns of the valid records (raw field names, plus ``line`` and ``origin``) and the warnings.

    ``field_counts`` maps (origin, field count) to the number of valid records.

    Numeric fields are float64 (integers included; the caller casts), ``done`` and
    ``all_wheels_on_track`` bool, ``action`` float64 (NaN for list actions), ``action_steering_angle`` /
    ``action_speed`` float64 (NaN for index actions), ``episode_status`` a pyarrow string array. Fields absent
    from a record's format are NaN (status: derived, see :func:`_derived_status`).
    """

    columns: dict[str, object] = field(default_factory=dict)
    field_counts: dict[tuple[int, int], int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    radians_converted: bool = False
    bad_lines: dict[int, int] = field(default_factory=dict)

    def warn(self, origin: int, message: str) -> None:
        """Record one skipped record of source ``origin``."""
        self.warnings.append(message)
        self.bad_lines[origin] = self.bad_lines.get(origin, 0) + 1

    @property
    def rows(self) -> int:
        line = self.columns.get("line")
        return 0 if line is None else len(line)  # type: ignore[arg-type]


NameResolver = Callable[[int], tuple[str, ...] | None]


def log_field_names(count: int) -> tuple[str, ...] | None:
    """Field names of a SIM_TRACE_LOG record with ``count`` fields (15–19), else None."""
    return FIELDS_BY_COUNT.get(count)


def _clip(text: object) -> str:
    value = str(text)
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _parse_float(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (values, valid) for a string column of decimal numbers; invalid entries are NaN."""
    col = pc.utf8_trim_whitespace(col)
    try:
        values = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.fill_null(pc.match_substring_regex(col, _NUMBER), False)
        values = pc.cast(pc.if_else(ok, col, "nan"), pa.float64()).to_numpy(zero_copy_only=False)
    values = np.asarray(values, dtype=np.float64)
    return values, np.isfinite(values)


def _parse_bool(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    col = pc.utf8_lower(pc.utf8_trim_whitespace(col))
    is_true = pc.fill_null(pc.equal(col, "true"), False).to_numpy(zero_copy_only=False)
    is_false = pc.fill_null(pc.equal(col, "false"), False).to_numpy(zero_copy_only=False)
    return np.asarray(is_true, dtype=bool), np.asarray(is_true | is_false, dtype=bool)


def _parse_action(col: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (index, list_steer, list_speed, valid); index is NaN for list actions and vice versa."""
    col = pc.utf8_trim_whitespace(col)
    n = len(col)
    index = np.full(n, np.nan)
    steer = np.full(n, np.nan)
    speed = np.full(n, np.nan)
    is_list = np.asarray(pc.fill_null(pc.starts_with(col, "["), False).to_numpy(zero_copy_only=False), bool)
    valid = np.zeros(n, dtype=bool)
    plain = np.flatnonzero(~is_list)
    if len(plain):
        values, ok = _parse_float(col.take(pa.array(plain)))
        ok &= (values == np.floor(values)) & (np.abs(values) < _MAX_EXACT_INT)
        index[plain] = np.where(ok, values, np.nan)
        valid[plain] = ok
    listed = np.flatnonzero(is_list)
    if len(listed):
        inner = pc.utf8_trim(col.take(pa.array(listed)), characters='[]" ')
        pairs = pc.utf8_split_whitespace(pc.replace_substring(inner, ",", " "))
        two = np.asarray(pc.list_value_length(pairs).to_numpy(zero_copy_only=False)) == 2
        flat = pc.list_flatten(pairs.filter(pa.array(two)))
        a, ok_a = _parse_float(flat.take(pa.array(np.arange(0, len(flat), 2))))
        b, ok_b = _parse_float(flat.take(pa.array(np.arange(1, len(flat), 2))))
        rows = listed[two]
        ok = ok_a & ok_b
        steer[rows] = np.where(ok, a, np.nan)
        speed[rows] = np.where(ok, b, np.nan)
        valid[rows] = ok
    return index, steer, speed, valid


def _derived_status(done: np.ndarray, on_track: np.ndarray, progress: np.ndarray) -> pa.Array:
    """Status for formats without ``episode_status`` (15 fields): in_progress, lap_complete, off_track, unknown."""
    status = np.where(
        ~done,
        "in_progress",
        np.where(progress >= 100.0, "lap_complete", np.where(~on_track, "off_track", "unknown")),
    )
    return pa.array(status, type=pa.string())


def _parse_group(
    cols: Mapping[str, pa.Array], radians: bool
) -> tuple[dict[str, object], np.ndarray, list[tuple[int, str]]]:
    """Convert the string columns of one field-count group; return (columns, valid, first failures)."""
    n = len(next(iter(cols.values())))
    out: dict[str, object] = {}
    valid = np.ones(n, dtype=bool)
    failures: list[tuple[int, str]] = []

    def note(name: str, ok: np.ndarray) -> None:
        nonlocal valid
        bad = np.flatnonzero(~ok & valid)
        for i in bad:
            failures.append((int(i), f"bad value for {name!r}: {_clip(cols[name][int(i)].as_py())}"))
        valid &= ok

    for name in (*_INT_FIELDS, *_FLOAT_FIELDS, *_OPTIONAL_FLOATS):
        if name not in cols:
            out[name] = np.full(n, np.nan)
            continue
        values, ok = _parse_float(cols[name])
        if name in _INT_FIELDS:
            ok &= (values == np.floor(values)) & (np.abs(values) < _MAX_EXACT_INT)
        note(name, ok)
        out[name] = values
    for name in ("done", "all_wheels_on_track"):
        values, ok = _parse_bool(cols[name])
        note(name, ok)
        out[name] = values
    index, steer, speed, ok = _parse_action(cols["action"])
    note("action", ok)
    out["action"], out["action_steering_angle"], out["action_speed"] = index, steer, speed
    if "episode_status" in cols:
        status = pc.utf8_trim_whitespace(cols["episode_status"])
        ok = np.asarray(
            pc.fill_null(pc.match_substring_regex(status, _STATUS), False).to_numpy(zero_copy_only=False),
            bool,
        )
        note("episode_status", ok)
        out["episode_status"] = status
    else:
        out["episode_status"] = _derived_status(out["done"], out["all_wheels_on_track"], out["progress"])  # type: ignore[arg-type]
    if radians:
        out["yaw"] = out["yaw"] * _RAD_TO_DEG  # type: ignore[operator]
        out["steer"] = out["steer"] * _RAD_TO_DEG  # type: ignore[operator]
    return out, valid, failures


def parse_records(
    records: pa.Array,
    line_numbers: np.ndarray,
    origins: np.ndarray,
    source_names: Sequence[str],
    names_for: NameResolver,
    *,
    radians_when_15: bool = False,
) -> ParsedRecords:
    """Parse comma-separated step records (possibly of several sources) into typed columns.

    :param records: pyarrow string array, one record per element (no ``SIM_TRACE_LOG:`` prefix, no newline).
    :param line_numbers: int64 array, the 1-based line number of each record in its source (for warnings).
    :param origins: int64 array, index into ``source_names`` of each record's source; returned as the
        ``origin`` column.
    :param source_names: display names used in warnings (``source:line: reason``).
    :param names_for: field count → field names (raw names from ``reward_sdk.simtrace``), or None when a
        record with that many fields is invalid.
    :param radians_when_15: the 15-field (2019) format carries yaw and steering in radians: convert them.
    :returns: :class:`ParsedRecords` with the valid records in line order.
    """
    result = ParsedRecords()
    if len(records) == 0:
        return result
    records = pc.utf8_rtrim(records, characters="\r\n")
    if pc.any(pc.match_substring(records, "[")).as_py():
        records = pc.replace_substring_regex(records, _LIST_ACTION, r"[\1 \2]")
    lists = pc.split_pattern(records, ",")
    counts = np.asarray(pc.list_value_length(lists).to_numpy(zero_copy_only=False), dtype=np.int64)
    groups: list[tuple[np.ndarray, dict[str, object]]] = []
    for count in np.unique(counts):
        rows = np.flatnonzero(counts == count)
        names = names_for(int(count))
        if names is None:
            for record in rows:
                result.warn(
                    int(origins[record]),
                    f"{source_names[origins[record]]}:{line_numbers[record]}: unexpected number of fields ({count}); "
                    "record skipped",
                )
            continue
        flat = pc.list_flatten(lists.take(pa.array(rows)))
        width = len(names)
        cols = {name: flat.take(pa.array(np.arange(j, len(flat), width))) for j, name in enumerate(names)}
        radians = radians_when_15 and count == 15
        parsed, valid, failures = _parse_group(cols, radians)
        for i, reason in failures:
            failed_row = int(rows[i])
            result.warnings.append(
                f"{source_names[origins[failed_row]]}:{line_numbers[failed_row]}: {reason}; record skipped"
            )
        keep = np.flatnonzero(valid)
        for origin, n_kept in zip(*np.unique(origins[rows[keep]], return_counts=True), strict=True):
            result.field_counts[(int(origin), int(count))] = int(n_kept)
        result.radians_converted |= radians and len(keep) > 0
        if len(keep) == 0:
            continue
        taken: dict[str, object] = {}
        for name, values in parsed.items():
            taken[name] = values.take(pa.array(keep)) if isinstance(values, pa.Array) else values[keep]  # type: ignore[index]
        taken["line"] = line_numbers[rows[keep]]
        taken["origin"] = origins[rows[keep]]
        groups.append((rows[keep], taken))
    result.columns = _merge_groups(groups)
    return result


def _merge_groups(groups: list[tuple[np.ndarray, dict[str, object]]]) -> dict[str, object]:
    """Concatenate per-count groups and restore record order."""
    if not groups:
        return {}
    if len(groups) == 1:
        return groups[0][1]
    order = np.argsort(np.concatenate([g[0] for g in groups]), kind="stable")
    merged: dict[str, object] = {}
    for name in groups[0][1]:
        parts = [g[1][name] for g in groups]
        if isinstance(parts[0], pa.Array):
            arrays: list[pa.Array] = parts  # type: ignore[assignment]
            if len({a.type for a in arrays}) > 1:  # fast path (dictionary) next to fallback (string)
                arrays = [a.dictionary_decode() if pa.types.is_dictionary(a.type) else a for a in arrays]
            merged[name] = pa.concat_arrays(arrays).take(pa.array(order))
        else:
            merged[name] = np.concatenate(parts)[order]  # type: ignore[arg-type]
    return merged
