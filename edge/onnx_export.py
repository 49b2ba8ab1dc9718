"""The deterministic actor → ONNX: fixed opset, dynamic batch axis, one input ``observation``, one output.

Uses torch's TorchScript-based exporter (``dynamo=False``): it needs no ``onnxscript`` and gives a plain graph
(Gemm/Conv/Relu/Tanh) that OpenVINO and ONNX Runtime both read. The output is ``logits`` for discrete policies
and ``action`` for continuous ones (see :mod:`edge.policy`).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch

from edge.policy import DeterministicActor

OPSET = 17
INPUT_NAME = "observation"


def output_name(discrete: bool) -> str:
    """``logits`` (discrete: argmax outside the graph) or ``action`` (continuous)."""
    return "logits" if discrete else "action"


def export_onnx(actor: DeterministicActor, example: np.ndarray, path: Path) -> Path:
    """Write the ONNX model of ``actor`` to ``path``; ``example`` is a batch of real observations (dtype and
    shape taken from it, batch dimension left dynamic)."""
    sample = torch.as_tensor(np.ascontiguousarray(example[:2]))
    out = output_name(actor.discrete)
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the TorchScript exporter announces its own deprecation
        torch.onnx.export(
            actor,
            (sample,),
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=[INPUT_NAME],
            output_names=[out],
            dynamic_axes={INPUT_NAME: {0: "batch"}, out: {0: "batch"}},
        )
    return path
