"""The ranking of a finished sweep: rows from Tune's results, ``results.csv``, the rich table, ``OUT/best/``.

``results.csv`` (written atomically; ``schema_version`` 1 on every row): ``rank`` (1 = best; failed trials
last, unranked, empty), ``trial``, ``status`` (``finished``; ``stopped`` = ended early by ASHA; ``reward_failed``;
``failed``: another user error; ``error``: the trial's worker failed again after its retry), ``reward``,
``track``, ``algo``, one ``hp.<key>`` column per swept hyperparameter, ``steps``, ``completion_pct`` (best
evaluation, %), ``best_lap_time`` (s, empty when no lap), ``first_lap_s`` (s of training + evaluation until the
first evaluation lap, empty when none), ``first_lap_steps``, ``mean_reward``, ``objective`` (the value ranked
on), ``attempts``, ``resumed_from_steps`` (empty when never restarted), ``error``, ``failed_params`` (JSON),
``run_dir``.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reward_sdk.atomic import write_text_atomic
from sweep.trainable import NEVER

SCHEMA_VERSION = 1
OK_STATUSES = ("finished", "stopped")


@dataclass
class TrialRow:
    """One trial of the ranking (see the module docstring for each field)."""

    trial: str
    status: str
    reward: str
    track: str
    algo: str
    hp: dict[str, Any] = field(default_factory=dict)
    steps: int = 0
    completion_pct: float = 0.0
    best_lap_time: float | None = None
    first_lap_s: float | None = None
    first_lap_steps: int | None = None
    mean_reward: float | None = None
    attempts: int = 1
    resumed_from_steps: int | None = None
    error: str = ""
    failed_params: str = ""
    run_dir: str = ""
    rank: int | None = None
    objective: float | None = None

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES


def row_from_result(metrics: dict[str, Any], config: dict[str, Any], error: BaseException | None) -> TrialRow:
    """A :class:`TrialRow` from a Tune result's last metrics, its config and its error (None if it ended)."""
    status = str(metrics.get("status") or "")
    if error is not None:
        status, message = "error", _one_line(f"{type(error).__name__}: {error}")
    else:
        message = str(metrics.get("error") or "")
        if status in ("", "running"):
            status = "stopped"
    resumed = int(metrics.get("resumed_from_steps", -1))
    return TrialRow(
        trial=str(metrics.get("trial_id") or config.get("trial_id") or ""),
        status=status,
        reward=str(config.get("reward", "")),
        track=str(config.get("track", "")),
        algo=str(config.get("algo", "")),
        hp=dict(config.get("hp") or {}),
        steps=int(metrics.get("steps", 0)),
        completion_pct=float(metrics.get("completion_pct", 0.0)),
        best_lap_time=_value(metrics.get("best_lap_time")),
        first_lap_s=_value(metrics.get("first_lap_s")),
        first_lap_steps=(
            int(metrics["first_lap_steps"]) if int(metrics.get("first_lap_steps", -1)) >= 0 else None
        ),
        mean_reward=_value(metrics.get("mean_reward")),
        attempts=int(metrics.get("attempt", 1)),
        resumed_from_steps=resumed if resumed >= 0 else None,
        error=message,
        failed_params=str(metrics.get("failed_params") or ""),
        run_dir=str(metrics.get("run_dir") or ""),
    )


def rank(rows: list[TrialRow], metric: str, mode: str) -> list[TrialRow]:
    """Sort ``rows`` best first and number them; trials that failed come last without a rank.

    Order: the objective ``metric`` (``mode`` min or max; a trial without a lap is worse than any with one),
    then completion (higher first), best lap time, first-lap time, fewer steps.
    """

    def objective(row: TrialRow) -> float | None:
        value = {"first_lap_s": row.first_lap_s, "best_lap_time": row.best_lap_time}.get(
            metric, row.completion_pct
        )
        return value

    def key(row: TrialRow) -> tuple[float, ...]:
        value = objective(row)
        primary = (math.inf if value is None else value) if mode == "min" else -(value or 0.0)
        return (
            0.0 if row.ok else 1.0,
            primary,
            -row.completion_pct,
            row.best_lap_time if row.best_lap_time is not None else math.inf,
            row.first_lap_s if row.first_lap_s is not None else math.inf,
            float(row.steps),
        )

    ordered = sorted(rows, key=key)
    position = 0
    for row in ordered:
        row.objective = objective(row)
        if row.ok:
            position += 1
            row.rank = position
        else:
            row.rank = None
    return ordered


def write_results_csv(path: Path, rows: list[TrialRow]) -> Path:
    """Write ``results.csv`` atomically (columns: module docstring)."""
    hp_keys = sorted({key for row in rows for key in row.hp})
    columns = [
        "schema_version",
        "rank",
        "trial",
        "status",
        "reward",
        "track",
        "algo",
        *(f"hp.{key}" for key in hp_keys),
        "steps",
        "completion_pct",
        "best_lap_time",
        "first_lap_s",
        "first_lap_steps",
        "mean_reward",
        "objective",
        "attempts",
        "resumed_from_steps",
        "error",
        "failed_params",
        "run_dir",
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = {
            "schema_version": SCHEMA_VERSION,
            "rank": row.rank,
            "trial": row.trial,
            "status": row.status,
            "reward": row.reward,
            "track": row.track,
            "algo": row.algo,
            **{f"hp.{key}": row.hp.get(key) for key in hp_keys},
            "steps": row.steps,
            "completion_pct": round(row.completion_pct, 3),
            "best_lap_time": row.best_lap_time,
            "first_lap_s": row.first_lap_s,
            "first_lap_steps": row.first_lap_steps,
            "mean_reward": row.mean_reward,
            "objective": row.objective,
            "attempts": row.attempts,
            "resumed_from_steps": row.resumed_from_steps,
            "error": row.error,
            "failed_params": row.failed_params,
            "run_dir": row.run_dir,
        }
        writer.writerow(["" if values[c] is None else values[c] for c in columns])
    return write_text_atomic(path, buffer.getvalue())


def copy_best(rows: list[TrialRow], out: Path) -> Path | None:
    """Copy the best ranked trial's run folder to ``out/best`` (replacing an earlier copy); None when no trial
    ranked or its folder is not on this machine."""
    best = next((row for row in rows if row.rank == 1), None)
    if best is None or not Path(best.run_dir).is_dir():
        return None
    target = out / "best"
    staging = Path(tempfile.mkdtemp(prefix=".best-", dir=out))
    try:
        shutil.copytree(best.run_dir, staging / "run")
        if target.exists():
            old = staging / "old"
            target.rename(old)
        (staging / "run").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def ranking_table(rows: list[TrialRow], title: str, objective: str) -> Any:
    """A rich ``Table`` of the ranking (failed trials show their error and minimal params)."""
    from rich.table import Table

    table = Table(title=title, caption=f"objective: {objective}")
    hp_keys = sorted({key for row in rows for key in row.hp})
    for column in ("#", "trial", "status", "reward", "track", "algo", *hp_keys):
        table.add_column(column, overflow="fold")
    for column in ("steps", "completion", "best lap", "first lap", "attempts"):
        table.add_column(column, justify="right")
    for row in rows:
        lap = f"{row.best_lap_time:.2f} s" if row.best_lap_time is not None else "-"
        first = f"{row.first_lap_s:.1f} s" if row.first_lap_s is not None else "-"
        status = row.status if row.ok else f"[red]{row.status}[/red]"
        table.add_row(
            str(row.rank) if row.rank is not None else "-",
            row.trial,
            status,
            row.reward,
            row.track,
            row.algo,
            *(_short(row.hp.get(key)) for key in hp_keys),
            f"{row.steps:,}",
            f"{row.completion_pct:.1f} %",
            lap,
            first,
            str(row.attempts),
        )
        if not row.ok:
            detail = row.error + (f" params: {row.failed_params}" if row.failed_params else "")
            table.add_row("", "", f"[red]{_short(detail, 300)}[/red]", *[""] * (len(table.columns) - 3))
    return table


def _short(value: Any, width: int = 12) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _value(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or number >= NEVER else number


def _one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0][:500] if lines else ""
