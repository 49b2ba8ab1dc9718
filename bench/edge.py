"""Benchmark: edge inference (issue 15), ratios against torch measured in the same run.

Targets:

* (a) camera policy (SB3 PPO ``CnnPolicy`` = NatureCNN, DeepRacer's shallow network, 1×120×160 gray frames):
  OpenVINO INT8 median latency ≤ 0.33 × torch single-thread;
* (b) features policy (``MlpPolicy``, 10 inputs): the fastest runtime's median latency ≤ 0.5 × torch.

Both policies are made here: (a) the cloned camera run of the edge tests (``tests/edge/camera_run.py``: the
centre-line driver's frames, a ridge-fitted head), (b) a PPO run trained until its first evaluation lap on the oval.
Each is measured with :func:`edge.bench.bench` (batch 1, one real simulator observation, torch with one thread,
ONNX Runtime with one thread, OpenVINO FP32/FP16/INT8 with the LATENCY and THROUGHPUT hints, zero-copy requests).

Run: ``python bench/edge.py [--seconds 2] [--json out.json]``. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

# bench/ holds scripts named like packages (bench/edge.py): import the real ones from the repo root
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CNN_INT8_TARGET = 0.33  # × torch single-thread median
FEATURES_TARGET = 0.5  # × torch single-thread median, fastest runtime


def _features_run(root: Path) -> Path:
    from reward_sdk.examples import example_path
    from trainer.train import TrainConfig, train

    config = TrainConfig(
        reward=example_path("follow_center_line"),
        track="oval",
        steps=8192,
        until_lap=True,
        name="features",
        runs_dir=root,
        hp=["n_steps=128"],
    )
    return train(config).run.path


def _print(title: str, report: dict[str, Any]) -> None:
    print(f"\n{title} — input {report['input_shape']}")
    print(f"{'runtime':<34}{'median ms':>11}{'p99 ms':>10}{'per s':>10}{'× torch':>9}")
    for row in report["rows"]:
        ratio = f"{row['ratio']:.3f}" if row["ratio"] is not None else "-"
        print(
            f"{row['label']:<34}{row['median_ms']:>11.4f}{row['p99_ms']:>10.4f}"
            f"{row['throughput_per_s']:>10,.0f}{ratio:>9}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds of calls per measurement")
    parser.add_argument("--json", type=Path, default=None, help="also write both reports to this JSON file")
    args = parser.parse_args()

    from edge.bench import bench
    from tests.edge.camera_run import build_camera_run

    with tempfile.TemporaryDirectory(prefix="bench-edge-") as temp:
        root = Path(temp)
        camera = bench(build_camera_run(root), seconds=args.seconds)
        features = bench(_features_run(root), seconds=args.seconds)
    _print("(a) camera policy (NatureCNN)", camera)
    _print("(b) features policy (MLP)", features)
    by_label = {row["label"]: row for row in camera["rows"]}
    int8 = by_label["openvino int8 LATENCY"]["ratio"]
    fastest = min(features["rows"], key=lambda row: row["median_ms"])
    ok_a = int8 is not None and int8 <= CNN_INT8_TARGET
    ok_b = fastest["ratio"] is not None and fastest["ratio"] <= FEATURES_TARGET
    load = os.getloadavg()[0]
    print(f"\nload average (1 min): {load:.2f} on {os.cpu_count()} cores")
    print(
        f"(a) OpenVINO INT8 CNN median: {int8:.3f} × torch (target ≤ {CNN_INT8_TARGET}) {'✓' if ok_a else '✗'}"
    )
    print(
        f"(b) features, fastest runtime {fastest['label']}: {fastest['ratio']:.3f} × torch "
        f"(target ≤ {FEATURES_TARGET}) {'✓' if ok_b else '✗'}"
    )
    if args.json is not None:
        from reward_sdk.atomic import write_text_atomic

        write_text_atomic(
            args.json, json.dumps({"camera": camera, "features": features, "load": load}, indent=2)
        )
    return 0 if ok_a and ok_b else 1


if __name__ == "__main__":
    sys.exit(main())
