"""The vectorised shortcuts of the readers agree with their plain definitions."""

from __future__ import annotations

import ast
import gzip
import os
import random
import re
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from replay import load, read_logs
from replay.detect import worker_of
from replay.readers import sim_trace_log
from replay.readers.batch import parse_csvs
from replay.readers.log_metadata import _literal, mine_log_metadata
from replay.readers.scratch import Blob, FileArena, adjacent
from replay.readers.sim_trace_log import _MARKER, _marker_starts, _record_spans, extract_log_records
from replay.readers.simtrace_csv import split_csv
from replay.readers.sources import walk_files


def _find_all(data: bytes) -> list[int]:
    found, at = [], data.find(_MARKER)
    while at >= 0:
        found.append(at)
        at = data.find(_MARKER, at + 1)
    return found


def test_marker_search_matches_bytes_find_at_every_alignment() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        parts = []
        for _ in range(rng.randrange(8)):
            roll = rng.random()
            if roll < 0.4:
                parts.append(_MARKER)
            elif roll < 0.6:
                parts.append(_MARKER[: rng.randrange(1, len(_MARKER))])
            elif roll < 0.7:
                parts.append(_MARKER[rng.randrange(1, len(_MARKER)) :])
            else:
                parts.append(bytes(rng.choice(b"SIM_TRACELOG:\n x") for _ in range(rng.randrange(9))))
        data = b"".join(parts)
        assert _marker_starts(data).tolist() == _find_all(data)


def _random_log(rng: random.Random, crlf: bool) -> bytes:
    """Lines of markers, prefixes, noise and line breaks (some ``\\r\\n``), maybe without a last line break."""
    parts = []
    for _ in range(rng.randrange(14)):
        roll = rng.random()
        if roll < 0.3:
            parts.append(_MARKER)
        elif roll < 0.55:
            parts.append(b"\r\n" if crlf and rng.random() < 0.5 else b"\n")
        elif roll < 0.6 and crlf:
            parts.append(b"\r")
        else:
            parts.append(bytes(rng.choice(b"SIM_TRACELOG:\n x,0") for _ in range(rng.randrange(150))))
    return b"".join(parts)


def _plain_spans(data: bytes) -> tuple[list[int], list[int], list[int]]:
    """(start, end, 0-based line) after the first marker of each line, by splitting the lines."""
    starts, ends, lines, offset = [], [], [], 0
    for number, line in enumerate(data.split(b"\n")):
        at = line.find(_MARKER)
        if at >= 0:
            starts.append(offset + at + len(_MARKER))
            ends.append(offset + len(line))
            lines.append(number)
        offset += len(line) + 1
    return starts, ends, lines


def test_record_spans_match_splitting_the_lines() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        data = _random_log(rng, crlf=False)
        starts, ends, lines = _record_spans(np.frombuffer(data, dtype=np.uint8))
        assert (starts.tolist(), ends.tolist(), lines.tolist()) == _plain_spans(data)


def test_joined_records_match_a_plain_join_in_place_or_not(tmp_path: Path) -> None:
    rng = random.Random(5)
    arena = FileArena(slot="test.files")
    for i in range(800):
        data = _random_log(rng, crlf=True)
        starts, ends, _ = _plain_spans(data)
        expected = b"".join(data[s:e].rstrip(b"\r") + b"\n" for s, e in zip(starts, ends, strict=True))
        path = tmp_path / f"{i}.log"
        path.write_bytes(data)
        for blob in (Blob.of(data), arena.read(str(path))):  # read-only bytes; the arena (written in place)
            assert bytes(extract_log_records(blob).body) == expected


def test_file_arena_reads_files_exactly_and_grows(tmp_path: Path) -> None:
    rng = random.Random(3)
    arena = FileArena(slot="test.grow")
    contents = [
        bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 7, 5000, 300_000)))) for _ in range(30)
    ]
    blobs = []
    for i, content in enumerate(contents):
        (tmp_path / f"{i}.bin").write_bytes(content)
        blobs.append(arena.read(str(tmp_path / f"{i}.bin")))
    for blob, content in zip(blobs, contents, strict=True):  # earlier blobs survive the arena growing
        assert blob.copy(0, len(blob)) == content and len(blob) == len(content)
        assert blob.view().tobytes() == content
        assert blob.find(b"\x00") == content.find(b"\x00")
        assert blob.endswith(b"\n") == content.endswith(b"\n")


def test_split_csv_finds_header_and_body_like_bytes_slicing() -> None:
    header = b"episode,steps,X,Y,yaw,steer,throttle,action,reward,done,all_wheels_on_track,progress,closest_waypoint,track_len,tstamp,episode_status"
    row = b"0,1,3.2,0.7,0.2,20.0,2.0,11,0.0,False,True,0.8,1,17.7,20.2,prepare"
    cases = {
        header + b"\n" + row + b"\n": (1, True),
        b"\r\n\n" + header + b"\r\n" + row + b"\r\n" + row: (3, True),
        header: (1, True),
        header + b"\n" + row + b"\r\n\r\n" + row: (1, False),
        header + b"\r\n" + header + b"\r\n" + row: (1, False),
    }
    for data, (header_line, clean) in cases.items():
        csv = split_csv(Blob.of(data), "x.csv")
        assert csv.header == header and csv.header_line == header_line and csv.clean == clean
        assert csv.body().tobytes() == data.lstrip(b"\r\n").partition(b"\n")[2]


def test_ascii_metadata_search_matches_the_decoded_search(logs_dir: Path) -> None:
    logs = [p for p in sorted(logs_dir.rglob("*")) if p.name.endswith((".log", ".log.gz", ".txt"))]
    ascii_logs = 0
    for path in logs:
        data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        if data.isascii():
            ascii_logs += 1
            assert mine_log_metadata(memoryview(data)) == mine_log_metadata(data.decode()), path
    assert ascii_logs >= 10
    for text in ("* /WORLD_NAME: a\x1cb, c", "World name passed in YAML: x\x1fy", "'JOB_TYPE': ['t\x1d']"):
        assert mine_log_metadata(text.encode()) == mine_log_metadata(text)


def test_action_space_literal_as_json_matches_literal_eval() -> None:
    rng = random.Random(2)
    alphabet = "[]{}:,'0123456789.eE+- \n\tab\""
    texts = ["[{'steering_angle': -30, 'speed': 0.6}]", "{'low': -1.5e3, 'high': 1e999}", "[1,]", "[+1]"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(14))) for _ in range(20_000)]
    for text in texts:
        try:
            expected = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            expected = None
        except TypeError:  # an unhashable key: _literal raises it too
            continue
        got = _literal(text)
        assert (repr(got), type(got)) == (repr(expected), type(expected)), text


def test_directory_walk_and_worker_index_match_pathlib(logs_dir: Path) -> None:
    expected = sorted(
        (Path(folder) / name).relative_to(logs_dir).as_posix()
        for folder, _, names in os.walk(logs_dir, followlinks=True)
        for name in names
        if (Path(folder) / name).is_file()
    )
    assert sorted(rel for rel, _ in walk_files(str(logs_dir))) == expected

    def worker_by_pathlib(rel: str) -> int:
        parts = PurePosixPath(rel).parts
        for i, part in enumerate(parts[:-1]):
            if part.isdigit() and parts[i + 1].endswith("-simtrace"):
                return int(part)
        match = re.search(r"robomaker\.(\d+)\.", parts[-1] if parts else "")
        return max(int(match.group(1)) - 1, 0) if match else 0

    rng = random.Random(4)
    tokens = ["/", ".", "..", "0", "12", "training-simtrace", "robomaker.3.x.log", "a", "", "//"]
    for _ in range(20_000):
        rel = "/".join(rng.choice(tokens) for _ in range(rng.randrange(6)))
        assert worker_of(rel) == worker_by_pathlib(rel), rel


def test_csvs_read_in_a_row_parse_in_place_like_copied_ones(tmp_path: Path) -> None:
    header = (
        b"episode,steps,X,Y,yaw,steer,throttle,action,reward,done,all_wheels_on_track,progress,"
        b"closest_waypoint,track_len,tstamp,episode_status"
    )
    row = b"%d,%d,3.2,0.7,0.2,20.0,2.0,11,0.0,False,True,0.8,1,17.7,20.2,in_progress"
    rng = random.Random(9)
    arena = FileArena(slot="test.csv")
    in_place, copied = [], []
    for i in range(12):
        eol = rng.choice((b"\n", b"\r\n"))
        rows = [row % (i, k) for k in range(rng.randrange(4))]
        data = rng.choice((b"", b"\n", b"\r\n\r\n")) + header + eol + eol.join(rows)
        data += rng.choice((b"", eol)) if rows else b""
        (tmp_path / f"{i}.csv").write_bytes(data)
        in_place.append(split_csv(arena.read(str(tmp_path / f"{i}.csv")), f"{i}.csv"))
        copied.append(split_csv(Blob.of(data), f"{i}.csv"))
    assert adjacent([c.blob for c in in_place]) and not adjacent([c.blob for c in copied])
    names = [f"{i}.csv" for i in range(12)]
    a, b = parse_csvs(in_place, range(12), names), parse_csvs(copied, range(12), names)
    assert a.field_counts == b.field_counts and a.rows == b.rows > 0 and not a.warnings
    for name, values in b.columns.items():
        other = a.columns[name]
        assert (
            other.equals(values)
            if isinstance(values, pa.Array)
            else np.array_equal(other, values, equal_nan=True)
        ), name


def test_record_spans_without_bitwise_count_match_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim_trace_log, "_HAS_BITWISE_COUNT", False)  # numpy < 2.0
    rng = random.Random(12)
    for _ in range(500):
        data = _random_log(rng, crlf=False)
        starts, ends, lines = _record_spans(np.frombuffer(data, dtype=np.uint8))
        assert (starts.tolist(), ends.tolist(), lines.tolist()) == _plain_spans(data)


def test_frame_from_blocks_equals_the_dataframe_constructor(
    monkeypatch: pytest.MonkeyPatch, logs_dir: Path
) -> None:
    path = logs_dir / "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-drfc-3-logs"
    fast = read_logs(path).steps
    monkeypatch.setattr(load, "_from_blocks", None)  # pandas without pandas.api.internals
    plain = read_logs(path).steps
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    assert [fast[c].cat.categories.tolist() for c in ("episode_status", "phase", "source")] == [
        plain[c].cat.categories.tolist() for c in ("episode_status", "phase", "source")
    ]


def test_a_frame_is_not_changed_by_later_reads_reusing_scratch_memory(logs_dir: Path) -> None:
    # Scratch buffers are reused by the next read on the thread: nothing a read returns may point into them.
    utils_logs = logs_dir / "aws-deepracer-community+deepracer-utils/tests/deepracer/logs"
    log_file = logs_dir / "aws-deepracer-community+deepracer-analysis/logs/deepracer-eval-sim-sample.log"
    csv_folder = utils_logs / "sample-console-logs"
    kept = [read_logs(path).steps for path in (log_file, csv_folder)]
    snapshots = [frame.copy(deep=True) for frame in kept]
    for path in (csv_folder, utils_logs / "sample-drfc-3-logs", log_file):
        read_logs(path)
    for frame, snapshot in zip(kept, snapshots, strict=True):
        pd.testing.assert_frame_equal(frame, snapshot)
