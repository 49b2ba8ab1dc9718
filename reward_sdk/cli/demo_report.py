"""``reward demo``'s shared state and its ``summary.md``.

The demo runs stages in order (``reward_sdk.cli.demo_cmd.STAGES``); each stage reads and extends one
:class:`DemoState` and returns a plain dict of what it measured. The runner wraps that dict in a
:class:`StageResult` (status, wall time, note), and :func:`render_summary` turns the list of results into the
Markdown report. The data each stage returns (all keys optional; a missing key prints as ``-``):

* ``lint``: ``files``: list of ``{"file", "codes": [str], "aws": "pass" | "fail: ..." | None}``.
* ``train``: ``run`` (path), ``track``, ``reward`` (file name), ``algo``, ``steps`` (env steps trained),
  ``stop_reason``, ``first_lap``: ``{"steps", "wall_s", "lap_time"}`` or None, ``best_lap_time`` (s or None),
  ``completion_pct``.
* ``evaluate``: ``checkpoint``, ``laps``, ``completed``, ``statuses``, ``progress`` (%), ``lap_times`` (s),
  ``best_lap_time`` (s or None).
* ``replay``: ``log`` (path), ``episodes``, ``completed``, ``flags`` (``{name: episodes}``), ``best_lap_time_s``,
  ``reward_logged``, ``reward_rescored``, ``plot`` (path of the PNG, relative to the output folder if inside).
* ``edge_export``: ``rows``: list of ``{"precision", "size_bytes" (IR .xml + .bin), "agreement", "laps"
  ("completed/driven" of the gate), "latency_ms", "p99_ms", "torch_ms", "quantization"}`` (``agreement`` is a
  share in [0, 1], latencies of one observation in milliseconds, the median unless named p99; any may be
  None; the p99 column appears when a row has one), ``bench`` (optional: ``reward edge bench``'s rows, each
  ``{"label", "median_ms", "p99_ms", "throughput_per_s", "ratio"}``, ratio = median / torch's), ``out``.
* ``edge_drive``: ``precision``, ``laps``, ``completed``, ``lap_times`` (s), ``statuses``, ``inference_hz``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
"""The three outcomes of a stage."""


class StageSkipError(Exception):
    """Raised by a stage that cannot run here; the message says why (shown as the stage's note)."""


@dataclass
class DemoState:
    """What the stages share.

    :param out: the demo's output folder (everything the demo writes goes below it).
    :param track: built-in track the policy is trained, evaluated and driven on.
    :param reward: example reward trained with (a name of ``reward_sdk.examples.EXAMPLE_NAMES``).
    :param train_steps: step cap of the training run (it stops earlier at its first evaluation lap).
    :param train_minutes: wall-time cap of the training run, minutes.
    :param run: the training run's folder, set by the train stage.
    :param models: exported model folders by precision (``"fp32"``...), set by the edge export stage.
    """

    out: Path
    track: str = "club"
    reward: str = "progress_speed"
    train_steps: int = 60_000
    train_minutes: float = 4.0
    run: Path | None = None
    models: dict[str, Path] = field(default_factory=dict)


@dataclass
class StageResult:
    """Outcome of one stage: ``status`` is :data:`OK`, :data:`FAILED` or :data:`SKIPPED`; ``wall_s`` seconds;
    ``note`` the one-line reason of a failure or skip; ``data`` what the stage returned (module docstring)."""

    key: str
    title: str
    status: str
    wall_s: float
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _num(value: Any, spec: str, unit: str = "") -> str:
    """``value`` formatted with ``spec`` and ``unit``, or ``-`` for None/NaN/non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "-"
    return f"{value:{spec}}{unit}"


def _size(size_bytes: Any) -> str:
    if not isinstance(size_bytes, int | float) or isinstance(size_bytes, bool):
        return "-"
    return f"{size_bytes / 1024:.1f} KiB" if size_bytes < 1024 * 1024 else f"{size_bytes / 2**20:.2f} MiB"


def _cell(text: Any) -> str:
    """A Markdown table cell: pipes escaped, newlines folded."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _by_key(results: list[StageResult]) -> dict[str, StageResult]:
    return {result.key: result for result in results}


def _missing(result: StageResult | None) -> list[str]:
    """The line shown instead of a section whose stage did not produce data."""
    if result is None:
        return ["Not run."]
    return [f"Not available: the stage {result.status}" + (f" ({result.note})." if result.note else ".")]


def _lint_section(result: StageResult | None) -> list[str]:
    lines = ["## Lint and incentive audit", ""]
    if result is None or result.status != OK:
        return [*lines, *_missing(result)]
    rows = [
        (f"`{item.get('file')}`", ", ".join(item.get("codes") or []) or "clean", item.get("aws") or "-")
        for item in result.data.get("files", [])
    ]
    return [*lines, *_table(("file", "findings", "AWS verdict"), rows)]


def _lap_section(train: StageResult | None, evaluate: StageResult | None) -> list[str]:
    lines = ["## Training: a completed lap", ""]
    if train is None or train.status != OK:
        lines += _missing(train)
    else:
        data = train.data
        lines.append(
            f"PPO trained `{data.get('reward', '-')}` on track `{data.get('track', '-')}` for "
            f"{_num(data.get('steps'), ',d')} env steps (stopped: {data.get('stop_reason') or '-'}); "
            f"run folder `{data.get('run', '-')}`."
        )
        first = data.get("first_lap")
        if first:
            lines.append(
                f"First completed evaluation lap: **{_num(first.get('lap_time'), '.2f', ' s')}** after "
                f"{_num(first.get('steps'), ',d')} steps and {_num(first.get('wall_s'), '.1f', ' s')} of wall time."
            )
        else:
            lines.append("No evaluation lap was completed within the step budget.")
    lines.append("")
    if evaluate is None or evaluate.status != OK:
        return [*lines, "Evaluation: " + _missing(evaluate)[0]]
    data = evaluate.data
    lines.append(
        f"Evaluation of the `{data.get('checkpoint', 'best')}` checkpoint: {data.get('completed', 0)}/"
        f"{data.get('laps', 0)} laps completed, best lap {_num(data.get('best_lap_time'), '.2f', ' s')}."
    )
    lines.append("")
    statuses, progress, times = (data.get(k) or [] for k in ("statuses", "progress", "lap_times"))
    rows = [
        (i + 1, status, _num(pct, ".1f", " %"), _num(time_s, ".2f", " s"))
        for i, (status, pct, time_s) in enumerate(zip(statuses, progress, times, strict=False))
    ]
    return [*lines, *_table(("lap", "status", "progress", "time"), rows)]


def _replay_section(result: StageResult | None) -> list[str]:
    lines = ["## Replay of the training log", ""]
    if result is None or result.status != OK:
        return [*lines, *_missing(result)]
    data = result.data
    lines.append(
        f"`{data.get('log', '-')}`: {_num(data.get('episodes'), 'd')} episodes, "
        f"{_num(data.get('completed'), 'd')} laps completed (best {_num(data.get('best_lap_time_s'), '.2f', ' s')}); "
        f"logged reward {_num(data.get('reward_logged'), '.1f')}, re-scored in the sandbox "
        f"{_num(data.get('reward_rescored'), '.1f')}."
    )
    lines.append("")
    flags = data.get("flags") or {}
    if flags:
        lines += _table(("flag", "episodes"), sorted(flags.items()))
    else:
        lines.append("Flags: none.")
    if data.get("plot"):
        lines += ["", f"![reward heat map]({data['plot']})"]
    return lines


def _edge_section(export: StageResult | None, drive: StageResult | None) -> list[str]:
    lines = ["## Edge: OpenVINO FP32 / FP16 / INT8", ""]
    if export is None or export.status != OK:
        lines += _missing(export)
    else:
        found = export.data.get("rows", [])
        p99 = any(row.get("p99_ms") is not None for row in found)
        header = ["precision", "IR size", "agreement", "laps", "latency (median)"]
        header += ["latency (p99)"] if p99 else []
        header += ["torch latency", "quantization"]
        rows = []
        for row in found:
            cells = [
                row.get("precision", "-"),
                _size(row.get("size_bytes")),
                _num(row.get("agreement"), ".2%"),
                row.get("laps") or "-",
                _num(row.get("latency_ms"), ".3f", " ms"),
            ]
            cells += [_num(row.get("p99_ms"), ".3f", " ms")] if p99 else []
            cells += [_num(row.get("torch_ms"), ".3f", " ms"), row.get("quantization") or "-"]
            rows.append(cells)
        lines += _table(header, rows)
        lines += [
            "",
            "Agreement: share of held-out observations where the exported model picks torch's action; laps: "
            "gate laps the exported model completes (torch completes the same ones); latency of one observation.",
        ]
        bench = export.data.get("bench") or []
        if bench:
            lines += ["", "### Latency (`reward edge bench`, one observation)", ""]
            lines += _table(
                ("runtime", "median", "p99", "throughput", "vs torch"),
                [
                    (
                        row.get("label", "-"),
                        _num(row.get("median_ms"), ".4f", " ms"),
                        _num(row.get("p99_ms"), ".4f", " ms"),
                        _num(row.get("throughput_per_s"), ",.0f", " /s"),
                        _num(row.get("ratio"), ".2f", "×"),
                    )
                    for row in bench
                ],
            )
    lines += ["", "### A lap driven by the INT8 model", ""]
    if drive is None or drive.status != OK:
        return [*lines, *_missing(drive)]
    data = drive.data
    lines.append(
        f"{data.get('precision', 'int8').upper()} model: {data.get('completed', 0)}/{data.get('laps', 0)} laps "
        f"completed, inference {_num(data.get('inference_hz'), ',.0f', ' Hz')} (the car needs 15 Hz)."
    )
    lines.append("")
    statuses, times = data.get("statuses") or [], data.get("lap_times") or []
    laps = [(i + 1, s, _num(t, ".2f", " s")) for i, (s, t) in enumerate(zip(statuses, times, strict=False))]
    return [*lines, *_table(("lap", "status", "time"), laps)]


def render_summary(
    results: list[StageResult],
    *,
    out: Path | None = None,
    total_s: float | None = None,
    generated: datetime | None = None,
    load: tuple[float, float, float] | None = None,
    cores: int | None = None,
) -> str:
    """The Markdown report of one demo run.

    :param results: stage outcomes in the order they ran (stages that never ran are simply absent).
    :param out: the output folder, named in the header.
    :param total_s: the demo's whole wall time, s.
    :param generated: when the report was made (UTC; default now).
    :param load: the 1/5/15-minute load averages at the end (``os.getloadavg()``), shown because timings on a
        shared machine depend on them.
    :param cores: CPU count shown with the load.
    :returns: the text, ending with a newline.
    """
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    failed = [r for r in results if r.status == FAILED]
    verdict = f"{len(failed)} stage(s) failed" if failed else "every stage that ran passed"
    lines = ["# reward demo: summary", ""]
    header = f"{when}"
    if out is not None:
        header += f" · output `{out}`"
    if total_s is not None:
        header += f" · total wall time {total_s:.1f} s"
    if load is not None:
        header += f" · load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
        header += f" on {cores} cores" if cores else ""
    lines += [header + f" · {verdict}.", ""]
    lines += ["## Stages", ""]
    rows = [(i + 1, r.title, r.status, f"{r.wall_s:.1f} s", r.note or "") for i, r in enumerate(results)]
    lines += _table(("#", "stage", "status", "wall time", "note"), rows)
    found = _by_key(results)
    for section in (
        _lint_section(found.get("lint")),
        _lap_section(found.get("train"), found.get("evaluate")),
        _replay_section(found.get("replay_training")),
        _edge_section(found.get("edge_export"), found.get("edge_drive")),
    ):
        lines += ["", *section]
    return "\n".join(lines) + "\n"


def write_summary(path: Path, results: list[StageResult], **kwargs: Any) -> Path:
    """Write :func:`render_summary` of ``results`` to ``path`` atomically (keyword arguments are passed on;
    ``load``/``cores`` default to this machine's). Returns the path."""
    from reward_sdk.atomic import write_text_atomic

    if "load" not in kwargs and hasattr(os, "getloadavg"):
        kwargs["load"] = os.getloadavg()
        kwargs.setdefault("cores", os.cpu_count())
    return write_text_atomic(path, render_summary(results, **kwargs))
