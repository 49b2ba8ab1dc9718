"""Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec

from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList

P = ParamSpec("P")


async def settle(pilot: Pilot[None], seconds: float = 0.0) -> None:
    """Wait ``seconds`` (e.g. past the lint debounce), then for every background worker, then for a repaint."""
    if seconds:
        await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def lint_lines(app: App[None]) -> list[str]:
    """The lint panel's entries as shown."""
    options = app.query_one("#lint-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def _shown(widget: Widget) -> bool:
    node: object = widget
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


def layout_problems(app: App[None]) -> list[str]:
    """Widgets of the current screen that are clipped by the screen or their parent, or that overlap a sibling
    (empty list = a clean layout). Scrolling containers' contents are not widgets, so they do not count."""
    screen = app.screen
    problems: list[str] = []
    shown = [w for w in screen.query("*") if _shown(w) and w.region.area > 0]
    for widget in shown:
        if not screen.region.contains_region(widget.region):
            problems.append(f"{widget!r} {widget.region} leaves the screen {screen.region}")
        parent = widget.parent
        if not isinstance(parent, Widget) or parent is screen or parent.is_scrollable:
            continue
        if parent.region.area > 0 and not parent.region.contains_region(widget.region):
            problems.append(f"{widget!r} {widget.region} is clipped by {parent!r} {parent.region}")
    by_parent: dict[int, list[Widget]] = {}
    for widget in shown:
        if widget.styles.overlay != "screen":
            by_parent.setdefault(id(widget.parent), []).append(widget)
    for siblings in by_parent.values():
        for i, first in enumerate(siblings):
            for second in siblings[i + 1 :]:
                if first.region.overlaps(second.region):
                    problems.append(f"{first!r} {first.region} overlaps {second!r} {second.region}")
    return problems


def sync(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async Pilot test with ``asyncio.run`` (the suite has no async pytest plugin); fixtures pass
    through because the wrapper keeps the test's signature."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        asyncio.run(test(*args, **kwargs))

    return run
