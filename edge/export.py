"""``reward edge export``: a run's deterministic actor → ONNX → OpenVINO IR (FP32, FP16 or NNCF INT8), gated.

Steps (all observations come from driving the simulator, never from random data):

1. load the run (:func:`edge.policy.load_run_policy`) and drive it with torch from :data:`CALIBRATION_STARTS`
   (the INT8 calibration set), from :data:`HELD_OUT_STARTS` (the gate's held-out set) and from ``laps`` evenly
   spaced starts (the gate's laps) — three disjoint sets of starts;
2. export ONNX, convert with ``openvino.convert_model``, save FP32 (``compress_to_fp16=False``) or FP16, or
   quantise to INT8 with ``nncf.quantize``;
3. read the saved IR back and gate it (:mod:`edge.gate`); an INT8 model that fails is re-quantised with
   ``nncf.quantize_with_accuracy_control`` (its metric is measured on the calibration drive, so the held-out
   observations stay unseen; allowed drop ``max_drop / 2``, then 0, each result gated again: layers it reverts
   run in FP32, ``fake_quantize_nodes`` in the report counts what stays INT8); still failing → :class:`GateError`;
4. write ``OUT/`` atomically (a temp folder beside it, then rename): ``model.xml``, ``model.bin``,
   ``model.onnx``, ``model_metadata.json`` (the run's) and ``report.json``.

``report.json`` (``schema_version`` 1): ``run``, ``run_path``, ``checkpoint``, ``algo``, ``observation``,
``actions`` (discrete/continuous), ``output`` (``logits``: argmax gives the action index; ``action``: policy
outputs in [−1, 1]²), ``input`` (``name``, ``shape`` without batch, ``dtype``), ``precision``, ``quantization``
(``none``, ``nncf.quantize`` or ``nncf.quantize_with_accuracy_control``), ``fake_quantize_nodes`` (INT8
quantisation points left in the IR; the accuracy-aware search may revert layers to FP32), ``track`` (name),
``track_spec`` (run.json's track: a built-in name, path or stem), ``reverse``, ``physics``, ``files`` (bytes per file),
``accuracy`` (:meth:`edge.gate.GateResult.to_json`), ``latency_ms`` (median of one observation: ``torch`` 1
thread, ``openvino``), ``calibration_observations``, ``held_out_observations``, ``versions`` (python, torch,
openvino, nncf, onnx, stable_baselines3), ``created``.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge import ir
from edge.gate import DEFAULT_MAX_DROP, GateResult, Tolerance, agreement
from edge.simdrive import Drive, drive, observation_dtype, observation_shape, spread_starts
from reward_sdk.errors import UserError

SCHEMA_VERSION = 1
CALIBRATION_STARTS = spread_starts(4, offset=1 / 16)  # fractions of a lap, disjoint from the two sets below
HELD_OUT_STARTS = spread_starts(3, offset=1 / 10)
REPORT_JSON = "report.json"
METADATA_JSON = "model_metadata.json"
ONNX_FILE = "model.onnx"


class GateError(Exception):
    """The exported model failed the accuracy gate (the CLI exits 1; nothing was written)."""


@dataclass
class ExportConfig:
    """Options of ``reward edge export`` (see its ``--help``)."""

    run: Path
    precision: str = "fp32"
    out: Path | None = None
    max_drop: float = DEFAULT_MAX_DROP
    laps: int = 3
    checkpoint: str = "best"
    runs_dir: Path = Path("runs")
    tracks_dir: Path | None = None


@dataclass
class _Data:
    """Observations of the torch drives and the torch outputs on them."""

    calibration: np.ndarray
    calibration_reference: np.ndarray
    held_out: np.ndarray
    reference: np.ndarray
    torch_laps: Drive


def versions() -> dict[str, str]:
    """Versions of the libraries an export depends on (``missing`` when not installed)."""
    import importlib.metadata
    import platform

    out = {"python": platform.python_version()}
    for name in ("torch", "openvino", "nncf", "onnx", "onnxruntime", "stable_baselines3"):
        try:
            out[name] = importlib.metadata.version(name.replace("_", "-"))
        except importlib.metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def default_out(run: Path, precision: str) -> Path:
    """``RUN/edge/<precision>`` when ``--out`` is not given."""
    return run / "edge" / precision


def export(config: ExportConfig, say: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Export, gate and write ``config.out``; returns the report (see the module docstring).

    :raises UserError: bad input (one line). :raises GateError: the model does not pass the gate.
    """
    return export_many(config, [config.precision], say)[0]


def export_many(
    config: ExportConfig, precisions: list[str], say: Callable[[str], None] = lambda _: None
) -> list[dict[str, Any]]:
    """Export several precisions from one set of simulator drives (``--precision all``). With more than one
    precision ``config.out`` is the parent folder: each goes to ``OUT/<precision>`` (default ``RUN/edge/``).
    Exports are written one after the other; one that fails the gate raises :class:`GateError` and leaves
    nothing of its own (earlier ones stay, they passed).
    """
    wanted = [ir.check_precision(p) for p in precisions]
    if config.laps < 1:
        raise UserError("--laps must be >= 1")
    if not 0.0 <= config.max_drop < 1.0:
        raise UserError(f"--max-drop must be in [0, 1), got {config.max_drop}")
    from edge.policy import load_run_policy

    policy = load_run_policy(config.run, config.checkpoint, config.runs_dir, config.tracks_dir)
    outs = [
        (config.out if len(wanted) == 1 else config.out / p)
        if config.out is not None
        else default_out(policy.run.path, p)
        for p in wanted
    ]
    for out in outs:
        _check_out(out)
    actor = policy.actor()
    data = _collect(policy, actor, config.laps, say)
    return [
        _export_one(policy, actor, data, precision, out, config, say)
        for precision, out in zip(wanted, outs, strict=True)
    ]


def _export_one(
    policy: Any,
    actor: Any,
    data: _Data,
    precision: str,
    out: Path,
    config: ExportConfig,
    say: Callable[[str], None],
) -> dict[str, Any]:
    from edge.onnx_export import INPUT_NAME, export_onnx, output_name
    from edge.policy import torch_outputs

    tolerance = Tolerance.of(policy.actions)
    threshold = 1.0 - config.max_drop
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        onnx_path = temp / ONNX_FILE
        export_onnx(actor, data.calibration, onnx_path)
        fp32 = ir.convert_onnx(onnx_path)
        xml = temp / ir.MODEL_XML
        method = "none"
        if precision == "int8":
            say("quantising to INT8 (nncf.quantize)")
            ir.save_ir(_int8(fp32, data), xml, fp16=False)
            method = "nncf.quantize"
        else:
            ir.save_ir(fp32, xml, fp16=precision == "fp16")
        gate, model = _gate(xml, policy, data, tolerance, threshold, config.laps, say)
        # INT8 that fails: accuracy-aware quantisation, validated on the calibration drive with half the allowed
        # drop (a margin for the unseen held-out set), then with none; each result is gated again
        for search_drop in (config.max_drop / 2, 0.0) if precision == "int8" else ():
            if gate.passed:
                break
            say(
                f"gate failed ({gate.reason()}): nncf.quantize_with_accuracy_control, max drop {search_drop:g}"
            )
            from edge.quantize import quantize_with_accuracy

            quantized = quantize_with_accuracy(
                ir.convert_onnx(onnx_path),
                data.calibration,
                data.calibration,
                data.calibration_reference,
                policy.discrete,
                tolerance,
                search_drop,
            )
            ir.save_ir(quantized, xml, fp16=False)
            method = "nncf.quantize_with_accuracy_control"
            gate, model = _gate(xml, policy, data, tolerance, threshold, config.laps, say)
        if not gate.passed:
            raise GateError(
                f"{precision} export of {policy.run.name} fails the accuracy gate: {gate.reason()} "
                "(nothing written; try another precision or a larger --max-drop)"
            )
        shutil.copyfile(policy.run.metadata_json, temp / METADATA_JSON)
        sample = np.ascontiguousarray(data.held_out[:1])
        report: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "run": policy.run.name,
            "run_path": str(policy.run.path.resolve()),
            "checkpoint": policy.checkpoint.stem,
            "algo": policy.algo,
            "observation": policy.observation,
            "actions": policy.actions.kind,
            "output": output_name(policy.discrete),
            "input": {
                "name": INPUT_NAME,
                "shape": list(observation_shape(policy.observation)),
                "dtype": np.dtype(observation_dtype(policy.observation)).name,
            },
            "precision": precision,
            "quantization": method,
            "fake_quantize_nodes": ir.fake_quantize_count(model.model),
            "track": policy.track.name,
            "track_spec": str(policy.info.get("track", "")),
            "reverse": bool(policy.info.get("reverse", False)),
            "physics": str(policy.info.get("physics", "droa-2026")),
            "files": {},
            "accuracy": gate.to_json(),
            "latency_ms": {
                "torch": _median_ms(lambda: torch_outputs(actor, sample)),
                "openvino": _median_ms(lambda: model.infer_one(sample)),
            },
            "calibration_observations": len(data.calibration),
            "held_out_observations": len(data.held_out),
            "versions": versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        report["files"] = {p.name: p.stat().st_size for p in sorted(temp.iterdir()) if p.is_file()}
        (temp / REPORT_JSON).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        temp.chmod(0o755)
        _swap_in(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    report["out"] = str(out)
    return report


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a folder (--out takes a folder)")
    if out.is_dir() and any(out.iterdir()) and not (out / REPORT_JSON).is_file():
        raise UserError(f"{out}: a non-empty folder that is not an earlier export: choose another --out")


def _collect(policy: Any, actor: Any, laps: int, say: Callable[[str], None]) -> _Data:
    from edge.policy import torch_outputs, torch_predict

    predict = torch_predict(actor)
    common = {"observation": policy.observation, "car": policy.car}
    say("driving the policy for calibration and held-out observations")
    calibration = drive(predict, policy.track, policy.actions, CALIBRATION_STARTS, record=True, **common)
    held = drive(predict, policy.track, policy.actions, HELD_OUT_STARTS, record=True, **common)
    laps_drive = drive(predict, policy.track, policy.actions, spread_starts(laps), **common)
    assert calibration.observations is not None and held.observations is not None
    return _Data(
        calibration.observations,
        torch_outputs(actor, calibration.observations),
        held.observations,
        torch_outputs(actor, held.observations),
        laps_drive,
    )


def _int8(fp32: Any, data: _Data) -> Any:
    from edge.quantize import quantize_int8

    return quantize_int8(fp32, data.calibration)


def _gate(
    xml: Path,
    policy: Any,
    data: _Data,
    tolerance: Tolerance,
    threshold: float,
    laps: int,
    say: Callable[[str], None],
) -> tuple[GateResult, ir.IRModel]:
    say("gating the saved IR: held-out agreement and laps")
    model = ir.IRModel(ir.read_ir(xml), observation_shape(policy.observation))
    agree = agreement(model.outputs(data.held_out), data.reference, policy.discrete, tolerance)
    driven = drive(
        model.predict(policy.discrete),
        policy.track,
        policy.actions,
        spread_starts(laps),
        observation=policy.observation,
        car=policy.car,
    )
    gate = GateResult(agree, threshold, data.torch_laps.complete_starts, driven.complete_starts, laps)
    return gate, model


def _median_ms(call: Callable[[], object], repeats: int = 200) -> float:
    for _ in range(10):
        call()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return 1000.0 * statistics.median(times)


def _swap_in(temp: Path, out: Path) -> None:
    """Replace ``out`` by ``temp`` (an earlier export is moved aside first and removed after)."""
    old: Path | None = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{time.time_ns()}")
        out.rename(old)
    try:
        temp.rename(out)
    except BaseException:
        if old is not None:
            with contextlib.suppress(OSError):
                old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
