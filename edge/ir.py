"""OpenVINO IR: convert ONNX, save FP32/FP16, load and run — without torch.

* :func:`convert_onnx` — ``openvino.convert_model`` (the model optimizer ``mo`` is gone in OpenVINO 2026).
* :func:`save_ir` — ``openvino.save_model``; it compresses weights to FP16 unless told not to, so FP32 passes
  ``compress_to_fp16=False`` explicitly.
* :class:`IRModel` — a compiled IR: batched outputs, and single-observation inference on one reused
  ``InferRequest`` with ``share_inputs=True`` (zero copy, what matters for a 10-input MLP).

Compiled models use ``INFERENCE_PRECISION_HINT=f32``: on CPUs with bf16 units OpenVINO would otherwise run FP32
IRs in bf16 (≈ 1e-3 relative error), which is not what the car's Atom CPU does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reward_sdk.errors import UserError

PRECISIONS = ("fp32", "fp16", "int8")
HINTS = ("LATENCY", "THROUGHPUT")
MODEL_XML = "model.xml"


def check_precision(precision: str) -> str:
    """The lower-cased precision. :raises UserError: not fp32, fp16 or int8."""
    value = precision.lower()
    if value not in PRECISIONS:
        raise UserError(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    return value


def core() -> Any:
    """A shared ``openvino.Core``."""
    import openvino as ov

    global _CORE
    if _CORE is None:
        _CORE = ov.Core()
    return _CORE


_CORE: Any = None


def convert_onnx(onnx: Path) -> Any:
    """``openvino.convert_model`` of an ONNX file. The file is parsed by ``onnx`` first: given a broken file,
    ``convert_model`` would also try its TensorFlow frontend, which logs to stderr.

    :raises UserError: unreadable or unconvertible file."""
    import onnx as onnx_lib
    import openvino as ov

    try:
        onnx_lib.load(str(onnx), load_external_data=False)
        return ov.convert_model(str(onnx))
    except Exception as exc:
        raise UserError(f"{onnx}: cannot convert the ONNX model ({_first_line(exc)})") from None


def save_ir(model: Any, xml: Path, fp16: bool) -> None:
    """Write ``xml`` + ``.bin``; weights in FP16 when ``fp16`` (else kept FP32)."""
    import openvino as ov

    ov.save_model(model, str(xml), compress_to_fp16=fp16)


def compile_model(model: Any, hint: str = "LATENCY", threads: int | None = None) -> Any:
    """Compile an ``ov.Model`` for the CPU with a performance ``hint`` (LATENCY/THROUGHPUT) in f32."""
    config: dict[str, Any] = {"PERFORMANCE_HINT": hint, "INFERENCE_PRECISION_HINT": "f32"}
    if threads is not None:
        config["INFERENCE_NUM_THREADS"] = threads
    return core().compile_model(model, "CPU", config)


def read_ir(xml: Path) -> Any:
    """``ov.Model`` from ``xml`` (+ its ``.bin``). :raises UserError: missing or corrupt files."""
    if not xml.is_file():
        raise UserError(f"{xml}: no such model file (expected an OpenVINO IR .xml from `reward edge export`)")
    if not xml.with_suffix(".bin").is_file():
        raise UserError(f"{xml.with_suffix('.bin')}: missing (the IR's weights file)")
    try:
        return core().read_model(str(xml))
    except Exception as exc:
        raise UserError(f"{xml}: not a readable OpenVINO IR ({_first_line(exc)})") from None


def fake_quantize_count(model: Any) -> int:
    """Number of ``FakeQuantize`` nodes of an ``ov.Model`` (0 = nothing runs in INT8)."""
    return sum(op.get_type_name() == "FakeQuantize" for op in model.get_ops())


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    return text[:200]


class IRModel:
    """A compiled one-input, one-output model.

    :param model: an ``ov.Model``. :param expect_shape: the observation shape (without batch) it must take.
    :raises UserError: the model's input does not fit ``expect_shape``.
    """

    def __init__(
        self, model: Any, expect_shape: tuple[int, ...] | None = None, hint: str = "LATENCY"
    ) -> None:
        if len(model.inputs) != 1 or len(model.outputs) != 1:
            raise UserError(
                "the model must have one input and one output (an actor from `reward edge export`)"
            )
        shape = model.inputs[0].get_partial_shape()
        dims = [d.get_length() if d.is_static else -1 for d in shape]
        self.input_shape = tuple(dims[1:])
        if expect_shape is not None and self.input_shape != tuple(expect_shape):
            raise UserError(
                f"the model takes observations of shape {self.input_shape}, the metadata's observation has "
                f"{tuple(expect_shape)}"
            )
        self.model = model
        self.compiled = compile_model(model, hint)
        self.request = self.compiled.create_infer_request()
        self.input_dtype = np.uint8 if "u8" in str(model.inputs[0].get_element_type()) else np.float32

    def outputs(self, obs: np.ndarray, batch: int = 256) -> np.ndarray:
        """Raw outputs (logits or actions) for ``obs`` ``(n, *shape)``, in batches."""
        obs = np.ascontiguousarray(obs, dtype=self.input_dtype)
        if obs.shape[1:] != self.input_shape:
            raise UserError(f"observations of shape {obs.shape[1:]}, the model takes {self.input_shape}")
        outs = [
            np.array(self.request.infer(obs[b : b + batch], share_inputs=True)[0], dtype=np.float32)
            for b in range(0, len(obs), batch)
        ]
        return np.concatenate(outs)

    def infer_one(self, obs: np.ndarray) -> np.ndarray:
        """Outputs of one ``(1, *shape)`` batch on the reused request, zero-copy (no conversion of ``obs``)."""
        return np.asarray(self.request.infer(obs, share_inputs=True)[0])

    def predict(self, discrete: bool) -> Callable[[np.ndarray], np.ndarray]:
        """A ``predict`` for :func:`edge.simdrive.drive` (argmax of logits when ``discrete``)."""

        def run(obs: np.ndarray) -> np.ndarray:
            out = self.outputs(obs)
            return out.argmax(axis=1) if discrete else out

        return run
