"""The one DataFrame schema every log reader produces (``STEP_COLUMNS``) and its metadata types.

Column names follow deepracer-utils (``x``, ``y``, ``steering_angle``, ``speed``, ``on_track`` instead of
the raw ``X``, ``Y``, ``steer``, ``throttle``, ``all_wheels_on_track``) so a DU user's notebook code keeps
working. The column set and dtypes never depend on the input format: a field missing from an older format is NaN.

=======================  ========  ====  =============================================================
column                   dtype     unit  meaning
=======================  ========  ====  =============================================================
episode                  int64     –     episode number as logged (per worker; evaluation: trial)
steps                    int64     –     per-episode step counter as logged (1 = prepare row since 2021)
x, y                     float64   m     the car's front point (= params ``x``/``y``)
yaw                      float64   deg   car heading (2019 radians converted), (-180, 180]
steering_angle           float64   deg   commanded steering, + = left (2019 radians converted)
speed                    float64   m/s   commanded speed (``throttle``)
action                   int64     –     discrete action index; -1 for continuous (list) actions
action_steering_angle    float64   deg   continuous action's steering at full precision; NaN if discrete
action_speed             float64   m/s   continuous action's speed at full precision; NaN if discrete
reward                   float64   –     logged reward (0.0 on prepare/pause rows)
done                     bool      –     last row of the episode
on_track                 bool      –     ``all_wheels_on_track``
progress                 float64   %     progress from the episode's start (may be slightly negative)
closest_waypoint         int64     –     nearer of the two bracketing waypoints
track_len                float64   m     track length as logged (rounded to 0.01 m in logs)
tstamp                   float64   s     sim time (wall clock before 2021)
episode_status           category  –     ``prepare``, ``in_progress``, ``off_track``, ``lap_complete``...
pause_duration           float64   s     remaining penalty pause; NaN before 2021
obstacle_crash_counter   float64   –     NaN unless the 18/19-field format
wall_clock               float64   s     Unix time of the step; NaN unless the 19-field format
iteration                int64     –     ``N`` of ``N-iteration.csv``; logs: episode // episodes per iteration
worker                   int64     –     DRfC worker index (0 for single-worker runs)
phase                    category  –     ``training``, ``evaluation``, ``leaderboard`` or ``unknown``
source                   category  –     file the row came from (``archive.tar.gz!member`` inside archives)
line                     int64     –     1-based line number of the row in its source
unique_episode           int64     –     dense episode id over the whole frame: one per (run, episode)
=======================  ========  ====  =============================================================

A *run* is one simtrace folder (all its ``N-iteration.csv`` files) or one log file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

SCHEMA_VERSION: Final[str] = "1"
"""Version of the step schema and of the JSON/CSV reports; bumped when a column changes meaning."""

STEP_COLUMNS: Final[dict[str, str]] = {
    "episode": "int64",
    "steps": "int64",
    "x": "float64",
    "y": "float64",
    "yaw": "float64",
    "steering_angle": "float64",
    "speed": "float64",
    "action": "int64",
    "action_steering_angle": "float64",
    "action_speed": "float64",
    "reward": "float64",
    "done": "bool",
    "on_track": "bool",
    "progress": "float64",
    "closest_waypoint": "int64",
    "track_len": "float64",
    "tstamp": "float64",
    "episode_status": "category",
    "pause_duration": "float64",
    "obstacle_crash_counter": "float64",
    "wall_clock": "float64",
    "iteration": "int64",
    "worker": "int64",
    "phase": "category",
    "source": "category",
    "line": "int64",
    "unique_episode": "int64",
}
"""Column name → dtype, in column order (see the module docstring for units and meaning)."""

RAW_TO_COLUMN: Final[dict[str, str]] = {
    "X": "x",
    "Y": "y",
    "steer": "steering_angle",
    "throttle": "speed",
    "all_wheels_on_track": "on_track",
}
"""Raw SIM_TRACE/CSV field names that are renamed in the frame; other fields keep their name."""

HEADER_ALIASES: Final[dict[str, str]] = {
    "x": "X",
    "y": "Y",
    "steering_angle": "steer",
    "speed": "throttle",
    "on_track": "all_wheels_on_track",
    "timestamp": "tstamp",
    "heading": "yaw",
}
"""Alternative CSV header names (deepracer-utils exports, the 2019 AWS notebook) → raw field names."""

NON_RUN_STATUSES: Final[frozenset[str]] = frozenset({"prepare", "pause", "park"})
"""Statuses of steps on which the simulator did not call the reward function (reward 0.0)."""

PHASES: Final[tuple[str, ...]] = ("training", "evaluation", "leaderboard", "unknown")


@dataclass
class SourceInfo:
    """What is known about one step source (a CSV file or a log file, possibly inside an archive).

    :param source: display name: the path, or ``archive.tar.gz!member/path`` for archive members.
    :param format: ``"sim_trace_log"`` or ``"simtrace_csv"``.
    :param container: ``"file"``, ``"gzip"`` or ``"tar.gz"``.
    :param field_counts: field count → number of rows with that count (CSV: the header width).
    :param phase: ``training``, ``evaluation``, ``leaderboard`` or ``unknown``.
    :param worker: DRfC worker index (0 when unknown).
    :param run: run key; all CSVs of one simtrace folder share it, a log is its own run.
    :param rows: step rows read; ``bad_lines``: rows reported as warnings and skipped.
    :param episodes: distinct ``episode`` values among the rows read.
    :param track_len: median logged ``track_len`` (m), None when there are no rows.
    :param world_name: track/world name from the log (``WORLD_NAME``), if present.
    :param action_space: action space from the log or a ``model_metadata.json`` beside it, if present:
        a list of ``{"steering_angle", "speed"}`` dicts (discrete) or a dict of ``{"low", "high"}`` ranges.
    :param action_space_type: ``"discrete"``, ``"continuous"`` or None.
    :param radians_converted: yaw/steering were radians (2019 format) and were converted to degrees.
    :param extra: other metadata mined from the log (``simapp_version``, ``race_type``, ``job_type``,
        ``hyperparameters``...).
    """

    source: str
    format: str
    container: str = "file"
    field_counts: dict[int, int] = field(default_factory=dict)
    phase: str = "unknown"
    worker: int = 0
    run: str = ""
    rows: int = 0
    bad_lines: int = 0
    episodes: int = 0
    track_len: float | None = None
    world_name: str | None = None
    action_space: Any = None
    action_space_type: str | None = None
    radians_converted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every attribute (field-count keys become strings)."""
        out = dict(self.__dict__)
        out["field_counts"] = {str(k): v for k, v in self.field_counts.items()}
        return out


def empty_steps() -> pd.DataFrame:
    """A zero-row frame with exactly the :data:`STEP_COLUMNS` columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in STEP_COLUMNS.items()})


def run_mask(steps: pd.DataFrame) -> np.ndarray:
    """Boolean array: True on rows where the simulator called the reward function (not prepare/pause/park)."""
    status = steps["episode_status"].astype(str).to_numpy()
    return ~np.isin(status, list(NON_RUN_STATUSES))
