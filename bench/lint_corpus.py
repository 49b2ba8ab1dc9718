"""Benchmark of ``reward lint`` on a corpus of real-world-style reward functions: false positives and misses.

Every file of ``bench/lint_corpus/`` (our own reward functions, written in the styles racers use: pasted racing
lines, classes with state, helpers, numpy/shapely/scipy, waypoint look-ahead, speed and steering penalties) starts
with ``# expect: clean`` or ``# expect: RW107, RW110`` (a code may repeat: one entry per expected finding). Each
file gets the full default lint: 1,000 runtime states on the three built-in tracks in both directions and the
incentive audit on two; a file with a ``# tracks: technical`` line (a pasted racing line belongs to one track) is
run and audited on those tracks instead. The script prints, per file, the false positives (found, not expected)
and misses (expected, not found), then the totals and the timing (static part and full lint, per file and overall).

Run: ``.venv/bin/python bench/lint_corpus.py [--states N] [--json OUT]``; exit status 1 when any file has a false
positive or a miss.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "lint_corpus"
# `python bench/lint_corpus.py` puts bench/ first on the path, where bench/sandbox.py would shadow the package
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)
TRACKS = re.compile(r"^# tracks: (.+)$", re.MULTILINE)
CODE = re.compile(r"RW\d{3}")


def expected_codes(source: str) -> Counter[str]:
    """The multiset of codes named by the ``# expect:`` header (empty for ``clean``)."""
    header = EXPECT.search(source)
    if header is None:
        raise SystemExit("a corpus file has no '# expect:' header")
    return Counter(CODE.findall(header.group(1)))


def lint_file(path: Path, states: int) -> dict[str, object]:
    """Lint one file statically and fully; return found/expected codes, false positives, misses and timings."""
    from reward_sdk.lint.config import LintConfig
    from reward_sdk.lint.engine import lint_source
    from reward_sdk.lint.registry import select_rules

    source = path.read_text()
    active = select_rules(None)
    start = time.perf_counter()
    lint_source(source, str(path), LintConfig(runtime=False, audit=False), active)
    static_s = time.perf_counter() - start
    start = time.perf_counter()
    config = LintConfig(states=states)
    tracks = TRACKS.search(source)
    if tracks:  # a pasted racing line belongs to one track: run and audit the reward there
        config.tracks = config.audit_tracks = tracks.group(1).split()
    report = lint_source(source, str(path), config, active)
    full_s = time.perf_counter() - start
    found = Counter(f.code for f in report.findings)
    want = expected_codes(source)
    return {
        "file": path.name,
        "expected": sorted(want.elements()),
        "found": sorted(found.elements()),
        "false_positives": sorted((found - want).elements()),
        "misses": sorted((want - found).elements()),
        "messages": [f.format().replace(str(ROOT) + "/", "") for f in report.findings],
        "static_s": static_s,
        "full_s": full_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--states", type=int, default=1000, help="runtime states per file (default 1000)")
    parser.add_argument("--json", type=Path, help="also write the per-file results as JSON to this path")
    parser.add_argument(
        "files", nargs="*", type=Path, help="corpus files (default: all of bench/lint_corpus)"
    )
    args = parser.parse_args(argv)
    paths = args.files or sorted(CORPUS.glob("*.py"))
    if not paths:
        print(f"error: no reward files in {CORPUS}", file=sys.stderr)
        return 2
    print(f"{'file':<34}{'expected':<22}{'false positives':<22}{'misses':<16}{'static s':>9}{'full s':>8}")
    rows = []
    begin = time.perf_counter()
    for path in paths:
        row = lint_file(path, args.states)
        rows.append(row)
        expected = ",".join(row["expected"]) or "clean"  # type: ignore[arg-type]
        fps = ",".join(row["false_positives"]) or "-"  # type: ignore[arg-type]
        misses = ",".join(row["misses"]) or "-"  # type: ignore[arg-type]
        print(
            f"{row['file']:<34}{expected:<22}{fps:<22}{misses:<16}{row['static_s']:>9.2f}{row['full_s']:>8.2f}"
        )
        if row["false_positives"] or row["misses"]:
            for message in row["messages"]:  # type: ignore[attr-defined]
                print(f"    {message}")
    total = time.perf_counter() - begin
    expected_total = sum(len(r["expected"]) for r in rows)  # type: ignore[arg-type]
    fp_total = sum(len(r["false_positives"]) for r in rows)  # type: ignore[arg-type]
    miss_total = sum(len(r["misses"]) for r in rows)  # type: ignore[arg-type]
    clean = sum(1 for r in rows if not r["expected"])
    static = [float(r["static_s"]) for r in rows]  # type: ignore[arg-type]
    full = [float(r["full_s"]) for r in rows]  # type: ignore[arg-type]
    print(
        f"\n{len(rows)} files ({clean} clean, {len(rows) - clean} with mistakes), {expected_total} expected findings: "
        f"{fp_total} false positives, {miss_total} misses "
        f"({sum(1 for r in rows if not r['false_positives'] and not r['misses'])}/{len(rows)} files exact)"
    )
    print(
        f"static lint: median {sorted(static)[len(static) // 2]:.3f} s, max {max(static):.3f} s; "
        f"full lint: median {sorted(full)[len(full) // 2]:.2f} s, max {max(full):.2f} s; total {total:.1f} s"
    )
    if args.json:
        handle, tmp = tempfile.mkstemp(dir=args.json.parent, prefix=args.json.name, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump({"schema_version": 1, "files": rows}, out, indent=1)
        os.replace(tmp, args.json)
    return 1 if fp_total or miss_total else 0


if __name__ == "__main__":
    sys.exit(main())
