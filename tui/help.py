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
            ("F1", "this help (Esc closes it)"),
            ("F2 … F6", "editor, reward map, replay, train, runs tab"),
            ("ctrl+s", "save the reward file (atomic) and run the runtime lint + audit"),
            ("ctrl+q", "quit (twice when the file has unsaved changes)"),
            ("tab / shift+tab", "next / previous widget (in the editor tab inserts an indent)"),
        ),
    ),
    (
        "editor",
        (
            ("typing", "static lint after 0.5 s without a key"),
            ("Enter on a finding", "move the cursor to its line"),
            ("ctrl+z / ctrl+y", "undo / redo"),
        ),
    ),
    (
        "reward map",
        (
            ("+ / -", "speed up / down by 0.5 m/s"),
            ("t", "next built-in track"),
            ("r", "recompute"),
        ),
    ),
    (
        "replay",
        (
            ("Enter in a path field", "open the log (re-scored with the editor's text)"),
            ("↑ / ↓ in the table", "show that episode's logged and new reward"),
        ),
    ),
    ("train", (("Start / Stop", "run `reward train` / stop it, keeping checkpoints/last.zip"),)),
    (
        "runs",
        (("Enter in the folder field", "list its runs"), ("Compare", "lap and segment times of A vs B")),
    ),
)
"""(section, ((keys, what they do), ...)) shown by the help screen."""


def help_text() -> str:
    """The help screen's text."""
    lines = ["reward tui — keys", ""]
    for section, keys in KEYS:
        lines.append(f"[b]{section}[/b]")
        lines += [f"  {key:<22} {what}" for key, what in keys]
        lines.append("")
    lines.append("Esc, F1 or q closes this help.")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """A modal box with :func:`help_text`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss_help", "close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_text(), id="help-text")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
