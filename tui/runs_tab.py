"""The runs tab: pick two runs from the runs folder, compare their laps and where on the track one loses time.

The run lists come from ``trainer.runs.list_runs``; "Compare" reads both runs' SIM_TRACE_LOGs in a background
thread (:func:`tui.runs_compare.run_laps`) and shows each run's best lap and laps found, then one table row per
tenth of the lap: mean seconds of A and B there and B − A (a bar to the right: B loses time; to the left: B
gains).
"""

from __future__ import annotations

import math
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Select, Static

from tui.runs_compare import RunLaps, SegmentRow, compare_segments, list_run_infos, run_laps
from tui.widgets import titled as _titled

__all__ = ["RunsPane", "delta_bar", "describe_run"]

BAR_CELLS = 8


def delta_bar(delta: float, largest: float) -> Text:
    """``BAR_CELLS`` cells each side of a centre line: red to the right when B is slower, green to the left."""
    text = Text(no_wrap=True)
    if not math.isfinite(delta) or largest <= 0:
        return text.append(" " * BAR_CELLS + "│")
    cells = round(min(abs(delta) / largest, 1.0) * BAR_CELLS)
    if delta < 0:
        text.append(" " * (BAR_CELLS - cells)).append("█" * cells, "green").append("│")
    else:
        text.append(" " * BAR_CELLS + "│").append("█" * cells, "red")
    return text


def describe_run(label: str, laps: RunLaps) -> str:
    """``A fast: oval, ppo, 1,000 steps · best lap 12.27 s · 2 laps in evaluation-best-oval-0.log``."""
    info = laps.info
    best = laps.best_lap
    best_text = f"{best:.2f} s" if best is not None else "none"
    where = laps.note or f"{laps.laps} laps in {', '.join(laps.logs)}"
    return (
        f"{label} {laps.name}: {info.get('track')}, {info.get('algo')}, {int(info.get('steps', 0) or 0):,} "
        f"steps · best lap {best_text} · {where}"
    )


class RunsPane(Vertical):
    """Runs folder, two run pickers, Compare, the summary and the per-segment table."""

    def __init__(self, runs_dir: Path, tracks_dir: Path | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.runs_dir = runs_dir
        self.tracks_dir = tracks_dir
        self.rows: list[SegmentRow] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="runs-inputs"):
            yield _titled(Input(str(self.runs_dir), placeholder="runs folder", id="runs-dir"), "runs folder")
            yield Select[str]([], prompt="run A", id="run-a")
            yield Select[str]([], prompt="run B", id="run-b")
            yield Button("Compare", id="runs-compare", variant="primary")
        yield Static("pick two runs and press Compare", id="runs-summary")
        table: DataTable[str | Text] = DataTable(id="segments", cursor_type="row")
        yield table

    def on_mount(self) -> None:
        table = self.query_one("#segments", DataTable)
        table.add_columns("lap %", "A s", "B s", "B−A s", "B loses →")

    @on(Input.Submitted, "#runs-dir")
    def refresh_runs(self) -> None:
        """Re-read the runs folder and offer its runs in both pickers (A: the older, B: the newer)."""
        self.runs_dir = Path(self.query_one("#runs-dir", Input).value.strip() or "runs")
        runs = list_run_infos(self.runs_dir)
        options = [(f"{info.get('name')} ({info.get('track')})", str(info["path"])) for info in runs]
        for picker_id, index in (("#run-a", 0), ("#run-b", 1)):
            picker = self.query_one(picker_id, Select)
            picker.set_options(options)
            if len(options) > index:
                picker.value = options[index][1]
        if not runs:
            self._summary(f"no runs in {self.runs_dir} (train one in the train tab)")

    @on(Button.Pressed, "#runs-compare")
    def compare(self) -> None:
        """Compare the two chosen runs in the background."""
        first = self.query_one("#run-a", Select).value
        second = self.query_one("#run-b", Select).value
        if not isinstance(first, str) or not isinstance(second, str):
            self._summary("error: pick run A and run B")
            return
        self._summary("reading the runs' logs …")
        self._compare(first, second)

    @work(thread=True, exclusive=True, group="runs")
    def _compare(self, first: str, second: str) -> None:
        from reward_sdk.errors import UserError

        try:
            a, b = run_laps(first, tracks_dir=self.tracks_dir), run_laps(second, tracks_dir=self.tracks_dir)
        except UserError as exc:
            self.app.call_from_thread(self._summary, f"error: {str(exc).splitlines()[0]}")
            return
        self.app.call_from_thread(self._show, a, b)

    def _summary(self, text: str) -> None:
        self.query_one("#runs-summary", Static).update(text)

    def _show(self, a: RunLaps, b: RunLaps) -> None:
        lines = [describe_run("A", a), describe_run("B", b)]
        same_track = a.info.get("track") == b.info.get("track") and a.info.get("reverse") == b.info.get(
            "reverse"
        )
        if not same_track:
            lines.append("the runs are on different tracks: segment times are not comparable")
        self._summary("\n".join(lines))
        table = self.query_one("#segments", DataTable)
        table.clear()
        self.rows = compare_segments(a, b) if same_track else []
        finite = [abs(r.delta_s) for r in self.rows if math.isfinite(r.delta_s)]
        largest = max(finite, default=0.0)
        for row in self.rows:
            table.add_row(
                f"{row.start_pct:>3.0f}–{row.end_pct:.0f}",
                f"{row.a_s:.2f}",
                f"{row.b_s:.2f}",
                f"{row.delta_s:+.2f}",
                delta_bar(row.delta_s, largest),
            )
