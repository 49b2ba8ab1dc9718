"""The F1 help screen: every key binding of the app, grouped by where it works."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["KEYS", "HelpScreen", "help_text"]

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "everywhere",
        (
            ("F1", "this help (F1 or Esc closes it)"),
            ("F2 … F6", "editor, map, replay, train, runs tab"),
            ("ctrl+s", "save (atomic), then runtime lint + audit"),
            ("ctrl+q", "quit (twice with unsaved changes)"),
        ),
    ),
    (
        "editor",
        (
            ("typing", "static lint after 0.5 s without a key"),
            ("Enter on a finding", "move the cursor to its line"),
        ),
    ),
    ("map", (("+ / -", "speed up / down by 0.5 m/s"), ("t", "next built-in track"), ("r", "recompute"))),
    (
        "replay",
        (
            ("Enter in a field", "open the log, re-scored with the editor"),
            ("↑ / ↓ in the table", "that episode's logged and new reward"),
        ),
    ),
    ("train", (("Start / Stop", "run `reward train`; Stop keeps last.zip"),)),
    ("runs", (("Enter in the folder", "list its runs"), ("Compare", "laps and segment times, A vs B"))),
)
"""(section, ((keys, what they do), ...)) shown by the help screen."""


def help_text() -> str:
    """The help screen's text: one line per key, the section named on its first line (fits 80×24)."""
    lines = ["[b]reward tui — keys[/b]"]
    for section, keys in KEYS:
        for index, (key, what) in enumerate(keys):
            lines.append(f"{section if index == 0 else '':<10}{key:<21}{what}")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """A modal box with :func:`help_text`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss_help", "close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_text(), id="help-text")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
