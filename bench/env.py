"""Benchmark: simulator steps per second on one core.

(a) geometry only — the env loop (car model, params from ``reward_sdk.geometry``, episode rules, scripted driver)
    with no reward function;
(b) the same loop inside a sandbox worker with the console's centre-line reward called on every step
    (``RewardSandbox.run_in_worker``), and, for reference, the gymnasium env calling the sandbox once per step;
(c) camera mode: the gymnasium env producing the 160×120 camera observation (reward in-process).

Prints the figures and the ratio (b)/(a). Target: (b) ≥ 5,000 steps/s. Run: ``python bench/env.py [--steps N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# bench/ holds scripts named like packages (bench/sandbox.py): import the real ones from the repo root
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reward_sdk import geometry  # noqa: E402
from reward_sdk.examples import example_source  # noqa: E402
from reward_sdk.sim import drivers  # noqa: E402
from reward_sdk.sim.actions import nearest_action  # noqa: E402
from reward_sdk.sim.rollout import step_rate  # noqa: E402
from reward_sdk.tracks import Track, resolve_track  # noqa: E402


def _env_rate(track: Track, steps: int, observation: str, reward: object) -> float:
    from trainer.env import RaceCarEnv

    env = RaceCarEnv(track=track, observation=observation, reward=reward)  # type: ignore[arg-type]
    driver = drivers.centre_line(1.5)
    env.reset(seed=0)
    begin = time.perf_counter()
    for _ in range(steps):
        steer, speed = driver(env.race)
        _, _, terminated, truncated, _ = env.step(nearest_action(env.actions, steer, speed))  # type: ignore[arg-type]
        if terminated or truncated:
            env.reset()
    elapsed = time.perf_counter() - begin
    env.close()
    return steps / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--track", default="reinvent_base")
    parser.add_argument("--tracks-dir", default="../shared/data/tracks")
    args = parser.parse_args()
    track = resolve_track(args.track, args.tracks_dir)
    driver = drivers.centre_line(1.5)
    step_rate(None, track, driver, 500)  # warm caches (track geometry, densified line)
    a = step_rate(None, track, drivers.centre_line(1.5), args.steps)
    rate_a = a["steps"] / a["seconds"]

    from sandbox import RewardSandbox

    source = example_source("follow_center_line")
    with RewardSandbox(source, preload=["reward_sdk.sim.rollout"]) as sandbox:
        sandbox.set_constants(geometry.track_constants(track))
        sandbox.run_in_worker("reward_sdk.sim.rollout:step_rate", track, drivers.centre_line(1.5), 500)
        b = sandbox.run_in_worker(
            "reward_sdk.sim.rollout:step_rate", track, drivers.centre_line(1.5), args.steps
        )
    rate_b = b["steps"] / b["seconds"]
    rate_env = _env_rate(track, args.steps // 4, "features", source)
    rate_c = _env_rate(track, args.steps // 4, "camera", lambda params: 1.0)

    print(f"track {track.name}, {args.steps} steps, one process each")
    print(f"(a) geometry only (core loop, no reward)          {rate_a:10,.0f} steps/s")
    print(f"(b) centre-line reward, loop in sandbox worker    {rate_b:10,.0f} steps/s")
    print(f"    gymnasium env, features, sandbox per step     {rate_env:10,.0f} steps/s")
    print(f"(c) gymnasium env, camera observation             {rate_c:10,.0f} steps/s")
    print(
        f"ratio (b)/(a) = {rate_b / rate_a:.2f}   target (b) >= 5,000 steps/s: {'met' if rate_b >= 5000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
