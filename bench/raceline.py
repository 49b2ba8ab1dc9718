"""Benchmark: a racing-line reward trains to a faster lap than the centre-line example in the same time (issue 18).

On reinvent_base (``--track``): ``reward raceline`` computes the min-curvature line and emits its reward
function and clustered action space; then PPO trains (``trainer.train.train``) for ``--minutes`` each

* the emitted reward with the emitted actions (``model_metadata.json``), and
* ``examples/follow_center_line.py`` with the default discrete actions (5 steering angles x 1, 2 m/s),

same seed, same car, same number of cars. Printed: the scripted laps (racing-line driver vs the fastest
centre-line driver) and, for each run, the best evaluation (completion %, lap time) and the steps trained, then
the ratio of the best lap times (racing line / centre line; < 1 = the racing line trains faster laps).

Run: ``python bench/raceline.py [--minutes 5] [--track reinvent_base] [--tracks-dir ../shared/data/tracks]``.
"""

from __future__ import annotations

import argparse
import json
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
from reward_sdk.raceline import racing_line  # noqa: E402
from reward_sdk.raceline.emit import write_actions, write_reward  # noqa: E402
from reward_sdk.raceline.laps import best_centre_laps, racing_line_laps  # noqa: E402
from reward_sdk.tracks import resolve_track  # noqa: E402

REPO = _HERE.parent
DEFAULT_TRACKS_DIR = REPO.parent / "shared" / "data" / "tracks"


def train_once(
    reward: Path, actions: str | None, name: str, args: argparse.Namespace, runs: Path
) -> dict[str, Any]:
    """Train one PPO run for ``args.minutes``; return its best evaluation and step count."""
    from trainer.train import TrainConfig, train

    config = TrainConfig(
        reward=reward,
        track=args.track,
        tracks_dir=args.tracks_dir,
        algo="ppo",
        actions=actions,
        minutes=args.minutes,
        name=name,
        runs_dir=runs,
        seed=args.seed,
    )
    begin = time.perf_counter()
    result = train(config)
    return {
        "run": name,
        "steps": result.steps,
        "wall_s": round(time.perf_counter() - begin, 1),
        "best_completion_pct": round(result.best.completion_pct, 1),
        "best_lap_s": None if result.best.lap_time is None else round(result.best.lap_time, 3),
        "first_lap": result.best.first_lap,
    }


def _seconds(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="training time of each run")
    parser.add_argument("--track", default="reinvent_base")
    parser.add_argument("--tracks-dir", type=Path, default=DEFAULT_TRACKS_DIR)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)

    track = resolve_track(args.track, args.tracks_dir)
    line = racing_line(track)
    own, centre = racing_line_laps(line), best_centre_laps(track)
    with tempfile.TemporaryDirectory(prefix="bench-raceline-") as folder:
        work = Path(folder)
        reward = write_reward(line, work / "raceline_reward.py")
        actions = write_actions(line, work / "model_metadata.json")
        runs = work / "runs"
        raceline_run = train_once(reward, str(actions), "raceline", args, runs)
        centre_run = train_once(example_path("follow_center_line"), None, "centre", args, runs)
    ratio = (
        raceline_run["best_lap_s"] / centre_run["best_lap_s"]
        if raceline_run["best_lap_s"] and centre_run["best_lap_s"]
        else None
    )
    report = {
        "track": track.name,
        "minutes": args.minutes,
        "predicted_lap_s": round(line.lap_time, 3),
        "scripted": {
            "raceline_lap_s": None if own.best is None else round(own.best, 3),
            "centre_lap_s": None if centre.best is None else round(centre.best, 3),
            "centre_speed_mps": round(centre.speed, 2),
        },
        "raceline": raceline_run,
        "centre": centre_run,
        "best_lap_ratio": None if ratio is None else round(ratio, 3),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{track.name}: predicted racing-line lap {line.lap_time:.2f} s (flying)")
    print(
        f"scripted laps from the start line: racing line {_seconds(own.best)}, "
        f"best centre line {_seconds(centre.best)} at {centre.speed:.1f} m/s"
    )
    for label, run in (
        ("racing-line reward + clustered actions", raceline_run),
        ("centre-line example", centre_run),
    ):
        print(
            f"{label}: {run['steps']:,} steps in {run['wall_s']} s, best evaluation "
            f"{run['best_completion_pct']} % completion, lap {run['best_lap_s']} s"
        )
    print(f"best lap ratio racing line / centre line: {report['best_lap_ratio']} (< 1 = racing line faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
