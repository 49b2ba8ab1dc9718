"""Run folders: ``runs/NAME/`` and what is in them; every file is written atomically (temp file + rename).

Layout::

    runs/NAME/
      run.json                 what the run is: track, algo, reward file, steps, best evaluation (schema below)
      reward_function.py       copy of the reward source it was trained with
      model_metadata.json      DeepRacer format (action space, sensor, algorithm) + our key "observation":
                               "features" (Box(10,) float32, MlpPolicy) or "camera" ((1, 120, 160) uint8, CnnPolicy)
      hyperparameters.json     DeepRacer format (console keys, then ours)
      metrics.json             {"schema_version": 1, "iterations": [{...}, ...]}, one entry per iteration
      checkpoints/best.zip     SB3 model with the best evaluation (completion, then lap time) + best.json
      checkpoints/last.zip     SB3 model at the last checkpoint (periodic, on Ctrl-C, at the end)
      tensorboard/             TensorBoard event files
      logs/training-N.log      SIM_TRACE_LOG of session N's training episodes (+ training-N.csv, full precision)
      logs/evaluation-*.log    SIM_TRACE_LOG of evaluations (``reward evaluate``)

``run.json`` (``schema_version`` 1): ``name``, ``track``, ``reverse``, ``algo``, ``actions`` (kind), ``reward_file``
(the path given), ``seed``, ``envs``, ``physics``, ``steps`` (env steps done), ``target_steps``, ``first_lap`` (the first evaluation that completed a lap: ``steps``, ``wall_s`` and ``train_s`` since the session started, ``lap_time``, ``unix_time``; or null), ``status``
(``running``, ``finished``, ``interrupted``, ``failed``), ``best`` (``completion_pct``, ``lap_time`` s or null,
``steps``), ``parent`` (cloned run or null), ``created``/``updated`` (ISO times), ``sessions``. Camera runs
(``reward train --obs camera``) also carry ``observation`` (``"camera"``) and ``teacher`` (the features run they
were distilled from, or null with ``--from-scratch``); runs without ``observation`` are features runs.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reward_sdk.atomic import write_bytes_atomic, write_text_atomic
from reward_sdk.errors import UserError

SCHEMA_VERSION = 1
DEFAULT_RUNS_DIR = Path("runs")
CHECKPOINTS = ("best", "last")
OBSERVATIONS = ("features", "camera")  # model_metadata.json "observation": what the policy takes
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_name(name: str) -> str:
    """A run name: letters, digits, ``.``, ``_``, ``-`` (≤ 100). :raises UserError: otherwise."""
    if not _NAME.match(name):
        raise UserError(f"run name {name!r}: use letters, digits, '.', '_' and '-' (at most 100)")
    return name


def clone_name(parent: Path, runs_dir: Path) -> str:
    """``X-V2`` for run X (``X-V3``... if taken; a parent named ``X-Vn`` gives ``X-V(n+1)``)."""
    match = re.match(r"^(.*)-V(\d+)$", parent.name)
    stem, number = (match.group(1), int(match.group(2)) + 1) if match else (parent.name, 2)
    while (runs_dir / f"{stem}-V{number}").exists():
        number += 1
    return f"{stem}-V{number}"


@dataclass
class RunDir:
    """Paths of one run folder."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def run_json(self) -> Path:
        return self.path / "run.json"

    @property
    def metrics_json(self) -> Path:
        return self.path / "metrics.json"

    @property
    def reward_file(self) -> Path:
        return self.path / "reward_function.py"

    @property
    def metadata_json(self) -> Path:
        return self.path / "model_metadata.json"

    @property
    def hyperparameters_json(self) -> Path:
        return self.path / "hyperparameters.json"

    @property
    def tensorboard(self) -> Path:
        return self.path / "tensorboard"

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    def checkpoint(self, which: str) -> Path:
        """``checkpoints/best.zip`` or ``checkpoints/last.zip``."""
        return self.path / "checkpoints" / f"{which}.zip"

    def exists(self) -> bool:
        return self.run_json.is_file()

    # -- files -------------------------------------------------------------------------------------------------
    def read_info(self) -> dict[str, Any]:
        """``run.json``. :raises UserError: not a run folder or unreadable."""
        return read_json_object(self.run_json, f"{self.path}: not a run folder (no readable run.json)")

    def write_info(self, info: dict[str, Any]) -> None:
        info = {**info, "schema_version": SCHEMA_VERSION, "updated": now()}
        write_json(self.run_json, info)

    def read_metrics(self) -> list[dict[str, Any]]:
        if not self.metrics_json.is_file():
            return []
        data = read_json_object(self.metrics_json, f"{self.metrics_json}: unreadable metrics")
        return list(data.get("iterations", []))

    def write_metrics(self, iterations: list[dict[str, Any]]) -> None:
        write_json(self.metrics_json, {"schema_version": SCHEMA_VERSION, "iterations": iterations})

    def save_model(self, model: Any, which: str, extra: dict[str, Any] | None = None) -> Path:
        """Save an SB3 model as ``checkpoints/<which>.zip`` atomically (and ``<which>.json`` with ``extra``)."""
        buffer = io.BytesIO()
        model.save(buffer)
        target = write_bytes_atomic(self.checkpoint(which), buffer.getvalue())
        if extra is not None:
            write_json(target.with_suffix(".json"), extra)
        return target

    def observation(self) -> str:
        """The observation the run's policy takes: ``model_metadata.json``'s ``"observation"`` (``"features"``
        when the key is absent). :raises UserError: unreadable metadata or an unknown observation kind."""
        from reward_sdk.sim.actions import read_metadata_bytes

        raw = read_metadata_bytes(self.metadata_json)
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise UserError(f"{self.metadata_json}: invalid JSON") from None
        kind = data.get("observation", "features") if isinstance(data, dict) else None
        if kind not in OBSERVATIONS:
            raise UserError(
                f"{self.metadata_json}: 'observation' must be 'features' or 'camera', got {kind!r}"
            )
        return str(kind)

    def checkpoint_info(self, which: str) -> dict[str, Any]:
        path = self.checkpoint(which).with_suffix(".json")
        return read_json_object(path, f"{path}: unreadable") if path.is_file() else {}

    def next_session(self) -> int:
        """Number of the next training session (logs/training-N.log)."""
        existing = [
            int(m.group(1))
            for p in self.logs.glob("training-*.log")
            if (m := re.match(r"training-(\d+)", p.stem))
        ]
        return max(existing, default=-1) + 1


def write_json(path: Path, data: Any) -> Path:
    return write_text_atomic(path, json.dumps(data, indent=2) + "\n")


def read_json_object(path: Path, unreadable: str, not_object: str | None = None) -> dict[str, Any]:
    """The JSON object in ``path``. :raises UserError: ``unreadable`` when the file cannot be read or parsed,
    ``not_object`` (default: ``unreadable``) when it holds another JSON value."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(unreadable) from None
    if not isinstance(data, dict):
        raise UserError(not_object or unreadable)
    return data


def find_run(run: str | Path, runs_dir: Path = DEFAULT_RUNS_DIR) -> RunDir:
    """The run folder ``run`` (a path, or a name inside ``runs_dir``). :raises UserError: not a run."""
    for candidate in (Path(run), runs_dir / str(run)):
        if (candidate / "run.json").is_file():
            return RunDir(candidate)
    raise UserError(f"{run}: no such run (expected a folder with run.json, e.g. {runs_dir}/NAME)")


def list_runs(runs_dir: Path = DEFAULT_RUNS_DIR) -> list[dict[str, Any]]:
    """``run.json`` of every run in ``runs_dir``, sorted by creation time (unreadable folders skipped)."""
    if not runs_dir.is_dir():
        return []
    out = []
    for folder in sorted(runs_dir.iterdir()):
        run = RunDir(folder)
        if not run.exists():
            continue
        try:
            info = run.read_info()
        except UserError:
            continue
        out.append({**info, "path": str(folder)})
    return sorted(out, key=lambda info: str(info.get("created", "")))
