"""``reward edge export``: FP32/FP16/INT8 of a features PPO run and of a camera CnnPolicy run pass the gate; the
report says what was measured; a failing gate exits 1 and leaves nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edge.gate import Agreement, GateResult, Tolerance, agreement
from reward_sdk.cli import main
from reward_sdk.sim.actions import ContinuousActionSpace

REPORT_KEYS = {
    "schema_version",
    "run",
    "precision",
    "quantization",
    "files",
    "accuracy",
    "latency_ms",
    "versions",
    "observation",
    "output",
    "input",
}


def _check_export(report: dict[str, Any], precision: str, observation: str) -> None:
    out = Path(report["out"])
    assert set(report) >= REPORT_KEYS
    assert report["precision"] == precision and report["observation"] == observation
    assert {"model.xml", "model.bin", "model.onnx", "model_metadata.json", "report.json"} <= {
        p.name for p in out.iterdir()
    }
    on_disk = json.loads((out / "report.json").read_text())
    assert on_disk["accuracy"] == report["accuracy"]
    assert report["files"]["model.bin"] == (out / "model.bin").stat().st_size
    meta = json.loads((out / "model_metadata.json").read_text())
    assert meta["observation"] == observation
    acc = report["accuracy"]
    assert acc["passed"] and acc["agreement"] >= 0.99 and acc["same_laps_complete"]
    assert acc["observations"] >= 100
    assert set(report["versions"]) >= {"torch", "openvino", "nncf", "onnx"}
    assert report["latency_ms"]["torch"] > 0 and report["latency_ms"]["openvino"] > 0
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "temp folders left behind"


@pytest.mark.parametrize("precision", ["fp32", "fp16", "int8"])
def test_features_run_exports_pass_the_gate(features_exports: dict[str, Any], precision: str) -> None:
    report = features_exports[precision]
    _check_export(report, precision, "features")
    acc = report["accuracy"]
    assert acc["torch_laps_completed"] == acc["model_laps_completed"] >= 1
    if precision == "fp32":
        assert acc["max_abs_diff"] < 1e-5 and acc["agreement"] == 1.0
    if precision == "int8":
        assert report["quantization"] in ("nncf.quantize", "nncf.quantize_with_accuracy_control")


@pytest.mark.parametrize("precision", ["fp32", "fp16", "int8"])
def test_camera_run_exports_pass_the_gate(camera_exports: dict[str, Any], precision: str) -> None:
    report = camera_exports[precision]
    _check_export(report, precision, "camera")
    assert report["input"] == {"name": "observation", "shape": [1, 120, 160], "dtype": "uint8"}
    acc = report["accuracy"]
    assert acc["torch_laps_completed"] == acc["model_laps_completed"]


def test_weights_shrink_with_precision(camera_exports: dict[str, Any]) -> None:
    size = {p: camera_exports[p]["files"]["model.bin"] for p in ("fp32", "fp16", "int8")}
    assert size["fp16"] < 0.55 * size["fp32"]
    assert size["int8"] < 0.3 * size["fp32"]  # the CNN really runs in INT8 (not reverted to FP32)
    assert camera_exports["int8"]["fake_quantize_nodes"] > 0


def test_ir_outputs_match_torch_on_real_frames(camera_run: Path, camera_exports: dict[str, Any]) -> None:
    from edge import ir
    from edge.policy import load_run_policy, torch_outputs, torch_predict
    from edge.simdrive import drive

    policy = load_run_policy(camera_run)
    actor = policy.actor()
    frames = drive(
        torch_predict(actor), policy.track, policy.actions, [0.37], "camera", policy.car, 60, record=True
    ).observations
    assert frames is not None and frames.shape[1:] == (1, 120, 160) and frames.dtype == np.uint8
    reference = torch_outputs(actor, frames)
    for precision, tolerance in (("fp32", 1e-4), ("fp16", 5e-2)):
        model = ir.IRModel(ir.read_ir(Path(camera_exports[precision]["out"]) / "model.xml"), (1, 120, 160))
        assert np.max(np.abs(model.outputs(frames) - reference)) < tolerance


def test_agreement_counts_argmax_and_continuous_units() -> None:
    ref = np.array([[0.0, 1.0], [2.0, 0.0], [0.0, 0.1]])
    out = np.array([[0.0, 0.9], [2.0, 0.0], [0.2, 0.1]])
    assert agreement(out, ref, True, Tolerance()).rate == pytest.approx(2 / 3)
    space = ContinuousActionSpace(-30.0, 30.0, 0.5, 3.0)  # 1 unit = 30 deg, 1.25 m/s
    tol = Tolerance.of(space)
    ref = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
    out = ref + np.array([[0.03, 0.0], [0.0, 0.05], [0.5, 0.5]])  # 0.9 deg ok; 0.0625 m/s no; clipped: ok
    result = agreement(out, ref, False, tol)
    assert result.rate == pytest.approx(2 / 3)
    assert result.max_steer_deg == pytest.approx(0.9)


def test_a_failing_gate_exits_1_and_writes_nothing(
    features_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import edge.export

    def failing(*args: Any, **kwargs: Any) -> Any:
        gate = GateResult(Agreement(0.9, 100, 1.0), 0.99, frozenset({0.0}), frozenset(), 1)
        return gate, None

    monkeypatch.setattr(edge.export, "_gate", failing)
    out = tmp_path / "fails"
    code = main(
        ["edge", "export", str(features_run), "--precision", "fp16", "--out", str(out), "--laps", "1"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "fails the accuracy gate" in err and "90.00%" in err and "laps completed differ" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_export_replaces_an_earlier_export_and_refuses_foreign_folders(
    features_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    code = main(["edge", "export", str(features_run), "--out", str(foreign), "--laps", "1"])
    assert code == 2 and "not an earlier export" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text() == "keep me"
    out = tmp_path / "fp32"
    for _ in range(2):
        code = main(
            ["edge", "export", str(features_run), "--out", str(out), "--laps", "1", "--format", "json"]
        )
        assert code == 0
        report = json.loads(capsys.readouterr().out)
        assert report["out"] == str(out) and report["accuracy"]["passed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fp32", "mine"]
