"""The ``SIM_TRACE_LOG`` step record: field lists per version, one-line formatting and a file writer.

The DeepRacer simulator logs one comma-separated record per environment step, as a line
``SIM_TRACE_LOG:<fields>`` in the robomaker/simulation log and as a row of a simtrace CSV
(``training-simtrace/N-iteration.csv``) whose header is the field names. The fields, in order
(``PARAMS.md`` §5.1; the names are the simapp's ``StepMetrics`` keys and the CSV header names):

====  ======================  ========  =====================================================
 #    field                   printf    meaning
====  ======================  ========  =====================================================
 1    episode                 %d        0-based episode counter of the worker (evaluation: trial)
 2    steps                   %d        per-episode step counter (= params ``steps``)
 3    X                       %.4f      params ``x``: the car's front point, m
 4    Y                       %.4f      params ``y``, m
 5    yaw                     %.4f      params ``heading``, degrees (radians in the 2019 format)
 6    steer                   %.2f      params ``steering_angle``, degrees, + = left
 7    throttle                %.2f      params ``speed``: commanded speed, m/s
 8    action                  %s        discrete: action index; continuous: ``[steer speed]``
 9    reward                  %.4f      reward function value (0.0 on prepare/pause steps)
 10   done                    %s        ``True``/``False``
 11   all_wheels_on_track     %s        ``True``/``False``
 12   progress                %.4f      params ``progress``, percent
 13   closest_waypoint        %d        the nearer of ``closest_waypoints`` (Euclidean)
 14   track_len               %.2f      params ``track_length``, m
 15   tstamp                  %s        simulation time, s (wall clock before 2021)
 16   episode_status          %s        ``prepare``, ``in_progress``, ``off_track``, ``lap_complete``...
 17   pause_duration          %.2f      remaining penalty pause, s
 18   obstacle_crash_counter  %d        consecutive crashes into the same obstacle
 19   wall_clock              %.4f      ``time.time()`` at the step
====  ======================  ========  =====================================================

Versions: 15 fields (2019 console), 16 (simapp v2.0.13–v3.0.x), 17 (v3.1.1–v5.3.1, the format this module
writes), 18 (v5.3.3 / DRoA), 19 (community v6). :data:`FIELDS_BY_COUNT` maps a field count to its names.

This module knows nothing about racing geometry; the simulator fills a row mapping and hands it to
:class:`SimTraceWriter`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Final

ALL_FIELDS: Final[tuple[str, ...]] = (
    "episode",
    "steps",
    "X",
    "Y",
    "yaw",
    "steer",
    "throttle",
    "action",
    "reward",
    "done",
    "all_wheels_on_track",
    "progress",
    "closest_waypoint",
    "track_len",
    "tstamp",
    "episode_status",
    "pause_duration",
    "obstacle_crash_counter",
    "wall_clock",
)
"""The 19 field names of the newest format, in order; older formats are prefixes of it."""

FIELDS_BY_COUNT: Final[dict[int, tuple[str, ...]]] = {n: ALL_FIELDS[:n] for n in (15, 16, 17, 18, 19)}
"""Field names per field count: 15 (2019), 16 (2020), 17 (2021–2023), 18 (DRoA 2025), 19 (community v6)."""

FIELDS_17: Final[tuple[str, ...]] = FIELDS_BY_COUNT[17]
"""The 17-field format written by :func:`format_sim_trace_line` and :class:`SimTraceWriter`."""

LINE_PREFIX: Final[str] = "SIM_TRACE_LOG:"
"""Marker that starts the record inside a log line (ROS prefixes may precede it)."""

EPISODE_STATUSES: Final[tuple[str, ...]] = (
    "prepare",
    "in_progress",
    "off_track",
    "crashed",
    "immobilized",
    "time_up",
    "reversed",
    "lap_complete",
    "pause",
    "park",
)
"""Values of ``episode_status`` seen in real logs."""

# printf format of each numeric field in the log line (PARAMS.md §5.1); other fields use str().
_PRINTF: Final[dict[str, str]] = {
    "episode": "%d",
    "steps": "%d",
    "X": "%.4f",
    "Y": "%.4f",
    "yaw": "%.4f",
    "steer": "%.2f",
    "throttle": "%.2f",
    "reward": "%.4f",
    "progress": "%.4f",
    "closest_waypoint": "%d",
    "track_len": "%.2f",
    "pause_duration": "%.2f",
    "obstacle_crash_counter": "%d",
    "wall_clock": "%.4f",
}

# Accepted alternative keys in a row mapping (deepracer-utils column names and params names).
_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "X": ("x",),
    "Y": ("y",),
    "yaw": ("heading",),
    "steer": ("steering_angle",),
    "throttle": ("speed",),
    "all_wheels_on_track": ("on_track",),
    "track_len": ("track_length",),
}

_DEFAULTS: Final[dict[str, object]] = {"pause_duration": 0.0, "obstacle_crash_counter": 0}


def _value(row: Mapping[str, object], field: str) -> object:
    """Return ``row[field]`` (or an alias, or the field's default); KeyError names the missing field."""
    if field in row:
        return row[field]
    for alias in _ALIASES.get(field, ()):
        if alias in row:
            return row[alias]
    if field in _DEFAULTS:
        return _DEFAULTS[field]
    raise KeyError(f"simtrace row lacks field {field!r}")


def format_action(action: object) -> str:
    """Format an action: an int index as ``3``; a continuous ``(steer, speed)`` pair as ``[steer speed]``.

    The space-separated list form is what simapp ≥ 5.2 writes; it contains no comma, so the line splits
    cleanly. Strings are passed through unchanged.
    """
    if isinstance(action, str):
        return action
    if isinstance(action, Sequence):
        return "[" + " ".join(str(float(v)) for v in action) + "]"
    return str(int(action))  # type: ignore[call-overload]


def _bool_text(value: object) -> str:
    return "True" if bool(value) else "False"


def format_sim_trace_fields(row: Mapping[str, object], fields: Sequence[str] = FIELDS_17) -> list[str]:
    """Format the values of ``fields`` from ``row`` with the simulator's printf precisions.

    :param row: one step; keys are the field names (or the aliases ``x``, ``y``, ``heading``,
        ``steering_angle``, ``speed``, ``on_track``, ``track_length``). ``pause_duration`` and
        ``obstacle_crash_counter`` default to 0.
    :param fields: which fields, in order (default: the 17-field format).
    :returns: one string per field.
    :raises KeyError: a required field is missing.
    """
    out: list[str] = []
    for field in fields:
        value = _value(row, field)
        text = _shared_text(field, value)
        if text is not None:
            out.append(text)
        elif field in _PRINTF:
            spec = _PRINTF[field]
            out.append(spec % (int(value) if spec == "%d" else float(value)))  # type: ignore[call-overload,arg-type]
        else:
            out.append(str(value))
    return out


def _shared_text(field: str, value: object) -> str | None:
    """Text of the fields both writers format alike (the action and the booleans), else ``None``."""
    if field == "action":
        return format_action(value)
    if field in ("done", "all_wheels_on_track"):
        return _bool_text(value)
    return None


def format_sim_trace_line(row: Mapping[str, object], fields: Sequence[str] = FIELDS_17) -> str:
    """Return ``SIM_TRACE_LOG:<comma-separated fields>`` for one step (17-field format by default).

    >>> format_sim_trace_line({"episode": 0, "steps": 1, "X": 3.2, "Y": 0.68, "yaw": 0.18, "steer": 20,
    ...     "throttle": 1, "action": 10, "reward": 0.0, "done": False, "all_wheels_on_track": True,
    ...     "progress": 0.79, "closest_waypoint": 1, "track_len": 17.709, "tstamp": 27.788,
    ...     "episode_status": "prepare"})
    'SIM_TRACE_LOG:0,1,3.2000,0.6800,0.1800,20.00,1.00,10,0.0000,False,True,0.7900,1,17.71,27.788,prepare,0.00'
    """
    return LINE_PREFIX + ",".join(format_sim_trace_fields(row, fields))


def format_simtrace_csv_row(row: Mapping[str, object], fields: Sequence[str] = FIELDS_17) -> str:
    """Return one simtrace CSV row: full-precision ``str()`` values, ``steps`` as a float (``1.0``)."""
    out: list[str] = []
    for field in fields:
        value = _value(row, field)
        text = _shared_text(field, value)
        if text is not None:
            out.append(text)
        elif field == "steps":
            out.append(str(float(value)))  # type: ignore[arg-type]
        elif field in ("episode", "closest_waypoint", "obstacle_crash_counter"):
            out.append(str(int(value)))  # type: ignore[call-overload]
        else:
            out.append(str(value))
    return ",".join(out)


class _AtomicText:
    """A text file written to a temporary sibling and moved into place by :meth:`commit`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.tmp_path = Path(tmp)
        self.handle: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def commit(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.tmp_path, self.path)

    def discard(self) -> None:
        self.handle.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp_path.unlink()


class SimTraceWriter:
    """Write steps as ``SIM_TRACE_LOG`` lines (and optionally a simtrace CSV), atomically.

    Both files are written to temporary siblings and renamed into place when the ``with`` block ends
    without an exception; on an exception (or Ctrl-C) the temporary files are removed and nothing is
    left half-written at the target paths.

    :param log_path: the text log to write (``SIM_TRACE_LOG:`` lines, 17-field format).
    :param csv_path: optional simtrace CSV (header row + full-precision rows) written alongside.
    :param fields: the field list to write; default the 17 fields of :data:`FIELDS_17`.
    :param header_lines: free text lines written before the first step (e.g. ``" * /WORLD_NAME: x"``
        so readers can identify the track).

    Example::

        with SimTraceWriter(Path("run/robomaker.log"), csv_path=Path("run/0-iteration.csv")) as writer:
            writer.write(row)            # row: Mapping with the field names
    """

    def __init__(
        self,
        log_path: Path | str,
        *,
        csv_path: Path | str | None = None,
        fields: Sequence[str] = FIELDS_17,
        header_lines: Iterable[str] = (),
    ) -> None:
        self.log_path = Path(log_path)
        self.csv_path = Path(csv_path) if csv_path is not None else None
        self.fields: tuple[str, ...] = tuple(fields)
        self._header_lines = list(header_lines)
        self._log: _AtomicText | None = None
        self._csv: _AtomicText | None = None
        self.rows_written = 0

    def __enter__(self) -> SimTraceWriter:
        self._log = _AtomicText(self.log_path)
        for line in self._header_lines:
            self._log.handle.write(line.rstrip("\n") + "\n")
        if self.csv_path is not None:
            self._csv = _AtomicText(self.csv_path)
            self._csv.handle.write(",".join(self.fields) + "\n")
        return self

    def write(self, row: Mapping[str, object]) -> None:
        """Append one step. :raises RuntimeError: outside the ``with`` block. :raises KeyError: missing field."""
        if self._log is None:
            raise RuntimeError("SimTraceWriter.write called outside its with-block")
        self._log.handle.write(format_sim_trace_line(row, self.fields) + "\n")
        if self._csv is not None:
            self._csv.handle.write(format_simtrace_csv_row(row, self.fields) + "\n")
        self.rows_written += 1

    def write_many(self, rows: Iterable[Mapping[str, object]]) -> None:
        """Append several steps in order."""
        for row in rows:
            self.write(row)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        files = [f for f in (self._log, self._csv) if f is not None]
        if exc_type is None:
            for f in files:
                f.commit()
        else:
            for f in files:
                f.discard()
        self._log = self._csv = None
