"""``reward edge car-package``: the model archive a physical DeepRacer loads (TensorFlow CPU, extra ``[car]``).

The car does not take an OpenVINO IR: its model optimizer node reads ``agent/model.pb`` (a TF1 frozen graph) and
``model_metadata.json`` from the uploaded ``tar.gz`` and converts the graph on the car itself (to an IR, or to
TFLite). It finds the graph's input by the name the original trainer (rl_coach) gave it, built from the metadata:
``main_level/agent/{head}/online/network_0/{sensor}/{sensor}`` (head ``main`` for clipped PPO; sensor
``FRONT_FACING_CAMERA``, or ``observation`` for old single-camera models), shape ``[1, 120, 160, 1]`` NHWC float
gray pixels 0–255 (the car's preprocessing resizes and converts to gray, it does not scale), and its output
``main_level/agent/main/online/network_1/ppo_head_0/policy``: the softmax over the discrete actions.

:func:`build_frozen_graph` rebuilds the SB3 camera policy (NatureCNN + dense + action head) from its numpy weights
as ``tf.constant`` s in a ``tf.compat.v1`` graph with those names, the /255 normalisation inside the graph and the
NCHW flatten order of torch (a transpose before the reshape). :func:`car_package` checks it on real simulator
frames against torch (max |Δ| of the probabilities ≤ :data:`TF_TOLERANCE`) and through ``openvino.convert_model``
of the ``.pb`` (≤ :data:`OV_TOLERANCE`), then writes the archive atomically.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from edge.simdrive import drive, spread_starts
from reward_sdk.atomic import write_bytes_atomic
from reward_sdk.errors import UserError
from reward_sdk.sim.actions import DiscreteActionSpace, load_model_metadata

HEAD = "main"  # rl_coach's input head name for clipped PPO
INPUT_FORMAT = "main_level/agent/{head}/online/network_0/{sensor}/{sensor}"
OUTPUT_NODE = "main_level/agent/main/online/network_1/ppo_head_0/policy"
CAR_SENSORS = ("FRONT_FACING_CAMERA", "observation")
PB_ENTRY = "agent/model.pb"
METADATA_ENTRY = "model_metadata.json"
TF_TOLERANCE = 1e-4
OV_TOLERANCE = 1e-3
FEATURES_MESSAGE = (
    "the car has only a camera: distil a camera policy first (reward train --obs camera --teacher ...)"
)


def input_node(sensor: str) -> str:
    """The graph input name the car derives from the metadata's first sensor."""
    return INPUT_FORMAT.format(head=HEAD, sensor=sensor)


def layers_of(policy: Any) -> list[tuple[str, dict[str, np.ndarray]]]:
    """The actor of an SB3 ``ActorCriticCnnPolicy`` as a list of ``(kind, arrays)``: ``conv`` (``w`` OIHW,
    ``b``, ``stride``), ``relu``, ``tanh``, ``flatten`` (NCHW order), ``dense`` (``w`` out×in, ``b``).

    :raises UserError: a layer this builder does not know (not a NatureCNN-style policy)."""
    from torch import nn

    modules: list[nn.Module] = [
        *policy.features_extractor.cnn,
        *policy.features_extractor.linear,
        *policy.mlp_extractor.policy_net,
        policy.action_net,
    ]
    out: list[tuple[str, dict[str, np.ndarray]]] = []
    for module in modules:
        if isinstance(module, nn.Conv2d):
            if module.padding not in ((0, 0), "valid"):
                raise UserError("car-package: only unpadded convolutions (NatureCNN) are supported")
            arrays = {"w": _np(module.weight), "b": _np(module.bias), "stride": np.asarray(module.stride)}
            out.append(("conv", arrays))
        elif isinstance(module, nn.Linear):
            out.append(("dense", {"w": _np(module.weight), "b": _np(module.bias)}))
        elif isinstance(module, nn.ReLU):
            out.append(("relu", {}))
        elif isinstance(module, nn.Tanh):
            out.append(("tanh", {}))
        elif isinstance(module, nn.Flatten):
            out.append(("flatten", {}))
        else:
            raise UserError(
                f"car-package: layer {type(module).__name__} is not supported (NatureCNN policies only)"
            )
    return out


def _np(tensor: Any) -> np.ndarray:
    return np.asarray(tensor.detach().cpu().numpy(), dtype=np.float32)


def build_frozen_graph(layers: list[tuple[str, dict[str, np.ndarray]]], sensor: str) -> bytes:
    """Serialized TF1 ``GraphDef`` (constants only) of ``layers``: input ``[None, 120, 160, 1]`` float pixels,
    output the softmax named :data:`OUTPUT_NODE`."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 120, 160, 1], name=input_node(sensor))
        h = tf.math.truediv(x, tf.constant(255.0, tf.float32), name="normalise_pixels")
        for i, (kind, arrays) in enumerate(layers):
            if kind == "conv":
                kernel = tf.constant(np.transpose(arrays["w"], (2, 3, 1, 0)), name=f"conv{i}/kernel")
                stride = [1, int(arrays["stride"][0]), int(arrays["stride"][1]), 1]
                h = tf.nn.conv2d(h, kernel, stride, "VALID", name=f"conv{i}")
                h = tf.nn.bias_add(h, tf.constant(arrays["b"], name=f"conv{i}/bias"))
            elif kind == "relu":
                h = tf.nn.relu(h)
            elif kind == "tanh":
                h = tf.math.tanh(h)
            elif kind == "flatten":  # torch flattens C, H, W: transpose NHWC -> NCHW first
                h = tf.transpose(h, [0, 3, 1, 2])
                h = tf.reshape(h, [-1, int(np.prod(h.shape[1:]))])
            else:
                weight = tf.constant(arrays["w"].T, name=f"dense{i}/kernel")
                h = tf.nn.bias_add(
                    tf.linalg.matmul(h, weight), tf.constant(arrays["b"], name=f"dense{i}/bias")
                )
        tf.nn.softmax(h, name=OUTPUT_NODE)
    data: bytes = graph.as_graph_def().SerializeToString()
    return data


def run_frozen_graph(pb: bytes, sensor: str, frames_nhwc: np.ndarray) -> np.ndarray:
    """Run the frozen graph on float ``(n, 120, 160, 1)`` frames; returns the probabilities."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph_def = v1.GraphDef()
    graph_def.ParseFromString(pb)
    graph = tf.Graph()
    with graph.as_default():
        v1.import_graph_def(graph_def, name="")
    with v1.Session(graph=graph) as session:
        result = session.run(f"{OUTPUT_NODE}:0", {f"{input_node(sensor)}:0": frames_nhwc})
    return np.asarray(result, dtype=np.float32)


def run_openvino(pb_path: Path, frames_nhwc: np.ndarray) -> np.ndarray:
    """``openvino.convert_model`` of the ``.pb`` (what the car's optimizer does), run on the frames."""
    import openvino as ov

    from edge.ir import compile_model

    try:
        model = ov.convert_model(str(pb_path))
    except Exception as exc:
        raise UserError(
            f"OpenVINO cannot convert the frozen graph ({str(exc).splitlines()[0][:200]})"
        ) from None
    compiled = compile_model(model)
    return np.asarray(compiled(frames_nhwc)[0], dtype=np.float32)


def car_package(
    run_path: Path, out: Path, runs_dir: Path = Path("runs"), tracks_dir: Path | None = None, frames: int = 64
) -> dict[str, Any]:
    """Build, check and write the car archive of a camera run; returns a summary (``out``, ``input_node``,
    ``output_node``, ``frames`` checked, ``max_abs_diff_tf``, ``max_abs_diff_openvino``, ``bytes``).

    :raises UserError: features run (:data:`FEATURES_MESSAGE`), not clipped PPO with discrete actions,
        TensorFlow missing, or a check beyond its tolerance.
    """
    from trainer.runs import find_run

    run = find_run(run_path, runs_dir)
    if run.observation() != "camera":
        raise UserError(FEATURES_MESSAGE)
    metadata = load_model_metadata(run.metadata_json)
    if not isinstance(metadata.action_space, DiscreteActionSpace):
        raise UserError("car-package: only discrete-action PPO camera policies are supported")
    sensor = next((s for s in metadata.sensor if s in CAR_SENSORS), None)
    if sensor is None:
        raise UserError(f"{run.metadata_json}: sensor must include FRONT_FACING_CAMERA for the car")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        raise UserError("car-package needs TensorFlow: pip install 'reward-sdk[car]'") from None
    from edge.policy import load_run_policy, torch_outputs, torch_predict

    policy = load_run_policy(run.path, "best", runs_dir, tracks_dir)
    if policy.algo != "ppo":
        raise UserError("car-package: the car loads clipped-PPO policies only (this run is SAC)")
    actor = policy.actor()
    driven = drive(
        torch_predict(actor),
        policy.track,
        policy.actions,
        spread_starts(2, offset=0.3),
        observation="camera",
        car=policy.car,
        record=True,
        max_steps=max(frames, 1),
    )
    assert driven.observations is not None
    chw = driven.observations[:: max(1, len(driven.observations) // frames)][:frames]
    import torch

    reference = torch.softmax(torch.as_tensor(torch_outputs(actor, chw)), dim=1).numpy()
    nhwc = np.ascontiguousarray(np.transpose(chw, (0, 2, 3, 1)).astype(np.float32))
    pb = build_frozen_graph(layers_of(policy.model.policy), sensor)
    tf_diff = float(np.max(np.abs(run_frozen_graph(pb, sensor, nhwc) - reference)))
    if tf_diff > TF_TOLERANCE:
        raise UserError(
            f"car-package: the TensorFlow graph differs from torch by {tf_diff:.2e} (> {TF_TOLERANCE})"
        )
    with tempfile.TemporaryDirectory(prefix="reward-car-") as temp:
        pb_path = Path(temp) / "model.pb"
        pb_path.write_bytes(pb)
        ov_diff = float(np.max(np.abs(run_openvino(pb_path, nhwc) - reference)))
    if ov_diff > OV_TOLERANCE:
        raise UserError(
            f"car-package: OpenVINO's conversion differs from torch by {ov_diff:.2e} (> {OV_TOLERANCE})"
        )
    meta = json.dumps(metadata.to_json(), indent=2).encode("utf-8")
    archive = _tar({PB_ENTRY: pb, METADATA_ENTRY: meta})
    write_bytes_atomic(out, archive)
    return {
        "out": str(out),
        "run": run.name,
        "input_node": input_node(sensor),
        "output_node": OUTPUT_NODE,
        "frames": len(chw),
        "max_abs_diff_tf": tf_diff,
        "max_abs_diff_openvino": ov_diff,
        "bytes": len(archive),
        "entries": [PB_ENTRY, METADATA_ENTRY],
    }


def _tar(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
