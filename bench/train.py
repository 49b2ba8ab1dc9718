"""Benchmark: training speed on reinvent_base with the centre-line example (issue 14).

(a) vector env: ``RaceCarVecEnv`` steps/s (K cars, one batched sandbox call per step) driven by the centre-line
    driver through the nearest discrete action (driver time excluded), vs the gymnasium ``RaceCarEnv`` (one sandbox
    call per step) measured in the same run; target ≥ 10,000 steps/s;
(b) time to the first evaluation lap: ``reward train ... --until-lap`` in a subprocess, wall time from the process
    start to the first evaluation that completes a lap, and the part of it spent training (PPO target ≤ 30 s with
    ≤ 15 s training; SAC ≤ 60 s); PPO steps/s while learning (target ≥ 1,500); median of 3 seeds;
(c) optional (``--progress-minutes 5``): train the progress example (PPO, continuous actions up to 4 m/s) for that
    long and compare the ``best`` checkpoint's lap from the start line with a scripted driver using a
    curvature-based speed profile on the same car (best of a small grid of lateral-acceleration limits and
    previews); target ≤ 1.15×.

Run: ``python bench/train.py [--seeds 3] [--skip-sac] [--progress-minutes 5]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# bench/ holds scripts named like packages (bench/sandbox.py): import the real ones from the repo root
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np  # noqa: E402

from reward_sdk.examples import example_path  # noqa: E402
from reward_sdk.sim import drivers  # noqa: E402
from reward_sdk.sim.actions import CommandSpace, nearest_action  # noqa: E402
from reward_sdk.sim.episode import Race, RaceConfig  # noqa: E402
from reward_sdk.sim.rollout import run_episode  # noqa: E402
from reward_sdk.sim.trackline import Cursor, TrackLine  # noqa: E402
from reward_sdk.tracks import Track, resolve_track  # noqa: E402

REPO = _HERE.parent


# -- (a) vector env ------------------------------------------------------------------------------------------------
def vec_env_rate(track: Track, cars: int, steps: int) -> float:
    from trainer.vec_env import RaceCarVecEnv

    env = RaceCarVecEnv(track, example_path("follow_center_line"), num_envs=cars, seed=0)
    env.reset()
    pilots = [drivers.centre_line(1.5) for _ in range(cars)]

    def actions() -> np.ndarray:
        return np.array([nearest_action(env.actions, *pilots[i](race)) for i, race in enumerate(env.races)])  # type: ignore[arg-type]

    for _ in range(50):
        env.step(actions())
    stepping = 0.0
    rounds = max(1, steps // cars)
    for _ in range(rounds):
        chosen = actions()
        begin = time.perf_counter()
        env.step(chosen)
        stepping += time.perf_counter() - begin
    env.close()
    return rounds * cars / stepping


def single_env_rate(track: Track, steps: int) -> float:
    from trainer.env import RaceCarEnv

    env = RaceCarEnv(track=track, reward=example_path("follow_center_line"))
    pilot = drivers.centre_line(1.5)
    env.reset(seed=0)
    stepping = 0.0
    for _ in range(steps):
        action = nearest_action(env.actions, *pilot(env.race))  # type: ignore[arg-type]
        begin = time.perf_counter()
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()
        stepping += time.perf_counter() - begin
    env.close()
    return steps / stepping


# -- (b) time to the first lap -------------------------------------------------------------------------------------
def first_lap(algo: str, seed: int, tracks_dir: str, runs_dir: Path, minutes: float) -> dict[str, Any]:
    """Run ``reward train --until-lap`` in a subprocess; wall time from its start to the first evaluation lap."""
    name = f"{algo}-{seed}"
    cmd = [sys.executable, "-m", "reward_sdk", "train", str(example_path("follow_center_line"))]
    cmd += ["--track", "reinvent_base", "--tracks-dir", tracks_dir, "--algo", algo, "--seed", str(seed)]
    cmd += ["--until-lap", "--minutes", str(minutes), "--name", name, "--runs-dir", str(runs_dir), "-q"]
    begin = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    info = json.loads((runs_dir / name / "run.json").read_text())
    metrics = json.loads((runs_dir / name / "metrics.json").read_text())["iterations"]
    rates = [m["steps_per_s"] for m in metrics[1:]] or [m["steps_per_s"] for m in metrics]
    lap = info.get("first_lap")
    return {
        "wall_s": lap["unix_time"] - begin if lap else math.inf,
        "setup_s": (lap["unix_time"] - begin - lap["wall_s"]) if lap else math.nan,
        "train_s": lap["train_s"] if lap else math.inf,
        "steps": lap["steps"] if lap else info["steps"],
        "lap_time": lap["lap_time"] if lap else math.nan,
        "steps_per_s": statistics.median(rates),
    }


# -- (c) lap time against a scripted driver ------------------------------------------------------------------------
@dataclass
class CurvatureSpeed:
    """Pure pursuit of the centre line at the speed the curvature ahead allows: ``sqrt(lat_accel / |κ|)``,
    clipped to [v_min, v_max], with |κ| the largest over the next ``0.3 m + preview_s · speed``."""

    lat_accel: float = 8.0
    preview_s: float = 0.5
    v_min: float = 1.0
    v_max: float = 4.0
    pursuit: drivers.PurePursuit = field(default_factory=drivers.PurePursuit)
    _cursor: Cursor | None = None

    def __call__(self, race: Race) -> tuple[float, float]:
        if self._cursor is None:
            self._cursor = Cursor(TrackLine.of(race.track))
        line, car = self._cursor.line, race.car
        here = float(line.arc[self._cursor.nearest(car.x, car.y)])
        reach = 0.3 + self.preview_s * max(car.speed, 1.0)
        kappa = max(abs(float(line.curvature[line.index_at(here + d)])) for d in np.linspace(0.0, reach, 8))
        speed = min(self.v_max, max(self.v_min, math.sqrt(self.lat_accel / max(kappa, 1e-6))))
        self.pursuit.speed = speed
        steer, _ = self.pursuit(race)
        return steer, speed


def scripted_lap(track: Track) -> tuple[float, dict[str, float]]:
    """Fastest completed lap from the start line over a grid of the curvature driver's settings."""
    best, setting = math.inf, {}
    for lat_accel in (5.0, 6.0, 7.0, 8.0, 9.0):
        for preview in (0.3, 0.5, 0.8):
            race = Race(track, CommandSpace(), None, RaceConfig(max_steps=3000))
            summary = run_episode(race, CurvatureSpeed(lat_accel, preview), start_ndist=0.0)
            if summary["status"] == "lap_complete" and summary["lap_time"] < best:
                best, setting = summary["lap_time"], {"lat_accel": lat_accel, "preview_s": preview}
    return best, setting


def progress_lap(tracks_dir: str, runs_dir: Path, minutes: float, seed: int) -> dict[str, Any]:
    meta = runs_dir / "fast_actions.json"
    meta.write_text(
        json.dumps(
            {
                "action_space": {
                    "steering_angle": {"low": -30, "high": 30},
                    "speed": {"low": 1.0, "high": 4.0},
                },
                "action_space_type": "continuous",
                "training_algorithm": "clipped_ppo",
            }
        )
    )
    name = f"progress-{seed}"
    cmd = [sys.executable, "-m", "reward_sdk", "train", str(example_path("progress_speed"))]
    cmd += ["--track", "reinvent_base", "--tracks-dir", tracks_dir, "--algo", "ppo", "--actions", str(meta)]
    cmd += ["--minutes", str(minutes), "--name", name, "--runs-dir", str(runs_dir), "--seed", str(seed), "-q"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    evaluate = [
        "evaluate",
        str(runs_dir / name),
        "--laps",
        "1",
        "--format",
        "json",
        "--tracks-dir",
        tracks_dir,
    ]
    out = subprocess.run(
        [sys.executable, "-m", "reward_sdk", *evaluate],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return dict(json.loads(out.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--tracks-dir", default=os.environ.get("REWARD_TRACKS_DIR", str(REPO.parent / "shared/data/tracks"))
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20_000, help="steps of the vector-env measurement")
    parser.add_argument("--skip-sac", action="store_true")
    parser.add_argument(
        "--progress-minutes", type=float, default=0.0, help="(c): minutes of training (e.g. 5)"
    )
    args = parser.parse_args()
    track = resolve_track("reinvent_base", args.tracks_dir)

    single = single_env_rate(track, args.steps // 4)
    print(f"(a) gymnasium RaceCarEnv, one sandbox call per step     {single:10,.0f} steps/s")
    for cars in (8, 16):
        rate = vec_env_rate(track, cars, args.steps)
        verdict = "met" if rate >= 10_000 else "NOT met"
        print(
            f"    RaceCarVecEnv, {cars:2d} cars, one batched call per step {rate:10,.0f} steps/s "
            f"({rate / single:.1f}× the single env; target >= 10,000: {verdict})"
        )

    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        runs_dir = Path(tmp)
        algos = [("ppo", 2.0)] + ([] if args.skip_sac else [("sac", 3.0)])
        for algo, minutes in algos:
            results = [
                first_lap(algo, seed, args.tracks_dir, runs_dir, minutes) for seed in range(args.seeds)
            ]
            wall = statistics.median(r["wall_s"] for r in results)
            train = statistics.median(r["train_s"] for r in results)
            rate = statistics.median(r["steps_per_s"] for r in results)
            each = ", ".join(
                f"{r['wall_s']:.1f} s ({r['steps']:,} steps, lap {r['lap_time']:.2f} s)" for r in results
            )
            target = "<= 30 s, <= 15 s training" if algo == "ppo" else "<= 60 s"
            print(
                f"(b) {algo}: first evaluation lap after {wall:.1f} s wall, {train:.1f} s training (median of "
                f"{len(results)}; target {target}); learning at {rate:,.0f} steps/s; runs: {each}"
            )
            print(
                f"    process start to training start (imports, sandbox, folders): "
                f"{statistics.median(r['setup_s'] for r in results):.1f} s"
            )
        if args.progress_minutes > 0:
            reference, setting = scripted_lap(track)
            result = progress_lap(args.tracks_dir, runs_dir, args.progress_minutes, seed=0)
            lap = result["best_lap_time"]
            ratio = lap / reference if lap else math.inf
            print(
                f"(c) progress example, PPO continuous 1-4 m/s, {args.progress_minutes:g} min: best checkpoint lap "
                f"{lap if lap is None else round(lap, 2)} s vs scripted curvature-speed driver {reference:.2f} s "
                f"({setting}); ratio {ratio:.2f} (target <= 1.15)"
            )


if __name__ == "__main__":
    main()
