"""The editor tab: the reward file in a Python code editor and the live lint panel beside it.

* Typing: after a pause of :data:`DEBOUNCE_S` the static rules run on the text in a background thread
  (:func:`tui.lint_runner.static_lint`, exclusive: a newer pause cancels an older lint's result).
* Saving (ctrl+s, handled by the app): the text is written atomically and the full lint (runtime property tests
  and incentive audit, sandboxed) runs in another background thread.
* The panel lists ``line  CODE  message``; choosing a finding moves the editor's cursor to its line and column.
  Runtime findings from the last save stay listed (marked ``saved``) while the static ones follow the typing.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from reward_sdk.lint.registry import Finding
from tui.lint_runner import LintResult, full_lint, is_runtime_code, static_lint

__all__ = ["DEBOUNCE_S", "EditorPane", "LintPanel"]

DEBOUNCE_S = 0.5
"""Seconds without typing before the static lint runs."""


class LintPanel(Vertical):
    """Findings of the last static lint plus the runtime findings of the last save."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.static: tuple[Finding, ...] = ()
        self.runtime: tuple[Finding, ...] = ()
        self.state = "lint: waiting"
        self.runtime_state = "runtime: save (ctrl+s) to run"

    def compose(self) -> ComposeResult:
        yield Static(self.state, id="lint-title")
        yield OptionList(id="lint-list")
        yield Static(self.runtime_state, id="lint-runtime")

    @property
    def findings(self) -> list[Finding]:
        """What the list shows, in line order."""
        return sorted(
            [*self.static, *(f for f in self.runtime if is_runtime_code(f.code))],
            key=lambda f: (f.line, f.col, f.code),
        )

    def show_static(self, result: LintResult) -> None:
        self.static = tuple(f for f in result.findings if not is_runtime_code(f.code))
        self.state = f"lint: {result.error}" if result.error else f"lint: {_count(len(self.static))}"
        self._refresh()

    def show_runtime(self, result: LintResult) -> None:
        self.runtime = result.findings
        self.static = tuple(f for f in result.findings if not is_runtime_code(f.code))
        if result.error:
            self.runtime_state = f"runtime: {result.error}"
        else:
            dynamic = sum(1 for f in result.findings if is_runtime_code(f.code))
            self.runtime_state = f"runtime: {_count(dynamic)} at save ({result.seconds:.1f} s)"
        self.state = f"lint: {_count(len(self.static))}"
        self._refresh()

    def running(self, text: str) -> None:
        self.runtime_state = text
        self.query_one("#lint-runtime", Static).update(text)

    def _refresh(self) -> None:
        options = self.query_one("#lint-list", OptionList)
        options.clear_options()
        for index, finding in enumerate(self.findings):
            saved = " (saved)" if is_runtime_code(finding.code) else ""
            text = f"{finding.line:>3} {finding.code} {finding.message}{saved}"
            options.add_option(Option(text, id=f"finding-{index}"))
        self.query_one("#lint-title", Static).update(self.state)
        self.query_one("#lint-runtime", Static).update(self.runtime_state)


def _count(number: int) -> str:
    if number == 0:
        return "clean"
    return f"{number} finding" + ("" if number == 1 else "s")


class EditorPane(Horizontal):
    """Code editor + lint panel for the reward file at ``path`` holding ``source``."""

    def __init__(self, path: Path, source: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.path = path
        self.initial = source
        self.saved_text = source
        self._timer: Timer | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield TextArea.code_editor(self.initial, language="python", id="editor")
        yield LintPanel(id="lint")

    def on_mount(self) -> None:
        self.lint_now()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    @property
    def text(self) -> str:
        return self.editor.text

    @property
    def modified(self) -> bool:
        return self.text != self.saved_text

    @on(TextArea.Changed, "#editor")
    def _typed(self, _event: TextArea.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self.lint_now)

    def lint_now(self) -> None:
        """Start the static lint of the current text (a newer call supersedes an unfinished one)."""
        self._generation += 1
        self._static_lint(self.text, self._generation)

    @work(thread=True, exclusive=True, group="static-lint")
    def _static_lint(self, source: str, generation: int) -> None:
        result = static_lint(source, str(self.path))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._static_done, result, generation)

    def _static_done(self, result: LintResult, generation: int) -> None:
        if generation == self._generation:
            self.query_one(LintPanel).show_static(result)

    def saved(self) -> None:
        """The app wrote the text to disk: run the full lint on it."""
        self.saved_text = self.text
        self.query_one(LintPanel).running("runtime: running in the sandbox…")
        self._full_lint(self.saved_text)

    @work(thread=True, exclusive=True, group="full-lint")
    def _full_lint(self, source: str) -> None:
        result = full_lint(source, str(self.path))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._full_done, result, source)

    def _full_done(self, result: LintResult, source: str) -> None:
        panel = self.query_one(LintPanel)
        if source == self.text:
            panel.show_runtime(result)
        else:  # typed since the save: keep the runtime findings, the static ones follow the text
            panel.runtime = result.findings
            panel.running(f"runtime: {_count(sum(is_runtime_code(f.code) for f in result.findings))} at save")
            self.lint_now()

    @on(OptionList.OptionSelected, "#lint-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        findings = self.query_one(LintPanel).findings
        if 0 <= event.option_index < len(findings):
            self.goto(findings[event.option_index])

    def goto(self, finding: Finding) -> None:
        """Put the editor's cursor on ``finding``'s line and column and focus the editor."""
        editor = self.editor
        row = max(0, min(finding.line - 1, editor.document.line_count - 1))
        column = max(0, min(finding.col - 1, len(editor.document.get_line(row))))
        editor.cursor_location = (row, column)
        editor.scroll_cursor_visible(center=True)
        editor.focus()
