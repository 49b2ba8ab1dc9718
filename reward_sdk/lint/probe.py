"""Trusted helpers that ``reward lint`` runs *inside* the sandbox worker via ``RewardSandbox.run_in_worker``.

Each receives the checked ``reward(params)`` as first argument and returns plain builtins. Two helpers need the
user's raw return value (the sandbox converts ints and numpy floats with ``float()``): they call ``reward.raw``,
which the sandbox provides for that purpose.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["aws_calls", "raw_types", "time_calls"]

Reward = Callable[[dict[str, Any]], float]


def raw_function(reward: Reward) -> Callable[[dict[str, Any]], Any]:
    """The user's function without the sandbox's value check (``reward.raw``; params are still copied)."""
    raw: Callable[[dict[str, Any]], Any] = getattr(reward, "raw", reward)
    return raw


def time_calls(reward: Reward, rows: list[dict[str, Any]]) -> list[float]:
    """Wall time in seconds of one checked call per row."""
    out: list[float] = []
    for params in rows:
        start = time.perf_counter()
        reward(params)
        out.append(time.perf_counter() - start)
    return out


def raw_types(reward: Reward, rows: list[dict[str, Any]]) -> list[str]:
    """Sorted type names of the raw return values (``float`` only when every call returned a Python float)."""
    fn = raw_function(reward)
    seen: set[str] = set()
    for params in rows:
        try:
            value = fn(dict(params))
        except BaseException:  # errors are reported by the batch run, not here
            continue
        seen.add(type(value).__module__.replace("builtins", "") + "." + type(value).__name__)
    return sorted(name.lstrip(".") for name in seen)


def aws_calls(reward: Reward, dicts: list[dict[str, Any]], filename: str) -> list[tuple[Any, ...]]:
    """Call the raw function once per dict, like the official validator: ``("ok", is_float, str, value)`` or
    ``("error", exception text, line or 0)``."""
    import traceback

    fn = raw_function(reward)
    out: list[tuple[Any, ...]] = []
    for params in dicts:
        try:
            value = fn(dict(params))
        except BaseException as exc:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
            out.append(("error", str(exc), frames[-1].lineno if frames else 0, type(exc).__name__))
            continue
        number = float(value) if isinstance(value, float) else None
        try:
            text = str(value)[:200]
        except BaseException:
            text = f"<{type(value).__name__}>"
        out.append(("ok", isinstance(value, float), text, number))
    return out
