"""Bad input to ``reward edge``: corrupt or missing model files, wrong observation shapes, unknown precision —
one line ``error: ...`` and exit code 2, never a traceback."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reward_sdk.cli import main


def _copy_run(run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("tensorboard", "logs", "edge"))
    return copy


def _copy_export(report: dict[str, Any], tmp_path: Path) -> Path:
    copy = tmp_path / "export"
    shutil.copytree(report["out"], copy)
    return copy


def _corrupt_checkpoint(run: Path) -> None:
    (run / "checkpoints" / "best.zip").write_bytes(b"not a zip at all")


def _no_checkpoints(run: Path) -> None:
    shutil.rmtree(run / "checkpoints")


def _camera_metadata(run: Path) -> None:
    meta = json.loads((run / "model_metadata.json").read_text())
    (run / "model_metadata.json").write_text(json.dumps({**meta, "observation": "camera"}))


def _unknown_observation(run: Path) -> None:
    meta = json.loads((run / "model_metadata.json").read_text())
    (run / "model_metadata.json").write_text(json.dumps({**meta, "observation": "lidar"}))


def _fewer_actions(run: Path) -> None:
    meta = json.loads((run / "model_metadata.json").read_text())
    meta["action_space"] = meta["action_space"][:4]
    (run / "model_metadata.json").write_text(json.dumps(meta))


RUN_CASES: list[tuple[Callable[[Path], None], list[str], str]] = [
    (_corrupt_checkpoint, [], "cannot load the checkpoint"),
    (_no_checkpoints, [], "no such checkpoint"),
    (_camera_metadata, [], "observation shape (10,) does not match"),
    (_unknown_observation, [], "'observation' must be 'features' or 'camera', got 'lidar'"),
    (_fewer_actions, [], "the policy has 10 actions, model_metadata.json lists 4"),
    (lambda run: None, ["--precision", "int4"], "--precision must be one of fp32, fp16, int8"),
    (lambda run: None, ["--max-drop", "1.5"], "--max-drop must be in [0, 1)"),
    (lambda run: None, ["--laps", "0"], "--laps must be >= 1"),
    (lambda run: None, ["--format", "yaml"], "--format must be text or json"),
]


def _one_line_error(capsys: pytest.CaptureFixture[str], expected: str) -> None:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    assert expected in err, err


@pytest.mark.parametrize(("breaks", "args", "expected"), RUN_CASES)
def test_export_bad_input(
    features_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    breaks: Callable[[Path], None],
    args: list[str],
    expected: str,
) -> None:
    run = _copy_run(features_run, tmp_path)
    breaks(run)
    out = tmp_path / "out"
    assert main(["edge", "export", str(run), "--out", str(out), *args]) == 2
    _one_line_error(capsys, expected)
    assert not out.exists()


def test_export_of_a_missing_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["edge", "export", str(tmp_path / "nope")]) == 2
    _one_line_error(capsys, "no such run")


def _corrupt_xml(folder: Path) -> None:
    (folder / "model.xml").write_text("<net><layers>broken")


def _missing_bin(folder: Path) -> None:
    (folder / "model.bin").unlink()


def _truncated_bin(folder: Path) -> None:
    data = (folder / "model.bin").read_bytes()
    (folder / "model.bin").write_bytes(data[: len(data) // 3])


def _missing_metadata(folder: Path) -> None:
    (folder / "model_metadata.json").unlink()


def _wrong_observation(folder: Path) -> None:
    _camera_metadata(folder)


MODEL_CASES: list[tuple[Callable[[Path], None], str]] = [
    (_corrupt_xml, "not a readable OpenVINO IR"),
    (_missing_bin, "missing (the IR's weights file)"),
    (_truncated_bin, "not a readable OpenVINO IR"),
    (_missing_metadata, "model_metadata.json: missing"),
    (_wrong_observation, "the model takes observations of shape (10,)"),
]


@pytest.mark.parametrize(("breaks", "expected"), MODEL_CASES)
def test_drive_bad_model_files(
    features_exports: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    breaks: Callable[[Path], None],
    expected: str,
) -> None:
    folder = _copy_export(features_exports["fp32"], tmp_path)
    breaks(folder)
    assert main(["edge", "drive", str(folder), "--laps", "1"]) == 2
    _one_line_error(capsys, expected)


def test_drive_and_bench_missing_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["edge", "drive", str(tmp_path / "none")]) == 2
    _one_line_error(capsys, "no such model")
    assert main(["edge", "bench", str(tmp_path / "none")]) == 2
    _one_line_error(capsys, "not a folder")
    assert main(["edge", "drive", str(tmp_path), "--laps", "0"]) == 2
    _one_line_error(capsys, "--laps must be >= 1")


def test_bench_export_without_onnx(
    features_exports: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy_export(features_exports["fp32"], tmp_path)
    (folder / "model.onnx").write_bytes(b"\x00garbage")
    assert main(["edge", "bench", str(folder), "--seconds", "0.01"]) == 2
    _one_line_error(capsys, "model.onnx")


def test_a_missing_optional_library_names_its_extra(
    features_exports: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ModuleNotFoundError
    assert main(["edge", "bench", features_exports["fp32"]["out"], "--seconds", "0.01"]) == 2
    _one_line_error(capsys, "needs the module 'onnxruntime': pip install 'reward-sdk[edge]'")
