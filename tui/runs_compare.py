"""The runs tab's data: two training runs side by side — best lap, and where on the track one loses time.

A run's laps come from its SIM_TRACE_LOGs in ``runs/NAME/logs/``: the evaluation logs that ``reward evaluate``
writes (``evaluation-*.log``), or the training logs (``training-*.log``) when it has none. Only episodes that
completed a lap count. The track (``run.json``'s ``track``/``reverse``) is cut into ``segments`` equal stretches
of centre line from the start line; a step's duration (the ``tstamp`` gap to the next step) is charged to the
stretch its car is in (nearest centre-line point of the logged x, y). A segment's time is the mean over the laps.
``replay`` and ``trainer`` are imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["RunLaps", "SegmentRow", "compare_segments", "list_run_infos", "run_laps"]

DEFAULT_SEGMENTS = 10


@dataclass
class RunLaps:
    """Lap data of one run.

    :param name: run name; ``info``: its ``run.json``.
    :param laps: number of completed laps found in the logs.
    :param lap_times: (laps,) lap times, seconds.
    :param segment_s: (segments,) mean seconds per track segment over those laps (NaN when no lap).
    :param logs: names of the log files read.
    :param note: why there is no lap data (no logs, no completed lap, unknown track), or None.
    """

    name: str
    info: dict[str, Any]
    laps: int = 0
    lap_times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    segment_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    logs: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def best_lap(self) -> float | None:
        """The run's best lap: ``run.json``'s best evaluation lap, else the fastest lap in the logs (s)."""
        best = (self.info.get("best") or {}).get("lap_time")
        if best is not None:
            return float(best)
        return float(self.lap_times.min()) if self.lap_times.size else None


@dataclass(frozen=True)
class SegmentRow:
    """One track segment compared: ``start_pct``–``end_pct`` of the lap, each run's mean seconds there and
    ``delta_s`` = b − a (positive: run B loses time there)."""

    index: int
    start_pct: float
    end_pct: float
    a_s: float
    b_s: float

    @property
    def delta_s(self) -> float:
        return self.b_s - self.a_s


def list_run_infos(runs_dir: str | Path) -> list[dict[str, Any]]:
    """``run.json`` of every run in ``runs_dir`` (``trainer.runs.list_runs``; each has a ``path``)."""
    from trainer.runs import list_runs

    return list_runs(Path(runs_dir))


def _log_files(logs: Path) -> list[Path]:
    evaluation = sorted(logs.glob("evaluation-*.log"))
    return evaluation or sorted(logs.glob("training-*.log"))


def run_laps(
    run_path: str | Path, segments: int = DEFAULT_SEGMENTS, tracks_dir: str | Path | None = None
) -> RunLaps:
    """Completed laps of the run at ``run_path`` and their mean time per track segment.

    :param segments: number of equal stretches of the lap (≥ 1).
    :param tracks_dir: where to find a real ``.npy`` track named in ``run.json`` (built-in tracks need none).
    :raises UserError: ``run_path`` is not a run folder or its ``run.json`` is unreadable.
    """
    from replay.load import read_logs
    from replay.schema import run_mask
    from reward_sdk.errors import TrackError, UserError
    from reward_sdk.geometry import ndist
    from reward_sdk.tracks import resolve_track
    from trainer.runs import RunDir

    if segments < 1:
        raise ValueError(f"segments must be at least 1, got {segments}")
    run = RunDir(Path(run_path))
    if not run.exists():
        raise UserError(f"{run_path}: not a run folder (no run.json)")
    info = run.read_info()
    out = RunLaps(run.name, info, segment_s=np.full(segments, np.nan))
    files = _log_files(run.logs)
    out.logs = [path.name for path in files]
    if not files:
        out.note = "no SIM_TRACE_LOG in logs/ (run `reward evaluate` on it)"
        return out
    try:
        track = resolve_track(str(info.get("track")), tracks_dir)
    except TrackError as exc:
        out.note = f"track: {str(exc).splitlines()[0]}"
        return out
    if info.get("reverse"):
        track = track.reversed()
    steps = read_logs(files).steps
    steps = steps[run_mask(steps)]
    totals: list[np.ndarray] = []
    lap_times: list[float] = []
    for _, episode in steps.groupby("unique_episode", sort=True):
        status = episode["episode_status"].astype(str).to_numpy()
        if not (status == "lap_complete").any() and episode["progress"].max() < 100.0:
            continue
        stamp = episode["tstamp"].to_numpy(dtype=np.float64)
        where = ndist(track, episode["x"].to_numpy(), episode["y"].to_numpy())
        index = np.minimum((where * segments).astype(np.int64), segments - 1)
        duration = np.diff(stamp, append=stamp[-1])
        totals.append(np.bincount(index, weights=duration, minlength=segments))
        lap_times.append(float(stamp[-1] - stamp[0]))
    out.laps = len(totals)
    out.lap_times = np.asarray(lap_times, dtype=np.float64)
    if totals:
        out.segment_s = np.mean(totals, axis=0)
    else:
        out.note = f"no completed lap in {', '.join(out.logs)}"
    return out


def compare_segments(a: RunLaps, b: RunLaps) -> list[SegmentRow]:
    """Segment-by-segment times of two runs cut into the same number of segments."""
    count = len(a.segment_s)
    if len(b.segment_s) != count:
        raise ValueError(f"runs cut into {count} and {len(b.segment_s)} segments")
    return [
        SegmentRow(
            i, 100.0 * i / count, 100.0 * (i + 1) / count, float(a.segment_s[i]), float(b.segment_s[i])
        )
        for i in range(count)
    ]
