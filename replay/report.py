"""Rendering a replay result: rich terminal summary, JSON and CSV (both carry ``schema_version``).

JSON document (``schema_version`` = :data:`replay.schema.SCHEMA_VERSION`)::

    {"schema_version": "1",
     "sources": [SourceInfo.to_dict(), ...],          # per file: format, worker, phase, rows, track_len, ...
     "track": TrackChoice.to_dict() | null,           # name, file, how, residuals
     "totals": {"steps", "episodes", "completed", "flags": {"zigzag": n, ...}, "reward", "new_reward"?,
                "new_reward_failed"?, "other_reward"?, "other_reward_failed"?},
     "rescore_failures": {"new_reward"|"other_reward": {"function", "failed", "errors": {type: n},
                          "first": StepFailure.to_dict() | null}},   # for each re-scored function
     "fidelity": {"compared", "matched", "share"} | null,   # default centre-line reward vs logged
     "disagreements": [{"unique_episode", "reward_new", "reward_other", "diff"}, ...],  # with --compare
     "episodes": [one object per row of replay.flags.episode_summary],
     "warnings": ["file:line: reason", ...]}

CSV: the per-episode table (columns of :func:`replay.flags.episode_summary`, plus ``new_reward_failed`` /
``other_reward_failed``: steps of the episode where the function failed) with a leading ``schema_version``
column. Failed steps count as NaN and are left out of the ``new_reward``/``other_reward`` sums.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from replay.load import ReplayLog
from replay.rescore import Fidelity, RescoreOutcome, compact_params
from replay.schema import SCHEMA_VERSION, run_mask
from replay.tracks_match import TrackChoice

MAX_TABLE_ROWS = 40
"""Episodes shown in the terminal table (the worst by flags first, then the rest in order)."""

MAX_WARNINGS_SHOWN = 10


@dataclass
class ReplayResult:
    """Everything the CLI reports; built by :func:`replay.pipeline.run_replay`."""

    log: ReplayLog
    episodes: pd.DataFrame
    track: TrackChoice | None = None
    fidelity: Fidelity | None = None
    reward_name: str | None = None
    compare_name: str | None = None
    notes: list[str] = field(default_factory=list)
    new_rescore: RescoreOutcome | None = None
    other_rescore: RescoreOutcome | None = None

    def rescores(self) -> list[tuple[str, str, RescoreOutcome]]:
        """``(column, function file name, outcome)`` of each re-scoring pass that ran."""
        passes = [("new_reward", self.reward_name, self.new_rescore)]
        passes.append(("other_reward", self.compare_name, self.other_rescore))
        return [(column, name or column, done) for column, name, done in passes if done is not None]


def disagreements(episodes: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """Episodes where the two re-scored rewards differ most (needs ``new_reward`` and ``other_reward``)."""
    if "new_reward" not in episodes or "other_reward" not in episodes:
        return episodes.iloc[:0]
    diff = (episodes["new_reward"] - episodes["other_reward"]).abs()
    worst = episodes.assign(diff=diff).sort_values("diff", ascending=False).head(top)
    return worst[["unique_episode", "new_reward", "other_reward", "diff"]]


def totals(result: ReplayResult) -> dict[str, Any]:
    """Aggregate numbers over all episodes."""
    eps = result.episodes
    flag_counts: dict[str, int] = {}
    for text in eps["flags"]:
        for name in filter(None, str(text).split(",")):
            flag_counts[name] = flag_counts.get(name, 0) + 1
    out: dict[str, Any] = {
        "steps": len(result.log.steps),
        "episodes": len(eps),
        "completed": int(eps["completed"].sum()),
        "best_lap_time_s": _num(eps["lap_time_s"].min()),
        "reward": float(eps["reward"].sum()),
        "flags": flag_counts,
    }
    for column in ("new_reward", "other_reward"):
        if column in eps:
            out[column] = float(eps[column].sum())
    for column, _, done in result.rescores():
        out[f"{column}_failed"] = done.failures
    return out


def failure_summary(result: ReplayResult) -> dict[str, Any]:
    """Per re-scored function: failure count, counts by error type and the first failing step."""
    return {
        column: {
            "function": name,
            "failed": done.failures,
            "errors": dict(done.errors),
            "first": done.first.to_dict() if done.first else None,
        }
        for column, name, done in result.rescores()
    }


LINE_WIDTH = 110


def describe_params(params: dict[str, Any] | None, indent: str = "  ") -> list[str]:
    """``params`` as ``key=value`` lines of at most :data:`LINE_WIDTH` characters, long lists elided."""
    if params is None:
        return []
    lines, line = [], ""
    for key, value in compact_params(params).items():
        item = f"{key}={value}"
        if line and len(indent) + len(line) + 2 + len(item) > LINE_WIDTH:
            lines.append(indent + line + ",")
            line = item
        else:
            line = f"{line}, {item}" if line else item
    return [*lines, indent + line] if line else lines


def _num(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def to_json(result: ReplayResult) -> str:
    """The JSON document described in the module docstring."""
    eps = result.episodes
    doc = {
        "schema_version": SCHEMA_VERSION,
        "reward_function": result.reward_name,
        "compare_function": result.compare_name,
        "sources": [s.to_dict() for s in result.log.sources],
        "skipped_sources": result.log.skipped_sources,
        "track": result.track.to_dict() if result.track else None,
        "totals": totals(result),
        "fidelity": result.fidelity.to_dict() if result.fidelity else None,
        "rescore_failures": failure_summary(result),
        "disagreements": [
            {k: _clean(v) for k, v in row.items()} for row in disagreements(eps).to_dict(orient="records")
        ],
        "episodes": [{k: _clean(v) for k, v in row.items()} for row in eps.to_dict(orient="records")],
        "warnings": result.log.warnings,
        "notes": result.notes,
    }
    return json.dumps(doc, indent=1, default=_clean)


def to_csv(result: ReplayResult) -> str:
    """The per-episode table as CSV with a leading ``schema_version`` column."""
    frame = result.episodes.copy()
    frame.insert(0, "schema_version", SCHEMA_VERSION)
    return str(frame.to_csv(index=False, float_format="%.6g"))


def _seconds(value: object) -> str:
    """Lap time cell: blank for NaN (no lap)."""
    number = float(value)  # type: ignore[arg-type]
    return "" if math.isnan(number) else f"{number:.2f}"


def _short(source: str) -> str:
    name = source.split("!", 1)[-1]
    return Path(name).name if len(name) > 40 else name


def _episode_table(eps: pd.DataFrame) -> Table:
    table = Table(title="Episodes", show_lines=False, header_style="bold")
    columns = ["#", "source", "w", "ep", "steps", "progress", "status", "lap s", "reward"]
    extra = [c for c in ("new_reward", "other_reward") if c in eps]
    failed = [c for c in ("new_reward_failed", "other_reward_failed") if c in eps and eps[c].any()]
    names = columns + [c.replace("_reward", "") for c in extra] + [c.replace("_reward", "") for c in failed]
    for name in [*names, "flip", "rev/100", "flags"]:
        table.add_column(name, justify="left" if name in ("source", "status", "flags") else "right")
    flagged = eps[eps["flags"].str.contains("zigzag|reversed|slide", regex=True)]
    shown = pd.concat([flagged, eps.drop(flagged.index)]).head(MAX_TABLE_ROWS).sort_values("unique_episode")
    for row in shown.itertuples():
        cells = [
            str(row.unique_episode),
            _short(str(row.source)),
            str(row.worker),
            str(row.episode),
            str(row.steps),
            f"{row.progress:.1f}",
            str(row.status),
            _seconds(row.lap_time_s),
            f"{row.reward:.1f}",
            *[f"{getattr(row, c):.1f}" for c in extra],
            *[str(getattr(row, c)) for c in failed],
            f"{row.steer_flip_share:.2f}",
            f"{row.heading_reversals_per_100:.1f}",
            str(row.flags),
        ]
        table.add_row(*cells)
    return table


def failure_lines(result: ReplayResult) -> list[str]:
    """Text block per re-scored function with failing steps: the count, then the first failure and its params."""
    lines = []
    for column, name, done in result.rescores():
        if not done.failures:
            continue
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(done.errors.items()))
        lines.append(
            f"re-scoring {name}: {done.failures:,} of {int(run_mask(result.log.steps).sum()):,} RUN steps failed "
            f"({kinds}); they are NaN and left out of the sums (column {column.replace('_reward', '')})"
        )
        if done.first is not None:
            lines.append(f"first failure: {done.first.headline()}")
            lines += describe_params(done.first.params)
    return lines


def render_text(result: ReplayResult, console: Console) -> None:
    """Print the human summary: sources, track, per-episode table, flags, totals, fidelity, warnings."""
    log = result.log
    formats: dict[str, int] = {}
    for s in log.sources:
        formats[s.format] = formats.get(s.format, 0) + 1
    console.print(
        f"[bold]read[/] {len(log.steps):,} steps from {len(log.sources)} sources "
        f"({', '.join(f'{n} {k}' for k, n in formats.items())}); {len(log.warnings)} warnings"
    )
    if log.skipped_sources:
        console.print(f"skipped {len(log.skipped_sources)} log sources duplicated by simtrace CSVs")
    if result.track:
        console.print(result.track.describe())
    for note in result.notes:
        console.print(f"note: {note}")
    console.print(_episode_table(result.episodes))
    tot = totals(result)
    flags = ", ".join(f"{k} {v}" for k, v in sorted(tot["flags"].items())) or "none"
    console.print(
        f"[bold]totals[/] {tot['episodes']} episodes, {tot['completed']} laps completed"
        + (f" (best {tot['best_lap_time_s']:.2f} s)" if tot["best_lap_time_s"] else "")
        + f"; flags: {flags}; logged reward {tot['reward']:.1f}"
        + (f"; {result.reward_name} {tot['new_reward']:.1f}" if "new_reward" in tot else "")
        + (f"; {result.compare_name} {tot['other_reward']:.1f}" if "other_reward" in tot else "")
    )
    for line in failure_lines(result):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    worst = disagreements(result.episodes)
    if len(worst):
        console.print("[bold]largest disagreements[/] (episode: new vs compare)")
        for row in worst.itertuples():
            console.print(
                f"  #{row.unique_episode}: {row.new_reward:.2f} vs {row.other_reward:.2f} (Δ {row.diff:.2f})"
            )
    if result.fidelity:
        f = result.fidelity
        console.print(
            f"[bold]fidelity[/] default centre-line reward rebuilt vs logged: {f.matched}/{f.compared} RUN steps "
            f"match ({f.share:.2%})"
        )
    for warning in log.warnings[:MAX_WARNINGS_SHOWN]:
        console.print(f"[yellow]warning[/] {warning}", highlight=False)
    if len(log.warnings) > MAX_WARNINGS_SHOWN:
        console.print(f"... and {len(log.warnings) - MAX_WARNINGS_SHOWN} more warnings (see --format json)")
