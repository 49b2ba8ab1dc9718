"""Trusted reward functions for in-process simulator tests."""

from __future__ import annotations

from typing import Any


def centre_line_reward(params: dict[str, Any]) -> float:
    """The console's default reward (PARAMS.md §8.1), as trusted Python for in-process tests."""
    width, distance = params["track_width"], params["distance_from_center"]
    if distance <= 0.1 * width:
        return 1.0
    if distance <= 0.25 * width:
        return 0.5
    if distance <= 0.5 * width:
        return 0.1
    return 1e-3
