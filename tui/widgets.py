"""Small helpers for the tabs' widgets."""

from __future__ import annotations

from typing import TypeVar

from textual.widget import Widget

__all__ = ["titled"]

W = TypeVar("W", bound=Widget)


def titled(widget: W, title: str) -> W:
    """``widget`` with ``title`` on its top border (an input keeps its label once it holds a value)."""
    widget.border_title = title
    return widget
