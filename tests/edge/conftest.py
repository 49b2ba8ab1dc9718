"""Session fixtures of the edge tests: a features PPO run trained here (until its first evaluation lap on the
oval), a camera run cloned from the centre-line driver (:mod:`tests.edge.camera_run`), and their exports in all
three precisions (one set of simulator drives per run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("openvino", reason="the edge extra (openvino, nncf, onnx, onnxruntime) is not installed")
pytest.importorskip("nncf", reason="the edge extra is not installed")
pytest.importorskip("stable_baselines3", reason="the train extra is not installed")


@pytest.fixture(scope="session")
def edge_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("edge")


@pytest.fixture(scope="session")
def features_run(edge_root: Path) -> Path:
    """A PPO features run on the oval, trained until an evaluation completes a lap (≈ 2k steps)."""
    from reward_sdk.examples import example_path
    from trainer.train import TrainConfig, train

    config = TrainConfig(
        reward=example_path("follow_center_line"),
        track="oval",
        steps=8192,
        until_lap=True,
        name="feat",
        runs_dir=edge_root / "runs",
        hp=["n_steps=128"],
    )
    result = train(config)
    assert result.best.completion_pct == 100.0, "the fixture run should lap the oval"
    return result.run.path


@pytest.fixture(scope="session")
def camera_run(edge_root: Path) -> Path:
    from tests.edge.camera_run import build_camera_run

    return build_camera_run(edge_root / "runs")


def _export_all(run: Path, out: Path, laps: int) -> dict[str, dict[str, Any]]:
    from edge.export import ExportConfig, export_many

    reports = export_many(ExportConfig(run=run, out=out, laps=laps), ["fp32", "fp16", "int8"])
    return {report["precision"]: report for report in reports}


@pytest.fixture(scope="session")
def features_exports(features_run: Path, edge_root: Path) -> dict[str, dict[str, Any]]:
    return _export_all(features_run, edge_root / "exports-features", laps=3)


@pytest.fixture(scope="session")
def camera_exports(camera_run: Path, edge_root: Path) -> dict[str, dict[str, Any]]:
    return _export_all(camera_run, edge_root / "exports-camera", laps=2)
