"""Benchmark: cost of running a reward function in the sandbox versus plain in-process Python.

Run from the repository root::

    .venv/bin/python -m bench.sandbox [--states N]

Uses the real reinvent_base centre line (``../shared/data/tracks/reinvent_base.npy``, columns 0-1) and the
classic centre-line reward. Modes, all over the same N pseudo-random states:

(a) plain in-process loop: build each 27-key params dict (incl. the waypoints list) and call the function;
(b) sandbox, batched: 1000 states per message as numpy columns, waypoints/track_length sent once as constants;
(c) sandbox, one call per message (``score``), waypoints as constants;
(d) inside the worker (``run_in_worker``): the same dict-building loop calling the restricted, checked reward,
    versus that loop calling a plain function in the same worker.

Prints calls/s and the ratios (b)/(a), (c)/(a) and (d). Never asserted on in tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo root importable, not bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import numpy as np

from sandbox import RewardSandbox

REWARD_SOURCE = """
def reward_function(params):
    track_width = params["track_width"]
    distance_from_center = params["distance_from_center"]
    marker_1 = 0.1 * track_width
    marker_2 = 0.25 * track_width
    marker_3 = 0.5 * track_width
    if distance_from_center <= marker_1:
        reward = 1.0
    elif distance_from_center <= marker_2:
        reward = 0.5
    elif distance_from_center <= marker_3:
        reward = 0.1
    else:
        reward = 1e-3
    return float(reward)
"""
BATCH = 1000
Reward = Callable[[dict[str, Any]], float]


def _data_dir() -> Path:
    root = Path(__file__).resolve().parents[1]
    for base in (root, *root.parents):
        if (base / "shared" / "data" / "tracks").is_dir():
            return base / "shared" / "data"
    raise SystemExit("shared/data not found next to the repository (expected ../shared/data)")


def make_states(n: int, waypoints: list[tuple[float, float]]) -> dict[str, Any]:
    """Per-row columns (25 keys; ``waypoints``/``track_length`` are constants) as numpy arrays or lists."""
    rng = np.random.default_rng(0)
    m = len(waypoints)
    behind = rng.integers(0, m - 1, n)
    return {
        "all_wheels_on_track": rng.random(n) < 0.9,
        "x": rng.uniform(0, 8, n),
        "y": rng.uniform(0, 5, n),
        "heading": rng.uniform(-180, 180, n),
        "distance_from_center": rng.uniform(0, 0.5, n),
        "projection_distance": rng.uniform(0, 17, n),
        "progress": rng.uniform(0, 100, n),
        "steps": np.arange(n, dtype=np.float64) + 1.0,
        "speed": rng.uniform(0.5, 4, n),
        "steering_angle": rng.uniform(-30, 30, n),
        "track_width": np.full(n, 0.762),
        "closest_waypoints": np.stack([behind, behind + 1], axis=1),
        "is_left_of_center": rng.random(n) < 0.5,
        "is_reversed": np.zeros(n, dtype=bool),
        "closest_objects": np.zeros((n, 2), dtype=np.int64),
        "objects_location": [[] for _ in range(n)],
        "objects_left_of_center": [[] for _ in range(n)],
        "object_in_camera": np.zeros(n, dtype=bool),
        "objects_speed": [[] for _ in range(n)],
        "objects_heading": [[] for _ in range(n)],
        "objects_distance_from_center": [[] for _ in range(n)],
        "objects_distance": [[] for _ in range(n)],
        "is_crashed": np.zeros(n, dtype=bool),
        "is_offtrack": rng.random(n) < 0.05,
        "sim_time": np.arange(n, dtype=np.float64) / 15.0,
    }


def plain_reward(params: dict[str, Any]) -> float:
    """The benchmark reward as ordinary Python (same code as REWARD_SOURCE)."""
    namespace: dict[str, Any] = {}
    exec(REWARD_SOURCE, namespace)  # compiled once per process; see _PLAIN below
    return float(namespace["reward_function"](params))


def _compile_plain() -> Reward:
    namespace: dict[str, Any] = {}
    exec(REWARD_SOURCE, namespace)
    fn: Reward = namespace["reward_function"]
    return fn


def dict_loop(reward: Reward, columns: dict[str, Any], extra: dict[str, Any]) -> tuple[float, float]:
    """Build one params dict per row (columns as Python lists, plus ``extra``) and call ``reward``.

    Returns ``(seconds, sum of rewards)``. Used for (a) in the parent and for (d) inside the worker.
    """
    names = list(columns)
    lists = [v.tolist() if isinstance(v, np.ndarray) else v for v in columns.values()]
    total = 0.0
    start = time.perf_counter()
    for values in zip(*lists, strict=True):
        params = dict(zip(names, values, strict=True))
        params.update(extra)
        total += reward(params)
    return time.perf_counter() - start, total


def worker_loops(reward: Reward, columns: dict[str, Any], extra: dict[str, Any]) -> dict[str, float]:
    """Run in the worker: the dict loop with the sandboxed ``reward`` vs with a plain function (best of 3)."""
    plain = _compile_plain()
    fresh: Reward = getattr(reward, "fresh")  # noqa: B009 - attribute set by the sandbox worker
    copying = min(dict_loop(reward, columns, {})[0] for _ in range(3))
    restricted = min(dict_loop(fresh, columns, {})[0] for _ in range(3))
    direct = min(dict_loop(plain, columns, extra)[0] for _ in range(3))
    return {"restricted_s": restricted, "copying_s": copying, "plain_s": direct}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--states", type=int, default=100_000, help="states per mode (default 100000)")
    n = parser.parse_args().states
    track = np.load(_data_dir() / "tracks" / "reinvent_base.npy")
    waypoints = [(float(x), float(y)) for x, y in track[:, 0:2]]
    track_length = float(np.sum(np.hypot(*np.diff(track[:, 0:2], axis=0).T)))
    columns = make_states(n, waypoints)
    constants = {"waypoints": waypoints, "track_length": track_length}
    print(f"{n} states, reinvent_base centre line ({len(waypoints)} waypoints), centre-line reward")

    plain = _compile_plain()
    t_a = min(dict_loop(plain, columns, constants)[0] for _ in range(3))
    rate_a = n / t_a

    with RewardSandbox(REWARD_SOURCE, preload=["bench.sandbox"]) as sb:
        sb.batch_rows = BATCH
        sb.set_constants(constants)
        best_b = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            sb.score_many(columns)  # sent as messages of sb.batch_rows (= BATCH) rows, two in flight
            best_b = min(best_b, time.perf_counter() - start)
        rate_b = n / best_b

        n_c = min(n, 20_000)
        rows = [
            {k: (v[i].tolist() if isinstance(v, np.ndarray) else v[i]) for k, v in columns.items()}
            for i in range(n_c)
        ]
        start = time.perf_counter()
        for row in rows:
            sb.score(row)
        rate_c = n_c / (time.perf_counter() - start)

        loops = sb.run_in_worker("bench.sandbox:worker_loops", columns, constants)
    rate_d_restricted = n / loops["restricted_s"]
    rate_d_copying = n / loops["copying_s"]
    rate_d_plain = n / loops["plain_s"]

    print(f"(a) plain in-process, dict built per call : {rate_a:12,.0f} calls/s")
    print(
        f"(b) sandbox batched, {BATCH}/message         : {rate_b:12,.0f} calls/s   "
        f"(b)/(a) = {rate_b / rate_a:.2f}"
    )
    print(
        f"(c) sandbox one call per message          : {rate_c:12,.0f} calls/s   "
        f"(c)/(a) = {rate_c / rate_a:.3f}"
    )
    print(f"(d) in-worker loop, plain function        : {rate_d_plain:12,.0f} calls/s")
    print(
        f"    in-worker loop, reward.fresh(params)  : {rate_d_restricted:12,.0f} calls/s   "
        f"(d) = fresh/plain = {rate_d_restricted / rate_d_plain:.2f}"
    )
    print(
        f"    in-worker loop, reward(params) copying: {rate_d_copying:12,.0f} calls/s   "
        f"copying/plain = {rate_d_copying / rate_d_plain:.2f}"
    )


if __name__ == "__main__":
    main()
