"""Benchmark of ``reward lint``: wall time of a static-only and a full lint of every example and of a racing-line
reward (300 pasted waypoints searched on every call, ``bench/lint_corpus/c01_racing_line_lookahead.py``).

Targets: static-only ≤ 0.5 s and full lint (1000 states, runtime + audit) ≤ 15 s per file. Each lint runs in a
fresh ``reward lint`` process, so interpreter start-up and imports are included (what a user waits for).

Run: ``.venv/bin/python bench/lint.py``
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RACING_LINE = ROOT / "bench" / "lint_corpus" / "c01_racing_line_lookahead.py"
STATIC_TARGET_S = 0.5
FULL_TARGET_S = 15.0
REWARD = [sys.executable, "-m", "reward_sdk"]


def _time(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([*REWARD, "lint", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"reward lint {' '.join(args)} failed: {proc.stderr.strip()}")
    return elapsed


def main() -> None:
    print(f"{'file':<34}{'static s':>10}{'target':>8}{'full s':>9}{'target':>8}")
    worst_static = worst_full = 0.0
    for path in [*sorted((ROOT / "examples").glob("*.py")), RACING_LINE]:
        rel = str(path.relative_to(ROOT))
        static = _time([rel, "--no-runtime", "--no-audit"])
        full = _time([rel])
        worst_static, worst_full = max(worst_static, static), max(worst_full, full)
        print(f"{path.name:<34}{static:>10.2f}{STATIC_TARGET_S:>8.1f}{full:>9.2f}{FULL_TARGET_S:>8.1f}")
    ok_static = "OK" if worst_static <= STATIC_TARGET_S else "OVER"
    ok_full = "OK" if worst_full <= FULL_TARGET_S else "OVER"
    print(
        f"worst static {worst_static:.2f} s vs {STATIC_TARGET_S} s target: {ok_static} "
        f"({worst_static / STATIC_TARGET_S:.0%} of target)"
    )
    print(
        f"worst full   {worst_full:.2f} s vs {FULL_TARGET_S} s target: {ok_full} "
        f"({worst_full / FULL_TARGET_S:.0%} of target)"
    )


if __name__ == "__main__":
    main()
