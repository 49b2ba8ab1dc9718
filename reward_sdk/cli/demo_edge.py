"""``reward demo``'s edge stages: export the trained policy to OpenVINO FP32/FP16/INT8, then drive a lap with INT8.

Both stages use the ``edge`` package (``reward edge``); when it is not installed they raise
:class:`~reward_sdk.cli.demo_report.StageSkipError` with "edge stage not installed", and the demo goes on.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from reward_sdk.cli.common import console
from reward_sdk.cli.demo_report import DemoState, StageSkipError

NOT_INSTALLED = "edge stage not installed"
PRECISIONS = ("fp32", "fp16", "int8")


def _require_edge() -> None:
    if importlib.util.find_spec("edge") is None:
        raise StageSkipError(NOT_INSTALLED)


def _quiet_nncf() -> None:
    """NNCF logs every step of its accuracy-aware search at INFO; the demo keeps its warnings only (NNCF sets
    its logger's level when imported, so this imports it first)."""
    import logging

    import nncf

    nncf.set_log_level(logging.WARNING)


def _ir_bytes(files: dict[str, int]) -> int:
    """Size of the IR itself (``.xml`` + ``.bin``), bytes."""
    return sum(size for name, size in files.items() if name.endswith((".xml", ".bin")))


BENCH_SECONDS = 0.5
"""Seconds of calls per configuration in the demo's latency table (``reward edge bench --seconds``)."""


def stage_edge_export(state: DemoState) -> dict[str, Any]:
    """Export the run's best checkpoint to OpenVINO IR in FP32, FP16 and INT8 from one set of simulator drives
    (``reward edge export RUN --precision all``), each gated (agreement with torch on held-out observations,
    same laps complete), then measure every runtime (``reward edge bench RUN``); sets ``state.models``.

    :returns: ``rows`` (per precision: IR size, agreement, gate laps, OpenVINO latency median and p99 with the
        LATENCY hint from the bench, torch's median, quantisation method), ``bench`` (every measured runtime:
        ``label``, ``median_ms``, ``p99_ms``, ``throughput_per_s``, ``ratio`` to torch) and ``out``.
    """
    _require_edge()
    if state.run is None:
        raise StageSkipError("needs the training run (the train stage did not finish)")
    import trainer  # noqa: F401  (its import keeps TensorBoard from loading TensorFlow)

    _quiet_nncf()
    from edge.export import ExportConfig, export_many

    out = state.out / "edge"
    console.print(f"[bold]reward edge export {state.run} --precision all --out {out}[/bold]", soft_wrap=True)
    config = ExportConfig(run=state.run, precision="all", out=out, runs_dir=state.run.parent)
    reports = export_many(
        config, list(PRECISIONS), say=lambda text: console.print(f"  [dim]{text}[/dim]", soft_wrap=True)
    )
    rows = []
    for precision, report in zip(PRECISIONS, reports, strict=True):
        state.models[precision] = Path(report.get("out", out / precision))
        accuracy = report.get("accuracy", {})
        latency = report.get("latency_ms", {})
        rows.append(
            {
                "precision": precision,
                "size_bytes": _ir_bytes(report.get("files", {})),
                "agreement": accuracy.get("agreement"),
                "laps": f"{accuracy.get('model_laps_completed', '-')}/{accuracy.get('laps', '-')}",
                "latency_ms": latency.get("openvino"),
                "torch_ms": latency.get("torch"),
                "quantization": report.get("quantization"),
            }
        )
        console.print(
            f"  {precision}: IR {rows[-1]['size_bytes'] / 1024:.1f} KiB, agreement "
            f"{100 * float(accuracy.get('agreement') or 0.0):.2f} % of {accuracy.get('observations', '?')} "
            f"held-out observations, laps {rows[-1]['laps']}, {report.get('quantization')}",
            soft_wrap=True,
        )
    bench_rows = _bench(state.run, rows)
    return {"rows": rows, "bench": bench_rows, "out": str(out)}


def _bench(run: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``reward edge bench RUN`` for :data:`BENCH_SECONDS` per configuration: prints the latency table, puts
    the OpenVINO LATENCY-hint median/p99 of each precision into ``rows`` and returns the bench's rows."""
    from edge.bench import bench

    console.print(f"[bold]reward edge bench {run} --seconds {BENCH_SECONDS}[/bold]", soft_wrap=True)
    report = bench(run, BENCH_SECONDS, runs_dir=run.parent)
    found = report.get("rows", [])
    for row in rows:
        for measured in found:
            if (measured.get("runtime"), measured.get("precision"), measured.get("hint")) == (
                "openvino",
                row["precision"],
                "LATENCY",
            ):
                row["latency_ms"], row["p99_ms"] = measured.get("median_ms"), measured.get("p99_ms")
    for measured in found:
        ratio = measured.get("ratio")
        console.print(
            f"  {measured.get('label', '?'):<28} median {float(measured.get('median_ms', 0.0)):7.4f} ms  "
            f"p99 {float(measured.get('p99_ms', 0.0)):7.4f} ms"
            + (f"  {ratio:5.2f}x torch" if isinstance(ratio, float) else ""),
            soft_wrap=True,
        )
    return [
        {key: measured.get(key) for key in ("label", "median_ms", "p99_ms", "throughput_per_s", "ratio")}
        for measured in found
    ]


def stage_edge_drive(state: DemoState, laps: int = 1) -> dict[str, Any]:
    """Drive ``laps`` lap(s) on ``state.track`` (the first from the start line) with the INT8 IR alone
    (``reward edge drive``: OpenVINO, no torch).

    :returns: ``precision``, ``laps``, ``completed``, ``statuses``, ``lap_times`` (s) and ``inference_hz``
        (one observation through the model).
    """
    _require_edge()
    model_dir = state.models.get("int8")
    if model_dir is None:
        raise StageSkipError("needs the INT8 export (the export stage did not write it)")
    console.print(
        f"[bold]reward edge drive {model_dir} --track {state.track} --laps {laps}[/bold]", soft_wrap=True
    )
    try:
        from edge.drive import drive_export
    except ImportError:  # an edge package without `reward edge drive`: the same drive from its parts
        result = _drive_with_parts(state, model_dir, laps)
    else:
        result = drive_export(model_dir, track=state.track, laps=laps)
    for i, (status, lap_time) in enumerate(zip(result["statuses"], result["lap_times"], strict=True)):
        console.print(f"  lap {i + 1}: {status:<12} time {lap_time:6.2f} s")
    hz = result.get("inference_hz")
    if hz is not None:
        console.print(f"  inference {hz:,.0f} Hz through OpenVINO INT8 (the car runs at 15 Hz)")
    return {
        "precision": "int8",
        "laps": result["laps"],
        "completed": result["completed"],
        "statuses": list(result["statuses"]),
        "lap_times": list(result["lap_times"]),
        "inference_hz": hz,
    }


def _drive_with_parts(state: DemoState, model_dir: Path, laps: int) -> dict[str, Any]:
    """:func:`stage_edge_drive` through ``edge.simdrive`` and ``edge.ir`` (``laps``, ``completed``,
    ``statuses``, ``lap_times``, ``inference_hz``: observations per second of the drive's batched calls)."""
    import json

    from edge.ir import MODEL_XML, IRModel, read_ir
    from edge.simdrive import drive, observation_shape, spread_starts
    from reward_sdk.sim.actions import load_model_metadata
    from reward_sdk.sim.car import physics_profile
    from reward_sdk.tracks import resolve_track

    report = json.loads((model_dir / "report.json").read_text(encoding="utf-8"))
    observation = report.get("observation", "features")
    actions = load_model_metadata(model_dir / "model_metadata.json").action_space
    physics = "droa-2026"
    if state.run is not None and (state.run / "run.json").is_file():
        physics = json.loads((state.run / "run.json").read_text(encoding="utf-8")).get("physics", physics)
    model = IRModel(read_ir(model_dir / MODEL_XML), observation_shape(observation))
    done = drive(
        model.predict(report.get("actions") == "discrete"),
        resolve_track(state.track),
        actions,
        spread_starts(laps),
        observation=observation,
        car=physics_profile(physics),
    )
    return {
        **done.result.to_json(),
        "inference_hz": done.frames / done.predict_s if done.predict_s > 0 else None,
    }
