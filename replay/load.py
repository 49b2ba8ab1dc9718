"""``read_logs``: every supported log variant into one step DataFrame plus per-source metadata.

Example::

    from replay import read_logs
    log = read_logs(["sample-drfc-3-logs/"])         # a folder, files, .gz or .tar.gz, mixed
    log.steps                                         # DataFrame, columns/dtypes of replay.schema.STEP_COLUMNS
    log.sources[0].format, log.sources[0].worker      # per-source metadata (replay.schema.SourceInfo)
    log.warnings                                      # ["file:line: reason", ...] for skipped records
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from replay.detect import (
    Candidate,
    LogInputError,
    is_archive,
    iteration_of,
    kind_by_name,
    phase_of,
    run_of,
    worker_of,
)
from replay.readers.batch import merge, parse_csvs, parse_logs
from replay.readers.fields import ParsedRecords
from replay.readers.log_metadata import action_space_type_of, parse_model_metadata
from replay.readers.scratch import Blob, FileArena, check_lines
from replay.readers.sim_trace_log import LogRecords, extract_log_records, has_sim_trace
from replay.readers.simtrace_csv import (
    CsvBody,
    NotASimtraceError,
    header_names,
    looks_like_simtrace_header,
    split_csv,
)
from replay.readers.sources import Budget, LogLimitError, candidates, limit
from replay.schema import STEP_COLUMNS, SourceInfo
from reward_sdk.errors import InputLimitError, UserError
from reward_sdk.sim.actions import read_metadata_bytes

try:  # pandas >= 3.0: a frame from ready-made blocks (no per-column sanitising, no consolidation)
    from pandas.api.internals import create_dataframe_from_blocks as _from_blocks
except ImportError:  # pragma: no cover - older pandas: the DataFrame constructor
    _from_blocks = None

DEFAULT_EPISODES_PER_ITERATION = 20
"""``num_episodes_between_training`` default, used to number iterations of logs without hyper-parameters."""


@dataclass
class ReplayLog:
    """The result of :func:`read_logs`.

    :param steps: one row per step, columns and dtypes of :data:`replay.schema.STEP_COLUMNS`, sorted by source then line.
    :param sources: metadata of every source read, in reading order.
    :param warnings: ``source:line: reason`` for every record skipped, plus notes on skipped files.
    :param skipped_sources: sources dropped by ``duplicates="prefer_csv"`` (same run also present as CSV).
    """

    steps: pd.DataFrame
    sources: list[SourceInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_sources: list[str] = field(default_factory=list)

    @property
    def track_len(self) -> float | None:
        """Median logged track length over all rows (m), None without rows."""
        return None if self.steps.empty else float(self.steps["track_len"].median())

    @property
    def world_names(self) -> list[str]:
        """Distinct world names mentioned by the sources' metadata."""
        return sorted({s.world_name for s in self.sources if s.world_name})


def _sniff_kind(blob: Blob, names_of: Callable[[str], tuple[str, ...]] = header_names) -> str | None:
    """``csv``/``log`` from the content: a simtrace header on the first line, or SIM_TRACE_LOG markers.

    :param names_of: header line → field names (:func:`header_names`, possibly memoised for this read).
    """
    head = blob.copy(0, 4096).decode("utf-8", errors="replace").lstrip("\ufeff \r\n")
    if looks_like_simtrace_header(head.split("\n", 1)[0], names_of):
        return "csv"
    if has_sim_trace(blob):
        return "log"
    return None


def _read_blob(cand: Candidate, arena: FileArena, max_line: int) -> Blob:
    """The candidate's bytes: plain files straight into the read's arena, others through ``cand.read``.

    :param max_line: longest line accepted (bytes; :data:`replay.readers.sources.MAX_LINE_BYTES`).
    :raises LogInputError: the file cannot be read; :class:`LogLimitError`: not a regular file, a gzip bomb,
        or a line longer than ``max_line``.
    """
    try:
        if cand.path is None:
            data = cand.read()
            check_lines(data, 0, len(data), max_line, cand.source)
            return Blob.of(data)
        return arena.read(cand.path, max_line)
    except InputLimitError as exc:
        raise LogLimitError(str(exc)) from None
    except OSError as exc:
        raise LogInputError(f"{cand.path}: cannot read ({exc.strerror or exc})") from exc


def _read_side_metadata(cand: Candidate) -> dict[str, Any]:
    """A ``model_metadata.json`` (as ``{key: value}``) or ``hyperparameters.json`` (as ``{"hyperparameters":
    {...}}``): a regular file of at most :data:`reward_sdk.sim.actions.MAX_METADATA_BYTES`, types checked.

    :raises LogLimitError: not a regular file, too big or nested too deeply; :class:`LogInputError`: a key of
        the wrong type.
    """
    try:
        data = read_metadata_bytes(cand.path) if cand.path is not None else cand.read()
        meta = parse_model_metadata(data, cand.source, hyperparameters=cand.name != "model_metadata.json")
    except InputLimitError as exc:
        raise LogLimitError(str(exc)) from None
    except UserError as exc:
        if isinstance(exc, LogInputError):
            raise
        raise LogInputError(str(exc)) from None
    return meta if cand.name == "model_metadata.json" else {"hyperparameters": meta}


@dataclass
class _Pending:
    """A source whose bytes were read and classified, waiting for the batched parse."""

    candidate: Candidate
    kind: str
    csv: CsvBody | None = None
    log: LogRecords | None = None

    @property
    def meta(self) -> dict[str, Any]:
        return self.log.meta if self.log is not None else {}


def _dense_rank(keys: np.ndarray) -> np.ndarray:
    """``np.unique(keys, return_inverse=True)[1]`` (int64), by a presence table when the key range is small."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(keys.min())
    span = int(keys.max()) - low + 1
    if span > 4 * len(keys) + 1024:
        return np.asarray(np.unique(keys, return_inverse=True)[1], dtype=np.int64).ravel()
    present = np.zeros(span, dtype=bool)
    present[keys - low] = True
    rank = np.cumsum(present, dtype=np.int64) - 1
    return np.asarray(rank[keys - low], dtype=np.int64)


def _per_source_stats(
    parsed: ParsedRecords, origin: np.ndarray, bounds: np.ndarray
) -> dict[int, tuple[int, float]]:
    """Source index → (distinct episodes, median track_len) for every source with rows.

    :param parsed: the merged records; rows are sorted by ``origin``.
    :param origin: source index of every row (int64, non-decreasing).
    :param bounds: ``bounds[i]:bounds[i + 1]`` are the rows of source ``i``.

    No per-source loop over numpy calls (dozens of small CSVs make per-call overhead dominate), and no sort in
    the usual case where episodes only grow and ``track_len`` is constant within a source.
    """
    episode = np.asarray(parsed.columns["episode"], dtype=np.float64)
    track_len = np.asarray(parsed.columns["track_len"], dtype=np.float64)
    same_source = origin[1:] == origin[:-1]
    if (same_source & (episode[1:] < episode[:-1])).any():  # episodes go back somewhere: sort the pairs
        order = np.lexsort((episode, origin))
        o_sorted, e_sorted = origin[order], episode[order]
        new_pair = np.ones(len(order), dtype=bool)
        new_pair[1:] = (o_sorted[1:] != o_sorted[:-1]) | (e_sorted[1:] != e_sorted[:-1])
        episodes = np.bincount(o_sorted[new_pair], minlength=len(bounds) - 1)
    else:  # sorted within each source already: a new pair starts wherever source or episode changes
        new_pair = np.ones(len(origin), dtype=bool)
        new_pair[1:] = ~same_source | (episode[1:] != episode[:-1])
        episodes = np.bincount(origin[new_pair], minlength=len(bounds) - 1)
    sizes = np.diff(bounds)
    filled = np.flatnonzero(sizes)
    starts = bounds[filled]
    low, high = np.minimum.reduceat(track_len, starts), np.maximum.reduceat(track_len, starts)
    if (low != high).any():  # median within each source's (contiguous) rows: sort by (origin, value)
        t_sorted = track_len[np.lexsort((track_len, origin))]
        low = t_sorted[starts + (sizes[filled] - 1) // 2]
        high = t_sorted[starts + sizes[filled] // 2]
    medians = (low + high) / 2
    return {
        int(i): (int(episodes[i]), float(m)) for i, m in zip(filled.tolist(), medians.tolist(), strict=True)
    }


def _source_infos(pending: list[_Pending], parsed: ParsedRecords) -> list[SourceInfo]:
    """One SourceInfo per pending source, with row/episode/track statistics from the parsed columns."""
    origin = np.asarray(parsed.columns.get("origin", np.zeros(0, np.int64)))
    n = len(pending)
    bounds = np.searchsorted(origin, np.arange(n + 1))  # rows are sorted by origin
    infos = []
    stats = _per_source_stats(parsed, origin, bounds) if len(origin) else {}
    counts_of: dict[int, dict[int, int]] = {}
    for (o, c), k in parsed.field_counts.items():
        counts_of.setdefault(o, {})[c] = k
    for i, p in enumerate(pending):
        cand, meta = p.candidate, p.meta
        counts = counts_of.get(i, {})
        info = SourceInfo(
            source=cand.source,
            format="simtrace_csv" if p.kind == "csv" else "sim_trace_log",
            container=cand.container,
            field_counts=counts,
            phase=phase_of(cand.source, meta.get("job_type")),
            worker=worker_of(cand.source),
            run=run_of(cand, p.kind),
            rows=int(bounds[i + 1] - bounds[i]),
            bad_lines=parsed.bad_lines.get(i, 0),
            radians_converted=counts.get(15, 0) > 0,
        )
        info.episodes, info.track_len = stats.get(i, (0, None))  # type: ignore[assignment]
        info.world_name = meta.get("world_name")
        info.action_space = meta.get("action_space")
        info.action_space_type = meta.get("action_space_type") or action_space_type_of(info.action_space)
        info.extra = {k: v for k, v in meta.items() if k not in _META_IN_FIELDS}
        infos.append(info)
    return infos


_META_IN_FIELDS = ("world_name", "action_space", "action_space_type", "job_type")


def _iterations(
    pending: list[_Pending], infos: list[SourceInfo], origin: np.ndarray, episode: np.ndarray
) -> np.ndarray:
    """Per row (int64): ``N`` of ``N-iteration.csv``; for logs ``episode // num_episodes_between_training``."""
    per_source = np.zeros(len(pending), dtype=np.int64)
    divisor = np.zeros(len(pending), dtype=np.int64)
    for i, (p, info) in enumerate(zip(pending, infos, strict=True)):
        if p.kind == "csv":
            per_source[i] = iteration_of(p.candidate.rel) or 0
            continue
        hyper = info.extra.get("hyperparameters") or {}
        per = hyper.get("num_episodes_between_training") if isinstance(hyper, dict) else None
        if isinstance(per, int | float) and not isinstance(per, bool) and 1 <= per < 2**31:  # not inf/NaN
            divisor[i] = int(per)
        else:
            divisor[i] = DEFAULT_EPISODES_PER_ITERATION
    if not divisor.any():  # only CSVs
        return np.asarray(per_source[origin], dtype=np.int64)
    if divisor.all() and (divisor == divisor[0]).all():  # only logs, one divisor
        return np.asarray(episode // divisor[0], dtype=np.int64)
    div = divisor[origin]
    return np.asarray(np.where(div > 0, episode // np.maximum(div, 1), per_source[origin]), dtype=np.int64)


def _as_int64(values: Any) -> np.ndarray:
    """A float64 column of validated integral values as int64."""
    return np.asarray(values, dtype=np.float64).astype(np.int64)


def _frame(parsed: ParsedRecords, pending: list[_Pending], infos: list[SourceInfo]) -> pd.DataFrame:
    """Map parsed raw fields to the schema's columns and dtypes.

    :param parsed: merged records (raw field names plus ``line``/``origin``; see :class:`ParsedRecords`).
    :param pending: the sources, in origin order; ``infos``: their metadata (same order).
    :returns: the step frame, columns and dtypes of :data:`STEP_COLUMNS`. The parsed arrays become the frame's
        columns as they are (one block per column, no consolidation copy).
    """
    c = parsed.columns
    origin = np.asarray(c["origin"], dtype=np.int64)
    episode = _as_int64(c["episode"])
    action = np.asarray(c["action"], dtype=np.float64)
    listed = np.isnan(action)
    if listed.any():
        action = np.where(listed, -1.0, action)
    run_names = [info.run for info in infos]
    run_index = np.asarray([run_names.index(r) for r in run_names], dtype=np.int64)
    keys = run_index[origin] * (1 << 32) + (episode - episode.min())
    phase_names = sorted({info.phase for info in infos})
    phase_codes = np.asarray([phase_names.index(info.phase) for info in infos])
    data: dict[str, Any] = {
        "episode": episode,
        "steps": _as_int64(c["steps"]),
        "x": c["X"],
        "y": c["Y"],
        "yaw": c["yaw"],
        "steering_angle": c["steer"],
        "speed": c["throttle"],
        "action": action.astype(np.int64),
        "action_steering_angle": c["action_steering_angle"],
        "action_speed": c["action_speed"],
        "reward": c["reward"],
        "done": c["done"],
        "on_track": c["all_wheels_on_track"],
        "progress": c["progress"],
        "closest_waypoint": _as_int64(c["closest_waypoint"]),
        "track_len": c["track_len"],
        "tstamp": c["tstamp"],
        "episode_status": _status_categorical(c["episode_status"]),
        "pause_duration": c["pause_duration"],
        "obstacle_crash_counter": np.asarray(c["obstacle_crash_counter"], dtype=np.float64),
        "wall_clock": c["wall_clock"],
        "iteration": _iterations(pending, infos, origin, episode),
        "worker": np.asarray([info.worker for info in infos], dtype=np.int64)[origin],
        "phase": _categorical(phase_codes[origin], phase_names),
        "source": _categorical(origin, [info.source for info in infos]),
        "line": np.asarray(c["line"], dtype=np.int64),
        "unique_episode": _dense_rank(keys),
    }
    return _assemble(data, len(origin))


_COLUMNS = pd.Index(list(STEP_COLUMNS))
"""The frame's column labels; each frame gets a shallow copy (its own ``name``), not a rebuilt Index."""


def _assemble(data: dict[str, Any], rows: int) -> pd.DataFrame:
    """DataFrame of the :data:`STEP_COLUMNS` in ``data`` (1-D numpy arrays of the schema dtype, or Categoricals).

    Every array becomes its own block as it is: no per-column sanitising, no consolidation copy. Falls back to
    the ``DataFrame`` constructor on pandas without ``pandas.api.internals.create_dataframe_from_blocks``.
    """
    if _from_blocks is None:
        return pd.DataFrame(data, columns=list(STEP_COLUMNS), copy=False)
    blocks = []
    for i, name in enumerate(STEP_COLUMNS):
        values = data[name]
        if isinstance(values, np.ndarray):
            values = values.astype(STEP_COLUMNS[name], copy=False).reshape(1, rows)
        blocks.append((values, np.array([i])))
    frame: pd.DataFrame = _from_blocks(blocks, pd.RangeIndex(rows), _COLUMNS.copy())
    return frame


def _status_categorical(status: Any) -> pd.Categorical:
    """pyarrow string or dictionary array → pandas Categorical."""
    if not pa.types.is_dictionary(status.type):
        status = status.dictionary_encode()
    codes = np.asarray(status.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    return _categorical(codes, status.dictionary.to_pylist())


_STR_DTYPE = pd.Index([], dtype="str").dtype
"""The dtype pandas gives ``dtype="str"`` (resolved once: passing the object is faster than the alias)."""


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """Categorical of ``codes`` (valid indices into ``categories``) with ``str`` categories.

    When the categories are distinct (a set tells, cheaply), pandas' own check of that (a hash table of an
    Index per call, a third of the cost) is skipped through its internal fast path where it has one.
    """
    index = pd.Index(list(categories), dtype=_STR_DTYPE)
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    dtype = None
    if fast is not None and len(set(categories)) == len(categories):
        with contextlib.suppress(TypeError):
            dtype = fast(index, False)
    if dtype is None:  # validating constructor (raises on repeated categories, as before)
        dtype = pd.CategoricalDtype(index)
    small = np.int8 if len(categories) < 128 else np.int16 if len(categories) < 32768 else np.int32
    return pd.Categorical.from_codes(codes.astype(small), dtype=dtype, validate=False)


def _apply_side_metadata(
    infos: list[SourceInfo], side: dict[str, dict[str, Any]], roots: dict[str, str]
) -> None:
    """Fill action space / hyper-parameters from model_metadata.json / hyperparameters.json of the same root."""
    for info in infos:
        meta = side.get(roots[info.source], {})
        if "action_space" in meta and info.action_space is None:
            info.action_space = meta["action_space"]
            info.action_space_type = meta.get("action_space_type") or action_space_type_of(
                meta["action_space"]
            )
        if "hyperparameters" in meta and "hyperparameters" not in info.extra:
            info.extra["hyperparameters"] = meta["hyperparameters"]


def _prefer_csv(pending: list[_Pending]) -> list[str]:
    """Drop log sources whose (root, phase) also has CSV sources; return the dropped source names."""

    def key(p: _Pending) -> tuple[str, str]:
        return p.candidate.root, phase_of(p.candidate.source, p.meta.get("job_type"))

    with_csv = {key(p) for p in pending if p.kind == "csv"}
    dropped = [p.candidate.source for p in pending if p.kind == "log" and key(p) in with_csv]
    pending[:] = [p for p in pending if p.candidate.source not in dropped]
    return dropped


def read_logs(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    duplicates: Literal["keep", "prefer_csv"] = "keep",
) -> ReplayLog:
    """Read DeepRacer step logs of any supported variant into one frame.

    :param paths: one or several files (robomaker/simulation logs, simtrace CSVs, either ``.gz``), console
        ``.tar.gz`` exports, or folders (DRfC model folders with one or more workers, evaluation folders,
        console trees). Format and layout are detected from names and content (:mod:`replay.detect`).
    :param duplicates: ``"keep"`` returns every source (a console export holds each run twice: as CSV and as
        log); ``"prefer_csv"`` drops log sources of a (root, phase) that also has CSVs (full precision).
    :returns: :class:`ReplayLog`. Bad records never stop the read: each is skipped and reported as a
        ``source:line: reason`` warning.
    :raises LogInputError: a path is missing or unreadable, a file given explicitly holds no step data, or
        nothing at all holds step data; a ``model_metadata.json`` / ``hyperparameters.json`` key has the wrong
        type. Its subclass :class:`replay.readers.sources.LogLimitError`: a path is not a regular file or a
        folder, or an input is beyond a safety cap (decompressed size, archive members, line length, metadata
        size or nesting; see :mod:`replay.readers.sources`).
    """
    path_list = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not path_list:
        raise LogInputError("no log path given")
    pending: list[_Pending] = []
    warnings: list[str] = []
    side: dict[str, dict[str, Any]] = {}
    names_of = functools.cache(header_names)  # the CSVs of a run share their header: parse it once per read
    arena = FileArena()  # plain files are read into reused memory (see replay.readers.scratch)
    budget = Budget()  # decompressed bytes of this read (gzip bomb cap, see replay.readers.sources)
    max_line = limit("MAX_LINE_BYTES")
    # A file reached twice (the same path given twice, or a file and its folder) is read once; one path never
    # lists a file twice.
    seen: set[str] = set()
    several_paths = len(path_list) > 1
    for raw in path_list:
        path = Path(raw)
        explicit_file = path.is_file() and not is_archive(path.name)
        for cand in candidates(path, budget):
            if several_paths:
                identity = os.path.realpath(cand.path) if cand.path is not None else cand.source
                if identity in seen:
                    continue
                seen.add(identity)
            kind = kind_by_name(cand)
            if kind is None and not explicit_file:
                continue
            if kind == "meta":
                side.setdefault(cand.root, {}).update(_read_side_metadata(cand))
                continue
            blob = _read_blob(cand, arena, max_line)
            sniffed = _sniff_kind(blob, names_of)
            if sniffed is None:
                if explicit_file:
                    raise LogInputError(f"{cand.source}: no SIM_TRACE_LOG lines and no simtrace CSV header")
                continue
            if sniffed == "csv":
                try:
                    pending.append(_Pending(cand, "csv", csv=split_csv(blob, cand.source, names_of)))
                except NotASimtraceError as exc:
                    warnings.append(str(exc))
            else:
                pending.append(_Pending(cand, "log", log=extract_log_records(blob)))
    skipped = _prefer_csv(pending) if duplicates == "prefer_csv" else []
    parsed = _parse_all(pending)
    warnings.extend(parsed.warnings)
    if not parsed.rows:
        names = ", ".join(str(p) for p in path_list)
        raise LogInputError(f"{names}: no readable SIM_TRACE_LOG lines or simtrace CSV rows found")
    infos = _source_infos(pending, parsed)
    for info in infos:
        if info.rows == 0:
            warnings.append(f"{info.source}: no readable step records")
    _apply_side_metadata(infos, side, {p.candidate.source: p.candidate.root for p in pending})
    return ReplayLog(_frame(parsed, pending, infos), infos, warnings, skipped)


def _parse_all(pending: list[_Pending]) -> ParsedRecords:
    """Parse every pending source: CSVs batched by header, logs batched together."""
    names = [p.candidate.source for p in pending]
    batches: list[ParsedRecords] = []
    by_header: dict[tuple[str, ...], list[int]] = {}
    for i, p in enumerate(pending):
        if p.csv is not None:
            by_header.setdefault(p.csv.names, []).append(i)
    for members in by_header.values():
        batches.append(parse_csvs([pending[i].csv for i in members], members, names))  # type: ignore[misc]
    logs = [i for i, p in enumerate(pending) if p.log is not None]
    if logs:
        batches.append(parse_logs([pending[i].log for i in logs], logs, names))  # type: ignore[misc]
    return merge(batches)
