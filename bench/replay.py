"""Benchmark: replay load speed vs deepracer-utils, and re-scoring speed with the centre-line function.

Usage::

    python bench/replay.py [--du-python /path/to/venv/bin/python]

deepracer-utils is NOT a dependency: give the interpreter of a throwaway venv where it is installed
(``python -m venv /tmp/du && /tmp/du/bin/pip install deepracer-utils``), or set ``DU_PYTHON``. Both loaders read
the same files in the same run, best of 9 each (the minimum is the least noise-sensitive estimate on a
shared machine); ratios are printed. Targets: load ≥ 5× deepracer-utils, re-score ≥ 100k steps/s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = next(p / "shared" / "data" for p in (ROOT, *ROOT.parents) if (p / "shared" / "data" / "logs").is_dir())
DU_LOGS = DATA / "logs" / "aws-deepracer-community+deepracer-utils" / "tests" / "deepracer" / "logs"
LG_LOG = (
    DATA
    / "logs"
    / "aws-deepracer-community+deepracer-log-guru"
    / "tests"
    / "system_tests"
    / "resources"
    / "file_parsing"
    / "input_log_files"
    / "deepracer-0_robomaker.1.ms8k1onrrixaxt7giqyk835nv - Start.log"
)
REPEATS = 9

DU_SCRIPT = r"""
import contextlib, io, json, sys, time
from deepracer.logs import DeepRacerLog, SimulationLogsIO
cases = json.loads(sys.argv[1]); out = {}
for name, kind, path in cases:
    times = []
    for _ in range(int(sys.argv[2])):
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            if kind == "folder":
                log = DeepRacerLog(model_folder=path); log.load_training_trace(ignore_metadata=True)
                rows = len(log.dataframe())
            else:
                rows = len(SimulationLogsIO.load_pandas(path))
            times.append(time.perf_counter() - start)
    out[name] = [rows, min(times)]
print(json.dumps(out))
"""


def _best_time(fn, repeats: int = REPEATS) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """(rows, best wall time of ``repeats`` calls) after one warm-up call."""
    times, rows = [], fn()
    for _ in range(repeats):
        start = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - start)
    return rows, min(times)


def bench_load(du_python: str | None) -> None:
    from replay import read_logs

    with tempfile.TemporaryDirectory() as tmp:
        # DU's console layout needs the (absent) robomaker log; a DRfC-style folder with a symlink works.
        console = Path(tmp) / "console"
        console.mkdir()
        (console / "training-simtrace").symlink_to(
            DU_LOGS / "sample-console-logs/sim-trace/training/training-simtrace"
        )
        drfc3 = Path(tmp) / "drfc3"
        drfc3.mkdir()
        for worker in ("0", "1", "2"):
            (drfc3 / worker).mkdir()
            (drfc3 / worker / "training-simtrace").symlink_to(
                DU_LOGS / "sample-drfc-3-logs" / worker / "training-simtrace"
            )
        cases = [
            ("console 2022 CSVs", "folder", str(console)),
            ("DRfC 3 workers CSVs", "folder", str(drfc3)),
            ("robomaker log 17 fields", "log", str(LG_LOG)),
        ]
        du: dict[str, list[float]] = {}
        if du_python:
            proc = subprocess.run(
                [du_python, "-c", DU_SCRIPT, json.dumps(cases), str(REPEATS)], capture_output=True, text=True
            )
            if proc.returncode == 0:
                du = json.loads(proc.stdout.strip().splitlines()[-1])
            else:
                print("deepracer-utils run failed:", proc.stderr.strip().splitlines()[-1:])
        print(
            f"{'load':28} {'rows':>7} {'replay ms':>10} {'steps/s':>10} {'DU ms':>8} {'DU steps/s':>11} {'ratio':>6}"
        )
        for name, _kind, path in cases:
            rows, seconds = _best_time(lambda p=path: len(read_logs(p).steps))
            line = f"{name:28} {rows:7d} {seconds * 1e3:10.1f} {rows / seconds:10.0f}"
            if name in du:
                du_rows, du_seconds = du[name]
                ratio = (rows / seconds) / (du_rows / du_seconds)
                line += f" {du_seconds * 1e3:8.1f} {du_rows / du_seconds:11.0f} {ratio:5.1f}x"
            print(line)


def bench_rescore() -> None:
    from replay import read_logs
    from replay.rescore import build_params_by_direction, rescore
    from replay.tracks_match import choose_track
    from reward_sdk.examples import example_source

    folders = ("sample-drfc-1-logs", "sample-drfc-3-logs", "sample-console-logs")
    log = read_logs([DU_LOGS / f for f in folders], duplicates="prefer_csv")
    choice = choose_track(log.steps, tracks_dir=DATA / "tracks")
    source = example_source("follow_center_line")
    start = time.perf_counter()
    groups = build_params_by_direction(log.steps, choice.track)
    params_s = time.perf_counter() - start
    rewards = rescore(log.steps, choice.track, source, groups=groups)
    total_s = time.perf_counter() - start
    from sandbox import RewardSandbox

    with RewardSandbox(source) as warm:  # steady state: worker already running
        warm.set_constants(groups[0].constants)
        tick = time.perf_counter()
        for group in groups:
            warm.score_many(group.params, n=len(group.rows))
        warm_s = time.perf_counter() - tick
    scored = int(sum(len(g.rows) for g in groups))
    print(
        f"re-score {scored} RUN steps ({choice.track.name}): params {params_s * 1e3:.0f} ms, "
        f"total {total_s:.2f} s incl. sandbox start → {scored / total_s:,.0f} steps/s "
        f"(target 100,000: {scored / total_s / 1e5:.2f}x); sandbox calls alone (warm worker): "
        f"{scored / warm_s:,.0f} steps/s; finite: {int((rewards == rewards).sum())}"
    )


def ensure_deepracer_utils() -> str | None:
    """Interpreter of a throwaway venv (``bench/.venv-du``, git-ignored) with deepracer-utils, made on first use.

    deepracer-utils is a competitor measured in the same run, never a dependency of reward-sdk.
    """
    import subprocess

    venv = Path(__file__).resolve().parent / ".venv-du"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} with deepracer-utils (once)...", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "deepracer-utils"], check=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"could not install deepracer-utils ({exc}); comparison skipped")
            return None
    return str(python)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--du-python", default=os.environ.get("DU_PYTHON"), help="python with deepracer-utils"
    )
    args = parser.parse_args()
    bench_load(args.du_python or ensure_deepracer_utils())
    bench_rescore()


if __name__ == "__main__":
    main()
