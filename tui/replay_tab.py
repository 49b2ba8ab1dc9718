"""The replay tab: open a real log, list its episodes with their flags, and show one episode's reward along the
track — the logged reward and the editor's (new) reward side by side.

The log path and the tracks folder (for matching the log's track; ``$REWARD_TRACKS_DIR`` by default) are typed
in; Enter or "Open" reads the log in a background thread with :func:`tui.replay_data.load_replay`, re-scoring
every step with the editor's current text in the sandbox. Moving through the episode table shows that
episode's per-step rewards as two sparklines.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Sparkline, Static

from tui.replay_data import ReplayView, episode_series, load_replay
from tui.widgets import titled as _titled

__all__ = ["EPISODE_COLUMNS", "ReplayPane"]

EPISODE_COLUMNS = ("ep", "phase", "steps", "progress", "lap s", "flags", "logged Σ", "new Σ")


def _fmt(value: object, spec: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format(value, spec)


class ReplayPane(Vertical):
    """Log input, episode table and the chosen episode's rewards; ``source`` gives the editor's text."""

    def __init__(self, source: Callable[[], tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.view: ReplayView | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="replay-inputs"):
            yield _titled(Input(placeholder="log file or folder", id="log-path"), "log")
            tracks = Input(
                os.environ.get("REWARD_TRACKS_DIR", ""), placeholder="folder of .npy", id="tracks-dir"
            )
            yield _titled(tracks, "tracks dir")
            yield Button("Open", id="open-log", variant="primary")
        yield Static("type a log path and press Enter", id="replay-status")
        table: DataTable[str] = DataTable(id="episodes", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="episode-title")
        with Horizontal(classes="spark-row"):
            yield Static("logged", classes="spark-label")
            yield Sparkline([], id="spark-logged")
        with Horizontal(classes="spark-row"):
            yield Static("new", classes="spark-label")
            yield Sparkline([], id="spark-new")

    def on_mount(self) -> None:
        self.query_one("#episodes", DataTable).add_columns(*EPISODE_COLUMNS)

    @on(Input.Submitted, "#log-path")
    @on(Input.Submitted, "#tracks-dir")
    @on(Button.Pressed, "#open-log")
    def open_log(self) -> None:
        """Read the typed log in the background (re-scored with the editor's text)."""
        path = self.query_one("#log-path", Input).value.strip()
        if not path:
            self._status("error: type the path of a log file or folder")
            return
        tracks = self.query_one("#tracks-dir", Input).value.strip() or None
        text, filename = self.source()
        self._status(f"reading {path} …")
        self._load(path, tracks, text, filename)

    @work(thread=True, exclusive=True, group="replay")
    def _load(self, path: str, tracks: str | None, text: str, filename: str) -> None:
        from reward_sdk.errors import UserError

        try:
            view = load_replay(path, tracks, text, filename)
        except UserError as exc:
            self.app.call_from_thread(self._status, f"error: {str(exc).splitlines()[0]}")
            return
        self.app.call_from_thread(self._show, view)

    def _status(self, text: str) -> None:
        self.query_one("#replay-status", Static).update(text)

    def _show(self, view: ReplayView) -> None:
        self.view = view
        episodes = view.episodes
        parts = [f"{len(episodes)} episodes", f"track {view.track or '?'}", *view.notes]
        self._status(" · ".join(parts))
        table = self.query_one("#episodes", DataTable)
        table.clear()
        has_new = "new_reward" in episodes
        for row in episodes.itertuples(index=False):
            table.add_row(
                str(row.episode),
                str(row.phase),
                str(row.steps),
                _fmt(float(row.progress), ".1f"),
                _fmt(float(row.lap_time_s), ".2f"),
                str(row.flags) or "-",
                _fmt(float(row.reward), ".1f"),
                _fmt(float(row.new_reward), ".1f") if has_new else "-",
                key=str(row.unique_episode),
            )
        if len(episodes):
            table.move_cursor(row=0)
            self.show_episode(int(episodes["unique_episode"].iloc[0]))

    @on(DataTable.RowHighlighted, "#episodes")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and self.view is not None:
            self.show_episode(int(event.row_key.value))

    def show_episode(self, unique_episode: int) -> None:
        """Show the logged and new reward of every RUN step of ``unique_episode``."""
        if self.view is None:
            return
        series = episode_series(self.view, unique_episode)
        new = series.new
        new_sum = "-" if new is None else _fmt(float(np.nansum(new)), ".1f")
        self.query_one("#episode-title", Static).update(
            f"episode {unique_episode}: {len(series.logged)} steps · logged Σ {float(series.logged.sum()):.1f}"
            f" · new Σ {new_sum}"
        )
        self.query_one("#spark-logged", Sparkline).data = [float(v) for v in series.logged]
        if new is None:
            self.query_one("#spark-new", Sparkline).data = []
        else:
            floor = float(np.nanmin(new)) if np.isfinite(new).any() else 0.0
            self.query_one("#spark-new", Sparkline).data = [float(v) for v in np.nan_to_num(new, nan=floor)]
