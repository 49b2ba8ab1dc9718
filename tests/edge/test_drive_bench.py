"""``reward edge drive`` runs on the IR alone (no torch, no SB3 imported) and laps wherever torch did;
``reward edge bench --format json`` measures every runtime in one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reward_sdk.cli import main

REPO = Path(__file__).resolve().parents[2]

_DRIVE_SCRIPT = """
import json, sys
from pathlib import Path
from edge.drive import drive_export
result = drive_export(Path(sys.argv[1]), laps=int(sys.argv[2]))
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "stable_baselines3"))
print(json.dumps({"result": result, "heavy": heavy}))
"""


def _drive_in_subprocess(model: Path, laps: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", _DRIVE_SCRIPT, str(model), str(laps)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def test_drive_uses_the_ir_alone_and_int8_laps_wherever_torch_does(features_exports: dict[str, Any]) -> None:
    report = features_exports["int8"]
    laps = report["accuracy"]["laps"]
    data = _drive_in_subprocess(Path(report["out"]), laps)
    assert data["heavy"] == [], f"torch/SB3 imported by edge drive: {data['heavy']}"
    result = data["result"]
    assert result["laps"] == laps and result["precision"] == "int8" and result["track"] == "oval"
    assert result["completed"] == report["accuracy"]["torch_laps_completed"] >= 1
    assert result["inference_hz"] > result["car_hz"] == 15.0 and result["realtime"]
    assert all(
        t > 5.0 for t, s in zip(result["lap_times"], result["statuses"], strict=True) if s == "lap_complete"
    )


def test_drive_camera_int8_matches_the_torch_laps(camera_exports: dict[str, Any]) -> None:
    report = camera_exports["int8"]
    data = _drive_in_subprocess(Path(report["out"]), report["accuracy"]["laps"])
    assert data["heavy"] == []
    assert data["result"]["completed"] == report["accuracy"]["torch_laps_completed"]
    assert data["result"]["observation"] == "camera"


def test_drive_cli_text_and_json(
    features_exports: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    out = features_exports["fp16"]["out"]
    assert main(["edge", "drive", out, "--laps", "1", "--track", "oval", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["schema_version"] == 1 and result["laps"] == 1 and result["completed"] == 1
    assert main(["edge", "drive", str(Path(out) / "model.xml"), "--laps", "1"]) == 0
    text = capsys.readouterr().out
    assert "1/1 laps" in text and "the car's 15 Hz" in text


def test_bench_json_measures_every_runtime(
    features_exports: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    out = features_exports["fp32"]["out"]
    assert main(["edge", "bench", out, "--seconds", "0.02", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {
        "schema_version",
        "source",
        "observation",
        "input_shape",
        "rows",
        "fastest",
        "versions",
    }
    labels = [row["label"] for row in report["rows"]]
    expected = ["torch fp32", "onnxruntime fp32"] + [
        f"openvino {p} {h}" for p in ("fp32", "fp16", "int8") for h in ("LATENCY", "THROUGHPUT")
    ]
    assert labels == expected
    for row in report["rows"]:
        assert set(row) >= {
            "runtime",
            "precision",
            "hint",
            "median_ms",
            "p99_ms",
            "throughput_per_s",
            "ratio",
        }
        assert 0 < row["median_ms"] <= row["p99_ms"] and row["throughput_per_s"] > 0
    assert report["rows"][0]["ratio"] == 1.0
    assert report["fastest"] in labels
    assert report["input_shape"] == [1, 10]
