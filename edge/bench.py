"""``reward edge bench``: latency and throughput of one policy through every runtime, measured in one run.

Rows (batch 1, one real observation from a simulator drive):

* ``torch`` — the SB3 actor, ``torch.set_num_threads(1)``, ``inference_mode`` (the reference of the ratios);
* ``onnxruntime`` — the exported ONNX, CPU provider, one intra-op thread;
* ``openvino`` FP32 / FP16 / INT8 × hints ``LATENCY`` and ``THROUGHPUT`` — a reused ``InferRequest`` with
  ``share_inputs=True`` (zero copy) for latency; for ``THROUGHPUT`` the throughput is measured with an
  ``AsyncInferQueue`` of the device's optimal number of requests.

Each figure comes from at least :data:`MIN_ITERATIONS` calls and ``seconds`` of calls after a warm-up:
``median_ms``, ``p99_ms``, ``throughput_per_s`` and ``ratio`` (median / torch median; < 1 is faster).

The source is a run folder (the actor is exported to a temp folder first) or an export folder (its
``model.onnx``; torch is measured when its ``report.json`` run still exists). INT8 is calibrated on a drive of the
policy (plain ``nncf.quantize``; the accuracy gate belongs to ``reward edge export``).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge import ir
from edge.simdrive import drive, observation_shape
from reward_sdk.errors import UserError

SCHEMA_VERSION = 1
MIN_ITERATIONS = 50
WARMUP = 20
BENCH_STARTS = (0.05, 0.55)  # fractions of a lap the observations (and the INT8 calibration set) come from


@dataclass
class Row:
    """One measured configuration (times in ms, throughput in inferences/s)."""

    runtime: str
    precision: str
    hint: str
    median_ms: float
    p99_ms: float
    throughput_per_s: float
    ratio: float | None = None

    @property
    def label(self) -> str:
        parts = [self.runtime, self.precision] + ([self.hint] if self.hint != "-" else [])
        return " ".join(parts)


@dataclass
class _Source:
    onnx: Path
    observation: str
    actions: Any
    track: Any
    car: Any
    actor: Any
    discrete: bool


def time_calls(call: Callable[[], object], seconds: float) -> list[float]:
    """Seconds of each call: a warm-up, then calls until ``seconds`` have passed and at least
    :data:`MIN_ITERATIONS` were made."""
    for _ in range(WARMUP):
        call()
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times) < MIN_ITERATIONS or time.perf_counter() < deadline:
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return times


def _row(runtime: str, precision: str, hint: str, times: list[float], throughput: float | None = None) -> Row:
    ms = np.asarray(times) * 1000.0
    median = float(np.median(ms))
    return Row(
        runtime,
        precision,
        hint,
        median,
        float(np.percentile(ms, 99)),
        throughput if throughput is not None else 1000.0 / float(np.mean(ms)),
    )


def _async_throughput(compiled: Any, sample: np.ndarray, seconds: float) -> float:
    """Inferences per second of an ``AsyncInferQueue`` kept full for ``seconds``."""
    import openvino as ov

    jobs = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    queue = ov.AsyncInferQueue(compiled, max(1, jobs))
    for _ in range(WARMUP):
        queue.start_async(sample, share_inputs=True)
    queue.wait_all()
    done = 0
    began = time.perf_counter()
    deadline = began + seconds
    while done < MIN_ITERATIONS or time.perf_counter() < deadline:
        queue.start_async(sample, share_inputs=True)
        done += 1
    queue.wait_all()
    return done / (time.perf_counter() - began)


def _resolve(source: Path, work: Path, runs_dir: Path, tracks_dir: Path | None) -> _Source:
    from edge.onnx_export import export_onnx

    if (source / "run.json").is_file():
        from edge.policy import load_run_policy

        policy = load_run_policy(source, "best", runs_dir, tracks_dir)
        actor = policy.actor()
        shape = (1, *observation_shape(policy.observation))
        dtype = np.uint8 if policy.observation == "camera" else np.float32
        onnx = export_onnx(actor, np.zeros(shape, dtype), work / "model.onnx")
        return _Source(
            onnx, policy.observation, policy.actions, policy.track, policy.car, actor, policy.discrete
        )
    from edge.drive import open_export
    from reward_sdk.sim.car import physics_profile
    from reward_sdk.tracks import resolve_track

    exported = open_export(source)
    onnx = exported.folder / "model.onnx"
    if not onnx.is_file():
        raise UserError(f"{onnx}: missing (bench needs the export's ONNX, or give the run folder)")
    run_path = exported.report.get("run_path")
    reference: Any = None
    if run_path and (Path(run_path) / "run.json").is_file():
        from edge.policy import load_run_policy

        checkpoint = str(exported.report.get("checkpoint", "best"))
        reference = load_run_policy(Path(run_path), checkpoint).actor()
    spec = exported.report.get("track_spec") or "oval"
    track = resolve_track(str(spec), tracks_dir)
    if exported.report.get("reverse"):
        track = track.reversed()
    car = physics_profile(str(exported.report.get("physics", "droa-2026")))
    return _Source(
        onnx, exported.observation, exported.metadata.action_space, track, car, reference, exported.discrete
    )


def _observations(src: _Source, fp32: ir.IRModel) -> np.ndarray:
    if src.actor is not None:
        from edge.policy import torch_predict

        predict = torch_predict(src.actor)
    else:
        predict = fp32.predict(src.discrete)
    driven = drive(
        predict,
        src.track,
        src.actions,
        BENCH_STARTS,
        observation=src.observation,
        car=src.car,
        record=True,
        max_steps=300,
    )
    assert driven.observations is not None
    return driven.observations


def bench(
    source: Path,
    seconds: float = 1.0,
    runs_dir: Path = Path("runs"),
    tracks_dir: Path | None = None,
    precisions: tuple[str, ...] = ir.PRECISIONS,
) -> dict[str, Any]:
    """Measure every runtime on ``source`` (run or export folder); returns the JSON report (module docstring):
    ``schema_version``, ``source``, ``observation``, ``input_shape``, ``rows`` (list of :class:`Row` dicts),
    ``fastest`` (label of the row with the lowest median), ``torch_threads`` (1), ``versions``.

    :raises UserError: not a run or export folder, missing/corrupt files, ``seconds`` <= 0.
    """
    if seconds <= 0:
        raise UserError("--seconds must be > 0")
    if not source.is_dir():
        raise UserError(f"{source}: not a folder (give a run folder or an export folder)")
    with tempfile.TemporaryDirectory(prefix="reward-edge-bench-") as temp:
        work = Path(temp)
        src = _resolve(source, work, runs_dir, tracks_dir)
        shape = observation_shape(src.observation)
        fp32_model = ir.convert_onnx(src.onnx)
        fp32 = ir.IRModel(fp32_model, shape)
        observations = _observations(src, fp32)
        sample = np.ascontiguousarray(observations[len(observations) // 2 : len(observations) // 2 + 1])
        rows: list[Row] = []
        if src.actor is not None:
            import torch

            torch.set_num_threads(1)
            tensor = torch.as_tensor(sample)
            with torch.inference_mode():
                rows.append(_row("torch", "fp32", "-", time_calls(lambda: src.actor(tensor), seconds)))
        rows.append(_onnxruntime(src.onnx, sample, seconds))
        for precision in precisions:
            model = _ov_model(precision, fp32_model, src.onnx, observations, work)
            for hint in ir.HINTS:
                compiled = ir.IRModel(model, shape, hint=hint)
                times = time_calls(_infer_one(compiled, sample), seconds)
                throughput = (
                    _async_throughput(compiled.compiled, sample, seconds) if hint == "THROUGHPUT" else None
                )
                rows.append(_row("openvino", precision, hint, times, throughput))
    reference = next((r.median_ms for r in rows if r.runtime == "torch"), None)
    for row in rows:
        row.ratio = row.median_ms / reference if reference else None
    from edge.export import versions

    fastest = min(rows, key=lambda r: r.median_ms)
    return {
        "schema_version": SCHEMA_VERSION,
        "source": str(source),
        "observation": src.observation,
        "input_shape": [1, *shape],
        "rows": [{**asdict(r), "label": r.label} for r in rows],
        "fastest": fastest.label,
        "torch_threads": 1,
        "versions": versions(),
    }


def _infer_one(model: ir.IRModel, sample: np.ndarray) -> Callable[[], object]:
    return lambda: model.infer_one(sample)


def _onnxruntime(onnx: Path, sample: np.ndarray, seconds: float) -> Row:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(str(onnx), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise UserError(f"{onnx}: ONNX Runtime cannot load it ({str(exc).splitlines()[0][:200]})") from None
    name = session.get_inputs()[0].name
    feed = {name: sample}
    return _row("onnxruntime", "fp32", "-", time_calls(lambda: session.run(None, feed), seconds))


def _ov_model(precision: str, fp32_model: Any, onnx: Path, observations: np.ndarray, work: Path) -> Any:
    if precision == "fp32":
        return fp32_model
    xml = work / f"{precision}.xml"
    if precision == "fp16":
        ir.save_ir(ir.convert_onnx(onnx), xml, fp16=True)
    else:
        from edge.quantize import quantize_int8

        ir.save_ir(quantize_int8(ir.convert_onnx(onnx), observations), xml, fp16=False)
    return ir.read_ir(xml)


def to_json(report: dict[str, Any]) -> str:
    """The report as indented JSON text."""
    return json.dumps(report, indent=2)
