"""Benchmark: the camera student (issue 14) — it laps within 60 s of wall time after its teacher exists, from 4
starts, within 1.1× of the teacher's lap time.

1. Teacher: a features PPO run on reinvent_base with the centre-line example (``--reward progress_speed
   --actions continuous`` for a faster one), trained for ``--teacher-minutes`` (``trainer.train.train``), or an
   existing run (``--teacher RUN``).
2. Student: :func:`trainer.distill.distill` (DAgger, PPO ``CnnPolicy`` on 160×120 gray frames), evaluating 4 laps
   from evenly spaced starts every round, stopping at the first round whose 4 laps are all completed with a mean
   lap time ≤ 1.1× the teacher's on the same starts (or after ``--max-minutes``).

Printed per seed: the wall time from the start of :func:`distill` (teacher loading included) to the first round in
which all 4 starts complete a lap, and to the first round that also meets the 1.1× ratio; the student/teacher
mean lap-time ratio at those rounds; rounds, states, the torch threads used and the load average (the machine
is shared). ``--json`` prints the raw figures as JSON too.

Run: ``python bench/camera.py [--seeds 1] [--teacher-minutes 1.5] [--teacher runs/X] [--threads N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# bench/ holds scripts named like packages (bench/sandbox.py): import the real ones from the repo root
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reward_sdk.examples import example_path  # noqa: E402

TRACK = "reinvent_base"
RATIO_TARGET = 1.1
WALL_TARGET_S = 60.0


def load() -> str:
    """The 1-, 5- and 15-minute load averages, as ``uptime`` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def make_teacher(
    runs: Path,
    tracks_dir: Path,
    minutes: float,
    seed: int,
    reward: str = "follow_center_line",
    actions: str = "",
) -> Path:
    """Train the features PPO teacher (example ``reward``, ``actions`` or the default discrete grid) for
    ``minutes``; return its run folder."""
    from trainer.train import TrainConfig, train

    config = TrainConfig(
        reward=example_path(reward),
        actions=actions or None,
        track=TRACK,
        tracks_dir=tracks_dir,
        minutes=minutes,
        name=f"teacher-{seed}",
        runs_dir=runs,
        seed=seed,
        eval_laps=4,
    )
    result = train(config)
    print(
        f"teacher (seed {seed}): {result.steps:,} steps in {minutes:g} min, best evaluation "
        f"{result.best.completion_pct:.1f} % completion, mean lap {result.best.lap_time} s",
        flush=True,
    )
    return result.run.path


def student(
    teacher: Path, runs: Path, tracks_dir: Path, seed: int, max_minutes: float, threads: int | None
) -> dict[str, Any]:
    """Distil ``teacher`` and return the figures of the run."""
    from trainer.distill import DistillConfig, distill

    config = DistillConfig(
        teacher=teacher,
        name=f"student-{seed}",
        runs_dir=runs,
        tracks_dir=tracks_dir,
        minutes=max_minutes,
        seed=seed,
        stop_ratio=RATIO_TARGET,
        torch_threads=threads,
    )
    load_before = load()
    result = distill(config)
    rounds = result.metrics
    every = next((r for r in rounds if r["eval"]["completed"] == r["eval"]["laps"]), None)
    within = next((r for r in rounds if r["lap_ratio"] is not None and r["lap_ratio"] <= RATIO_TARGET), None)
    teacher_eval = result.info["teacher_eval"]
    import torch

    return {
        "seed": seed,
        "teacher_lap_s": teacher_eval["mean_lap_time"],
        "teacher_completed": f"{teacher_eval['completed']}/{teacher_eval['laps']}",
        "all_starts_wall_s": every["elapsed_s"] if every else None,
        "all_starts_ratio": every["lap_ratio"] if every else None,
        "within_ratio_wall_s": within["elapsed_s"] if within else None,
        "within_ratio": within["lap_ratio"] if within else None,
        "rounds": result.rounds,
        "states": result.steps,
        "stop": result.stop_reason,
        "torch_threads": torch.get_num_threads(),
        "load_before": load_before,
        "load_after": load(),
        "per_round": [
            {
                k: r[k]
                for k in ("iteration", "steps", "collect_s", "train_s", "eval_s", "elapsed_s", "lap_ratio")
            }
            | {"completed": r["eval"]["completed"], "agreement": r["agreement"]}
            for r in rounds
        ],
    }


def _fmt(value: float | None, spec: str, unit: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tracks-dir", default=str(_HERE.parent.parent / "shared" / "data" / "tracks"))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--teacher", type=Path, help="an existing features run (skips training a teacher)")
    parser.add_argument("--teacher-minutes", type=float, default=1.5)
    parser.add_argument(
        "--reward", default="follow_center_line", help="example of the teacher (progress_speed...)"
    )
    parser.add_argument("--actions", default="", help="teacher actions: discrete (default) or continuous")
    parser.add_argument("--max-minutes", type=float, default=3.0, help="distillation budget per seed")
    parser.add_argument("--threads", type=int, help="torch threads (default: 2 when a core is idle, else 1)")
    parser.add_argument("--runs-dir", type=Path, help="keep the runs here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tracks_dir = Path(args.tracks_dir)
    with tempfile.TemporaryDirectory() as scratch:
        runs = args.runs_dir or Path(scratch) / "runs"
        figures = []
        for seed in range(args.seeds):
            print(f"load before seed {seed}: {load()}", flush=True)
            begin = time.perf_counter()
            teacher = args.teacher or make_teacher(
                runs, tracks_dir, args.teacher_minutes, seed, args.reward, args.actions
            )
            if args.teacher is None:
                print(f"teacher trained in {time.perf_counter() - begin:.1f} s", flush=True)
            row = student(teacher, runs, tracks_dir, seed, args.max_minutes, args.threads)
            figures.append(row)
            ok = row["within_ratio_wall_s"] is not None and row["within_ratio_wall_s"] <= WALL_TARGET_S
            print(
                f"seed {seed}: teacher lap {_fmt(row['teacher_lap_s'], '.2f', ' s')} "
                f"({row['teacher_completed']}); student: all 4 starts lap after "
                f"{_fmt(row['all_starts_wall_s'], '.1f', ' s')} (ratio {_fmt(row['all_starts_ratio'], '.3f')}), "
                f"within {RATIO_TARGET}x after {_fmt(row['within_ratio_wall_s'], '.1f', ' s')} "
                f"(ratio {_fmt(row['within_ratio'], '.3f')}); {row['rounds']} rounds, {row['states']:,} states, "
                f"torch threads {row['torch_threads']}, load {row['load_before']} -> {row['load_after']} "
                f"{'✓' if ok else '✗'} (target ≤ {WALL_TARGET_S:.0f} s, ≤ {RATIO_TARGET}x)",
                flush=True,
            )
        walls = [r["within_ratio_wall_s"] for r in figures if r["within_ratio_wall_s"] is not None]
        if walls:
            print(
                f"median wall time to a 4-start lap within {RATIO_TARGET}x: {statistics.median(walls):.1f} s"
            )
        if args.json:
            print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
