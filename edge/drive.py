"""``reward edge drive``: the simulator driven by an exported OpenVINO IR alone.

Nothing here imports torch or stable_baselines3 (a test checks ``sys.modules`` in a subprocess): the model is
read from the export folder (``model.xml`` + ``.bin``, ``model_metadata.json`` for the action space and the
observation, ``report.json`` for the output kind and the run's track), and actions come from the IR's outputs
(argmax of the logits, or the policy outputs of a continuous space).

Inference rate: the median latency of one observation on a reused request (``share_inputs=True``), measured on
the observations the drive met; the real car's camera gives 15 frames/s, so a model is fast enough on this
machine when its rate is above :data:`CAR_HZ`.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge import ir
from edge.simdrive import drive, observation_shape, spread_starts
from reward_sdk.errors import UserError
from reward_sdk.sim.actions import DiscreteActionSpace, ModelMetadata, load_model_metadata
from reward_sdk.sim.car import physics_profile
from reward_sdk.tracks import resolve_track
from trainer.runs import RunDir, read_json_object

CAR_HZ = 15.0  # camera frames per second of the physical car (one inference per frame)
RATE_SAMPLES = 200  # single-observation inferences timed for the rate


@dataclass
class ExportedModel:
    """An export folder: the IR, its metadata, its report and the observation it takes."""

    folder: Path
    xml: Path
    metadata: ModelMetadata
    observation: str
    report: dict[str, Any]

    @property
    def discrete(self) -> bool:
        return isinstance(self.metadata.action_space, DiscreteActionSpace)


def open_export(model: Path) -> ExportedModel:
    """Read an export folder (or its ``model.xml``). :raises UserError: missing/corrupt files, bad metadata."""
    folder = model if model.is_dir() else model.parent
    xml = model if model.suffix == ".xml" else folder / ir.MODEL_XML
    if not model.exists():
        raise UserError(
            f"{model}: no such model (give an export folder from `reward edge export` or its .xml)"
        )
    meta_path = folder / "model_metadata.json"
    if not meta_path.is_file():
        raise UserError(f"{meta_path}: missing (an export folder holds the run's model_metadata.json)")
    metadata = load_model_metadata(meta_path)
    report: dict[str, Any] = {}
    report_path = folder / "report.json"
    if report_path.is_file():
        report = read_json_object(
            report_path, f"{report_path}: not valid JSON", f"{report_path}: expected a JSON object"
        )
    observation = RunDir(folder).observation()  # the same key and check as a run folder's
    return ExportedModel(folder, xml, metadata, observation, report)


def drive_export(
    model: Path,
    track: str | None = None,
    laps: int = 3,
    tracks_dir: Path | None = None,
    max_steps: int | None = None,
) -> dict[str, Any]:
    """Drive ``laps`` attempts (evenly spaced starts) with the exported model; returns a JSON-able summary:
    ``model``, ``precision``, ``track``, ``laps``, ``completed``, ``statuses``, ``progress``, ``lap_times`` (s),
    ``best_lap_time``/``mean_lap_time`` (s or null), ``inference_ms`` (median, one observation),
    ``inference_hz``, ``car_hz`` (15) and ``realtime`` (``inference_hz >= car_hz``).

    :raises UserError: bad model files, unknown track, ``laps`` < 1, a model whose input does not fit the
        metadata's observation.
    """
    if laps < 1:
        raise UserError("--laps must be >= 1")
    exported = open_export(model)
    compiled = ir.IRModel(ir.read_ir(exported.xml), observation_shape(exported.observation))
    spec = track or exported.report.get("track_spec")
    if not spec:
        raise UserError(f"{model}: no report.json naming the run's track: give --track")
    the_track = resolve_track(str(spec), tracks_dir)
    if track is None and exported.report.get("reverse"):
        the_track = the_track.reversed()
    try:
        car = physics_profile(str(exported.report.get("physics", "droa-2026")))
    except ValueError as exc:
        raise UserError(f"{exported.folder / 'report.json'}: {exc}") from None
    kwargs: dict[str, Any] = {} if max_steps is None else {"max_steps": max_steps}
    driven = drive(
        compiled.predict(exported.discrete),
        the_track,
        exported.metadata.action_space,
        spread_starts(laps),
        observation=exported.observation,
        car=car,
        record=True,
        **kwargs,
    )
    assert driven.observations is not None
    latency_s = single_latency(compiled, driven.observations)
    result = driven.result
    hz = 1.0 / latency_s if latency_s > 0 else float("inf")
    return {
        "model": str(exported.xml),
        "precision": exported.report.get("precision"),
        "observation": exported.observation,
        "track": the_track.name,
        **result.to_json(),
        "inference_ms": 1000.0 * latency_s,
        "inference_hz": hz,
        "car_hz": CAR_HZ,
        "realtime": hz >= CAR_HZ,
    }


def single_latency(model: ir.IRModel, observations: np.ndarray) -> float:
    """Median seconds of one-observation inference over up to :data:`RATE_SAMPLES` of ``observations``."""
    index = np.linspace(0, len(observations) - 1, min(len(observations), RATE_SAMPLES)).round().astype(int)
    samples = [np.ascontiguousarray(observations[i : i + 1], dtype=model.input_dtype) for i in index]
    for sample in samples[:10]:
        model.infer_one(sample)
    times = []
    for sample in samples:
        began = time.perf_counter()
        model.infer_one(sample)
        times.append(time.perf_counter() - began)
    return statistics.median(times)
