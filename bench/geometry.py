"""Benchmark: vectorised params for 100k states vs the scalar form in a loop (issue 3; target ≥ 50×).

Run: ``.venv/bin/python bench/geometry.py [--states N]``. Uses the real ``reinvent_base`` track from
``../shared/data/tracks``. States are random poses around the centre line (±0.5 m, any heading).

Printed figures, all measured in this run:
* vectorised ``params_batch`` states/s (the compiled kernel, :mod:`reward_sdk.geometry_kernel`), and the same
  columns from the numpy form it replaces when the extension is not built;
* scalar ``params_from_pose`` (the full params dict per state) states/s, and the ratio vectorised/scalar;
* for reference, the simulator's own way — shapely ``project``/``interpolate`` per state, as the real
  DeepRacer simapp does — states/s, and the ratio vectorised/reference.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LinearRing, Point

from reward_sdk import geometry_kernel
from reward_sdk.geometry import _core_columns_numpy, params_batch, params_from_pose, track_geometry
from reward_sdk.tracks import Track, load_track

TRACK_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "tracks" / "reinvent_base.npy"


def random_states(track: Track, count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(track.center) - 1, count)
    x = track.center[rows, 0] + rng.normal(0.0, 0.5, count)
    y = track.center[rows, 1] + rng.normal(0.0, 0.5, count)
    return x, y, rng.uniform(-180.0, 180.0, count)


def shapely_reference(track: Track, x: float, y: float) -> tuple[float, float]:
    """Distance from centre and track width computed the simulator's way (GEOS, one point at a time)."""
    centre, inner, outer = (LinearRing(line) for line in (track.center, track.inner, track.outer))
    point = Point(x, y)
    foot = centre.interpolate(centre.project(point, normalized=True), normalized=True)
    inner_point = inner.interpolate(inner.project(foot))
    outer_point = outer.interpolate(outer.project(foot))
    return point.distance(foot), inner_point.distance(outer_point)


def best_of(repeats: int, function: object) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=100_000)
    parser.add_argument("--scalar-states", type=int, default=5_000)
    args = parser.parse_args()
    if not TRACK_FILE.exists():
        raise SystemExit(f"missing {TRACK_FILE}: the benchmark needs ../shared/data")
    track = load_track(TRACK_FILE)
    track_geometry(track)
    x, y, heading = random_states(track, args.states)
    vector_s = best_of(3, lambda: params_batch(track, x, y, heading, speed=1.0, steering_angle=5.0))
    numpy_s = best_of(3, lambda: _core_columns_numpy(track, x, y, heading))
    scalar_count = args.scalar_states

    def scalar_loop() -> None:
        for index in range(scalar_count):
            params_from_pose(track, x[index], y[index], heading[index], speed=1.0, steering_angle=5.0)

    scalar_s = best_of(3, scalar_loop)

    # The simulator's own per-state shapely calls (rings built once, as the simapp caches them).
    centre, inner, outer = (LinearRing(line) for line in (track.center, track.inner, track.outer))
    shapely.prepare(centre)

    def reference_loop() -> None:
        for index in range(scalar_count):
            point = Point(x[index], y[index])
            foot = centre.interpolate(centre.project(point, normalized=True), normalized=True)
            inner.interpolate(inner.project(foot)).distance(outer.interpolate(outer.project(foot)))
            point.distance(foot)

    reference_s = best_of(3, reference_loop)
    vector_rate = args.states / vector_s
    scalar_rate = scalar_count / scalar_s
    reference_rate = scalar_count / reference_s
    print(f"track: {track.name} ({len(track.center)} waypoints, {track.length:.3f} m)")
    kernel = "compiled kernel" if geometry_kernel.AVAILABLE else "NOT BUILT: numpy form"
    print(f"vectorised params_batch      : {vector_rate:12,.0f} states/s ({args.states:,} states, {kernel})")
    print(f"numpy form (position columns): {args.states / numpy_s:12,.0f} states/s")
    print(f"scalar params_from_pose loop : {scalar_rate:12,.0f} states/s ({scalar_count:,} states)")
    print(
        f"shapely per-state reference  : {reference_rate:12,.0f} states/s (simulator's method, 3 keys only)"
    )
    print(f"ratio vectorised / scalar    : {vector_rate / scalar_rate:8.1f}x  (target >= 50x)")
    print(f"ratio vectorised / reference : {vector_rate / reference_rate:8.1f}x")


if __name__ == "__main__":
    main()
