"""Trusted reward functions for in-process simulator tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reward_sdk.examples import example_source


def _load_example(name: str) -> Callable[[dict[str, Any]], float]:
    """The example's ``reward_function`` as plain (trusted, in-process) Python."""
    namespace: dict[str, Any] = {}
    exec(compile(example_source(name), f"examples/{name}.py", "exec"), namespace)
    function: Callable[[dict[str, Any]], float] = namespace["reward_function"]
    return function


centre_line_reward = _load_example("follow_center_line")
"""The console's default reward (PARAMS.md §8.1), from ``examples/follow_center_line.py``."""
