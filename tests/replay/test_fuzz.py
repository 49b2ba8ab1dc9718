"""Mutated real lines never crash the readers; every bad record becomes a ``file:line`` warning."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

from replay import read_logs

_JUNK = ["\x00\x01\xff", "nan", "inf", "1e999", "abc", '"', "[", "]", "[1, 2", "True", "", ",", "\ufffd", "-"]


def _mutate(line: str, rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:  # truncated
        return line[: rng.randrange(len(line))]
    if kind == 1:  # extra fields
        return line + "," + ",".join(str(rng.random()) for _ in range(rng.randrange(1, 4)))
    if kind == 2:  # a bad number in a random field
        fields = line.split(",")
        fields[rng.randrange(len(fields))] = rng.choice(_JUNK)
        return ",".join(fields)
    if kind == 3:  # binary junk spliced in
        cut = rng.randrange(len(line))
        return (
            line[:cut] + "".join(chr(rng.randrange(0, 256)) for _ in range(rng.randrange(1, 6))) + line[cut:]
        )
    if kind == 4:  # dropped field
        fields = line.split(",")
        del fields[rng.randrange(len(fields))]
        return ",".join(fields)
    return line  # unchanged


def _fuzz_file(source: Path, target: Path, marker: str, count: int, rng: random.Random) -> int:
    lines = [ln for ln in source.read_text().splitlines() if marker in ln]
    out = []
    for i in range(count):
        base = lines[i % len(lines)]
        prefix, _, body = base.partition(marker)
        out.append(prefix + marker + _mutate(body, rng).replace("\n", " ").replace("\r", " "))
    target.write_bytes("\n".join(out).encode("utf-8", errors="surrogateescape") + b"\n")
    return len(out)


def test_fuzzed_log_lines_never_crash_and_are_accounted_for(tmp_path: Path, logs_dir: Path) -> None:
    rng = random.Random(7)
    sources = [
        logs_dir / "aws-deepracer-community+deepracer-analysis/logs/deepracer-eval-sim-sample.log",
        logs_dir
        / "aws-solutions-library-samples+guidance-for-training-an-aws-deepracer-model-using-amazon-sagemaker"
        "/log-analysis/downloaded_model/7a42c0c5-e13b-49c6-955e-18e3b64dba4b/logs/training/"
        "training-20221007000321-WmtODh1TQOC3VfLA8slGjA-robomaker.log",
        logs_dir
        / "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-droa-solution-logs/logs/"
        "training/2026-03-06T20:36:57.936Z-deepracerindy-training-ACGVRmRuFNU9NkQ-simulation.log",
    ]
    started = time.perf_counter()
    total = 0
    for i, source in enumerate(sources):
        target = tmp_path / f"fuzz{i}.log"
        lines = _fuzz_file(source, target, "SIM_TRACE_LOG:", 4000, rng)
        total += lines
        log = read_logs(target)
        # every marker line is either a row or a warning, never silently dropped
        assert len(log.steps) + len(log.warnings) == lines
        assert all(re.match(rf"{re.escape(str(target))}:\d+: ", w) for w in log.warnings)
        assert log.steps["x"].notna().all() and log.steps["line"].between(1, lines).all()
    assert total >= 10_000
    assert time.perf_counter() - started < 30


def test_fuzzed_csv_rows_never_crash(tmp_path: Path, logs_dir: Path) -> None:
    rng = random.Random(11)
    source = (
        logs_dir / "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-drfc-1-logs/"
        "training-simtrace/12-iteration.csv"
    )
    header, *rows = source.read_text().splitlines()
    mutated = [_mutate(row, rng) for row in rows * 3]
    mutated = [m.replace("\n", " ").replace("\r", " ") for m in mutated]
    target = tmp_path / "0-iteration.csv"
    target.write_bytes(("\n".join([header, *mutated]) + "\n").encode("utf-8", errors="surrogateescape"))
    log = read_logs(target)
    nonblank = sum(1 for m in mutated if m.strip() and m.strip() != header)
    assert len(log.steps) + len(log.warnings) == nonblank
    unchanged = sum(1 for m, r in zip(mutated, rows * 3, strict=True) if m == r)
    assert len(log.steps) >= unchanged > 0
