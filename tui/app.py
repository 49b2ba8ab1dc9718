"""The ``reward tui`` application: five tabs over one reward file.

=========  ===========================================================================================
tab        what it shows
=========  ===========================================================================================
Editor     the file (Python highlighting) and the live lint panel (:mod:`tui.editor`)
Map        the reward over a built-in track, speed by keys (:mod:`tui.map_view`)
Replay     a real log's episodes with flags, logged vs new reward (:mod:`tui.replay_tab`)
Train      ``reward train`` for the file with live progress and stop (:mod:`tui.train_tab`)
Runs       two runs compared: laps and time per track segment (:mod:`tui.runs_tab`)
=========  ===========================================================================================

F1 shows the keys (:mod:`tui.help`); ctrl+s saves atomically and runs the full lint.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, TabbedContent, TabPane

from tui.editor import EditorPane
from tui.help import HelpScreen
from tui.map_view import MapPane, MapView
from tui.replay_tab import ReplayPane
from tui.runs_tab import RunsPane
from tui.train_tab import TrainPane

__all__ = ["TABS", "RewardTui", "run_tui"]

TABS = ("editor", "map", "replay", "train", "runs")
"""Tab ids in order (the TabPane ids are ``tab-<name>``; F2…F6 switch to them)."""


class RewardTui(App[None]):
    """The app on the reward file ``path``.

    :param path: the reward file (must exist and be UTF-8; ``reward tui`` creates it from the example first).
    :param runs_dir: folder of the training runs (train and runs tabs).
    :param tracks_dir: folder of real ``.npy`` tracks (training and run comparison), or None.
    :param source: the file's text when already read (else it is read from ``path``).
    """

    CSS_PATH = "app.tcss"
    TITLE = "reward tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "help", priority=True),
        Binding("ctrl+s", "save", "save", priority=True),
        Binding("ctrl+q", "quit_app", "quit", priority=True),
        *(
            Binding(f"f{index + 2}", f"show_tab('{name}')", name, show=False, priority=True)
            for index, name in enumerate(TABS)
        ),
    ]

    def __init__(
        self,
        path: Path,
        runs_dir: Path = Path("runs"),
        tracks_dir: Path | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.runs_dir = runs_dir
        self.tracks_dir = tracks_dir
        self.initial_source = source if source is not None else path.read_text(encoding="utf-8")
        self._quit_armed = False

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="tab-editor", id="tabs"):
            with TabPane("Editor", id="tab-editor"):
                yield EditorPane(self.path, self.initial_source, id="editor-pane")
            with TabPane("Map", id="tab-map"):
                yield MapPane(self.source, id="map-pane")
            with TabPane("Replay", id="tab-replay"):
                yield ReplayPane(self.source, id="replay-pane")
            with TabPane("Train", id="tab-train"):
                yield TrainPane(
                    self.save, self.runs_dir, _run_name(self.path), self.tracks_dir, id="train-pane"
                )
            with TabPane("Runs", id="tab-runs"):
                yield RunsPane(self.runs_dir, self.tracks_dir, id="runs-pane")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.editor_pane.editor.focus()

    @property
    def editor_pane(self) -> EditorPane:
        return self.query_one("#editor-pane", EditorPane)

    def source(self) -> tuple[str, str]:
        """The editor's current text and the file's name (for sandbox messages)."""
        return self.editor_pane.text, self.path.name

    def save(self) -> Path:
        """Write the editor's text to the file atomically and start the full lint; returns the path.

        :raises UserError: the file cannot be written.
        """
        from reward_sdk.atomic import write_text_atomic

        write_text_atomic(self.path, self.editor_pane.text)
        self.editor_pane.saved()
        self._quit_armed = False
        return self.path

    def action_save(self) -> None:
        from reward_sdk.errors import UserError

        try:
            self.save()
        except UserError as exc:
            self.notify(str(exc).splitlines()[0], title="not saved", severity="error")
            return
        self.notify(f"saved {self.path.name}; runtime lint running", timeout=3)

    def action_help(self) -> None:
        """F1: show the help screen, or close it when it is shown."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen())

    def action_show_tab(self, name: str) -> None:
        self.query_one("#tabs", TabbedContent).active = f"tab-{name}"

    def action_quit_app(self) -> None:
        if self.editor_pane.modified and not self._quit_armed:
            self._quit_armed = True
            self.notify(
                "unsaved changes: ctrl+s saves, ctrl+q again quits without saving", severity="warning"
            )
            return
        self.exit()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id or ""
        if pane == "tab-map":
            self.query_one(MapView).focus()
            self.call_after_refresh(self.query_one(MapPane).refresh_map)
        elif pane == "tab-replay":
            self.query_one("#log-path").focus()
        elif pane == "tab-train":
            self.query_one("#train-start").focus()
        elif pane == "tab-runs":
            self.query_one(RunsPane).refresh_runs()
            self.query_one("#runs-compare").focus()
        elif pane == "tab-editor":
            self.editor_pane.editor.focus()


def _run_name(path: Path) -> str:
    """A run name offered for ``path``: ``tui-<stem>`` with characters a run name refuses replaced."""
    stem = "".join(c if c.isalnum() or c in "._-" else "-" for c in path.stem) or "reward"
    return f"tui-{stem}"[:100]


def run_tui(path: Path, runs_dir: Path = Path("runs"), tracks_dir: Path | None = None) -> None:
    """Run the app in the terminal until the user quits."""
    RewardTui(path, runs_dir, tracks_dir).run()
