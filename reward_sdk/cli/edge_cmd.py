"""``reward edge export|bench|drive|car-package``: a trained policy leaves the trainer for the car.

The logic lives in the ``edge`` package (imported inside the commands: torch, openvino, nncf and tensorflow load
only when a command needs them). Bad input is a one-line ``error: ...`` with exit code 2 (``UserError``); an
export that fails the accuracy gate exits 1 and leaves no files.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

from reward_sdk.cli.common import console, error_console
from reward_sdk.errors import UserError

EDGE_HELP = """Export a trained policy to OpenVINO (FP32, FP16, INT8), benchmark it, drive the simulator with it,
and build the archive a physical DeepRacer loads."""


EXTRAS = {  # top-level module -> the install that provides it
    "edge": "pip install -e . (the edge package is not in this installation)",
    "openvino": "pip install 'reward-sdk[edge]'",
    "nncf": "pip install 'reward-sdk[edge]'",
    "onnx": "pip install 'reward-sdk[edge]'",
    "onnxruntime": "pip install 'reward-sdk[edge]'",
    "torch": "pip install 'reward-sdk[train]'",
    "stable_baselines3": "pip install 'reward-sdk[train]'",
    "tensorflow": "pip install 'reward-sdk[car]'",
}


@contextlib.contextmanager
def _needs_extras() -> Iterator[None]:
    """A missing optional library becomes a one-line UserError naming the install that provides it."""
    try:
        yield
    except ModuleNotFoundError as exc:
        root = (exc.name or "").split(".")[0]
        if root not in EXTRAS:
            raise
        raise UserError(f"reward edge needs the module {root!r}: {EXTRAS[root]}") from None


def _guarded(func: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> None:
        with _needs_extras():
            func(*args, **kwargs)

    return run


def _check_format(output_format: str) -> None:
    if output_format not in ("text", "json"):
        raise UserError(f"--format must be text or json, got {output_format!r}")


def register(app: typer.Typer) -> None:
    """Add the ``edge`` sub-app to the main ``reward`` app."""
    edge = typer.Typer(name="edge", help=EDGE_HELP, no_args_is_help=True)
    app.add_typer(edge, name="edge")

    @edge.command("export")
    @_guarded
    def export_cmd(
        run: Path = typer.Argument(..., help="Run folder (or name in --runs-dir)."),
        precision: str = typer.Option(
            "fp32", help="fp32, fp16, int8 (NNCF, calibrated in the simulator) or all (OUT/<precision> each)."
        ),
        out: Path | None = typer.Option(None, help="Output folder (default RUN/edge/PRECISION)."),
        max_drop: float = typer.Option(
            0.01,
            help="Allowed share of held-out observations whose action changes (gate: agreement >= 1 - X). "
            "INT8 that fails falls back to nncf.quantize_with_accuracy_control.",
        ),
        laps: int = typer.Option(
            3, help="Laps driven with torch and with the export: completed sets must match."
        ),
        checkpoint: str = typer.Option("best", help="best or last."),
        runs_dir: Path = typer.Option(Path("runs"), help="Folder of the runs."),
        tracks_dir: Path | None = typer.Option(None, help="Folder of real .npy tracks."),
        output_format: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """The deterministic actor → ONNX → OpenVINO IR, gated on held-out simulator observations and laps;
        writes model.xml/.bin, model.onnx, model_metadata.json and report.json atomically."""
        _check_format(output_format)
        if checkpoint not in ("best", "last"):
            raise UserError(f"--checkpoint must be best or last, got {checkpoint!r}")
        from edge.export import ExportConfig, GateError, export_many
        from edge.ir import PRECISIONS

        config = ExportConfig(run, precision, out, max_drop, laps, checkpoint, runs_dir, tracks_dir)
        precisions = list(PRECISIONS) if precision.lower() == "all" else [precision]
        quiet = output_format == "json"
        try:
            reports = export_many(config, precisions, say=(lambda _: None) if quiet else _say)
        except GateError as exc:
            error_console.print(f"error: {exc}", soft_wrap=True, markup=False)
            raise typer.Exit(1) from None
        if quiet:
            print(json.dumps(reports[0] if len(reports) == 1 else reports, indent=2))
            return
        for report in reports:
            _print_export(report)

    @edge.command("bench")
    @_guarded
    def bench_cmd(
        model: Path = typer.Argument(..., help="Export folder (reward edge export) or run folder."),
        seconds: float = typer.Option(1.0, help="Seconds of calls per measurement (at least 50 calls)."),
        runs_dir: Path = typer.Option(Path("runs"), help="Folder of the runs."),
        tracks_dir: Path | None = typer.Option(None, help="Folder of real .npy tracks."),
        output_format: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """Latency (median, p99) and throughput of torch (1 thread), ONNX Runtime and OpenVINO FP32/FP16/INT8
        with the LATENCY and THROUGHPUT hints, measured in one run; ratios against torch."""
        _check_format(output_format)
        from edge.bench import bench

        source = model if model.exists() else runs_dir / model
        report = bench(source, seconds, runs_dir, tracks_dir)
        if output_format == "json":
            print(json.dumps(report, indent=2))
            return
        _bench_table(report)

    @edge.command("drive")
    @_guarded
    def drive_cmd(
        model: Path = typer.Argument(..., help="Export folder (or its model.xml)."),
        track: str | None = typer.Option(None, "--track", "-t", help="Track (default: the run's)."),
        laps: int = typer.Option(3, help="Laps from evenly spaced starts."),
        tracks_dir: Path | None = typer.Option(None, help="Folder of real .npy tracks."),
        output_format: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """Drive the simulator with the exported OpenVINO model alone (no torch): laps, lap times, inference
        rate against the car's 15 frames/s."""
        _check_format(output_format)
        from edge.drive import drive_export

        result = drive_export(model, track, laps, tracks_dir)
        if output_format == "json":
            print(json.dumps({"schema_version": 1, **result}, indent=2))
            return
        best = result["best_lap_time"]
        console.print(
            f"{result['model']} ({result['precision']}) on {result['track']}: {result['completed']}/"
            f"{result['laps']} laps, best {f'{best:.2f} s' if best is not None else 'none'}; inference "
            f"{result['inference_ms']:.3f} ms = {result['inference_hz']:,.0f} Hz "
            f"({'≥' if result['realtime'] else '<'} the car's {result['car_hz']:.0f} Hz)",
            soft_wrap=True,
            markup=False,
        )
        for i, (status, progress, lap_time) in enumerate(
            zip(result["statuses"], result["progress"], result["lap_times"], strict=True)
        ):
            console.print(f"  lap {i + 1}: {status:<12} progress {progress:6.2f} %  time {lap_time:6.2f} s")

    @edge.command("car-package")
    @_guarded
    def car_package_cmd(
        run: Path = typer.Argument(..., help="Camera run folder (or name in --runs-dir)."),
        out: Path = typer.Option(Path("model.tar.gz"), help="Archive to write."),
        runs_dir: Path = typer.Option(Path("runs"), help="Folder of the runs."),
        tracks_dir: Path | None = typer.Option(None, help="Folder of real .npy tracks."),
        output_format: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """The tar.gz a physical DeepRacer loads: agent/model.pb (TF frozen graph with the car's node names)
        and model_metadata.json; checked against torch (1e-4) and OpenVINO's conversion of the .pb (1e-3)."""
        _check_format(output_format)
        from edge.car_package import car_package

        summary = car_package(run, out, runs_dir, tracks_dir)
        if output_format == "json":
            print(json.dumps(summary, indent=2))
            return
        console.print(
            f"{summary['out']}: {', '.join(summary['entries'])} ({summary['bytes'] / 1e6:.1f} MB); "
            f"TF vs torch max |Δ| {summary['max_abs_diff_tf']:.1e}, OpenVINO from the .pb "
            f"{summary['max_abs_diff_openvino']:.1e} on {summary['frames']} camera frames",
            soft_wrap=True,
            markup=False,
        )


def _print_export(report: dict[str, Any]) -> None:
    acc = report["accuracy"]
    size = sum(v for k, v in report["files"].items() if k in ("model.xml", "model.bin"))
    console.print(
        f"{report['out']}: {report['precision']} IR ({size / 1024:.0f} KiB, {report['quantization']}); "
        f"agreement {100 * acc['agreement']:.2f}% of {acc['observations']} held-out observations, "
        f"laps {acc['model_laps_completed']}/{acc['laps']} (torch {acc['torch_laps_completed']}); "
        f"latency {report['latency_ms']['openvino']:.3f} ms (torch {report['latency_ms']['torch']:.3f} ms)",
        soft_wrap=True,
        markup=False,
    )


def _say(message: str) -> None:
    error_console.print(message, style="dim", soft_wrap=True, markup=False)


def _bench_table(report: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"{report['source']} — {report['observation']} input {report['input_shape']}")
    for column in ("runtime", "precision", "hint", "median ms", "p99 ms", "throughput /s", "× torch"):
        table.add_column(column, justify="left" if column in ("runtime", "precision", "hint") else "right")
    for row in report["rows"]:
        ratio = row["ratio"]
        table.add_row(
            row["runtime"],
            row["precision"],
            row["hint"],
            f"{row['median_ms']:.4f}",
            f"{row['p99_ms']:.4f}",
            f"{row['throughput_per_s']:,.0f}",
            f"{ratio:.2f}" if ratio is not None else "-",
        )
    console.print(table)
    console.print(f"fastest: {report['fastest']}", markup=False)
