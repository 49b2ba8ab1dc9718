"""``reward edge car-package``: the archive holds agent/model.pb with the car loader's node names and the
metadata; the frozen graph reproduces the torch policy (1e-4) on real simulator frames, so does OpenVINO's
conversion of it (1e-3), and TFLite's converter (the car's other path) accepts it."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from reward_sdk.cli import main

INPUT = "main_level/agent/main/online/network_0/FRONT_FACING_CAMERA/FRONT_FACING_CAMERA"
OUTPUT = "main_level/agent/main/online/network_1/ppo_head_0/policy"


@pytest.fixture(scope="module")
def package(camera_run: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    pytest.importorskip("tensorflow", reason="the car extra (tensorflow-cpu) is not installed")
    out = tmp_path_factory.mktemp("car") / "model.tar.gz"
    from edge.car_package import car_package

    return out, car_package(camera_run, out)


def _frames(camera_run: Path) -> tuple[np.ndarray, np.ndarray]:
    """Frames the policy sees from poses along the oval's centre line (not the ones the command checked)."""
    import torch

    from edge.policy import load_run_policy, torch_outputs
    from reward_sdk import geometry
    from reward_sdk.sim import camera

    policy = load_run_policy(camera_run)
    frames = []
    for start in np.linspace(0.0, 1.0, 12, endpoint=False):
        x, y, heading = geometry.start_pose(policy.track, float(start))
        yaw = np.radians(heading + 8.0)
        frames.append(camera.render(policy.track, x, y, float(yaw))[None])
    chw = np.stack(frames)
    probs = torch.softmax(torch.as_tensor(torch_outputs(policy.actor(), chw)), dim=1).numpy()
    return chw, probs


def test_archive_layout_and_node_names(package: tuple[Path, dict[str, object]], camera_run: Path) -> None:
    out, summary = package
    assert summary["input_node"] == INPUT and summary["output_node"] == OUTPUT
    assert float(summary["max_abs_diff_tf"]) <= 1e-4 and float(summary["max_abs_diff_openvino"]) <= 1e-3  # type: ignore[arg-type]
    with tarfile.open(out, "r:gz") as tar:
        assert sorted(tar.getnames()) == ["agent/model.pb", "model_metadata.json"]
        meta = json.loads(tar.extractfile("model_metadata.json").read())  # type: ignore[union-attr]
    assert meta["sensor"] == ["FRONT_FACING_CAMERA"] and meta["training_algorithm"] == "clipped_ppo"
    assert meta["action_space_type"] == "discrete" and len(meta["action_space"]) == 10
    assert "observation" not in meta  # our own key stays out of the car's file


@pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning")
def test_frozen_graph_round_trips_through_tf_openvino_and_tflite(
    package: tuple[Path, dict[str, object]], camera_run: Path, tmp_path: Path
) -> None:
    import openvino as ov
    import tensorflow as tf

    from edge.car_package import run_frozen_graph

    out, _ = package
    with tarfile.open(out, "r:gz") as tar:
        pb = tar.extractfile("agent/model.pb").read()  # type: ignore[union-attr]
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(pb)
    ops = {node.name: node.op for node in graph_def.node}
    assert ops[INPUT] == "Placeholder" and ops[OUTPUT] == "Softmax"
    assert "VariableV2" not in ops.values() and "VarHandleOp" not in ops.values()  # frozen: constants only
    chw, probs = _frames(camera_run)
    nhwc = np.transpose(chw, (0, 2, 3, 1)).astype(np.float32)  # raw 0..255 pixels, as the car feeds them
    assert np.max(np.abs(run_frozen_graph(pb, "FRONT_FACING_CAMERA", nhwc) - probs)) <= 1e-4
    pb_path = tmp_path / "model.pb"
    pb_path.write_bytes(pb)
    compiled = ov.Core().compile_model(
        ov.convert_model(str(pb_path)), "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
    )
    assert np.max(np.abs(compiled(nhwc)[0] - probs)) <= 1e-3
    converter = tf.compat.v1.lite.TFLiteConverter.from_frozen_graph(
        str(pb_path), input_arrays=[INPUT], output_arrays=[OUTPUT], input_shapes={INPUT: [1, 120, 160, 1]}
    )
    tflite = converter.convert()
    interpreter = tf.lite.Interpreter(model_content=tflite)
    interpreter.allocate_tensors()
    inp, outp = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    interpreter.set_tensor(inp["index"], nhwc[:1])
    interpreter.invoke()
    assert np.max(np.abs(interpreter.get_tensor(outp["index"]) - probs[:1])) <= 1e-3


def test_features_run_is_refused_with_the_fix(
    features_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["edge", "car-package", str(features_run), "--out", str(tmp_path / "m.tar.gz")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0
    assert (
        "the car has only a camera: distil a camera policy first (reward train --obs camera --teacher" in err
    )
    assert not (tmp_path / "m.tar.gz").exists()
