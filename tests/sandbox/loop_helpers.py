"""Trusted functions the tests run inside the worker with ``RewardSandbox.run_in_worker``."""

from __future__ import annotations

import ctypes
import os
import socket
import time
from collections.abc import Callable
from typing import Any

Reward = Callable[[dict[str, Any]], float]


def total(reward: Reward, rows: list[dict[str, Any]]) -> list[float]:
    """Call ``reward`` on every row; return the rewards."""
    return [reward(row) for row in rows]


def mutate_check(reward: Reward, row: dict[str, Any]) -> dict[str, Any]:
    """Call ``reward`` then return the caller-side row, to show user mutations did not reach it."""
    reward(row)
    return row


def catch_errors(reward: Reward, rows: list[dict[str, Any]]) -> list[str]:
    """Call ``reward`` on each row, returning the exception class name or 'ok'."""
    out = []
    for row in rows:
        try:
            reward(row)
            out.append("ok")
        except Exception as exc:
            out.append(type(exc).__name__)
    return out


def probe_isolation(reward: Reward) -> dict[str, str]:
    """Try the OS-level escapes directly (as if the Python-level guards had been bypassed)."""
    results: dict[str, str] = {}
    probes: dict[str, Callable[[], object]] = {
        "fork": os.fork,
        "exec": lambda: os.posix_spawn("/bin/true", ["true"], {}),
        "system": lambda: os.system("true") or "exit 0",
        "socket": lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM),
        "write_tmp": lambda: open("/tmp/reward_sandbox_attack_marker", "w"),  # noqa: SIM115
        "unlink": lambda: os.unlink("/tmp/reward_sandbox_no_such_file"),
        "big_alloc": lambda: bytearray(2 << 30),
    }
    for name, probe in probes.items():
        try:
            value = probe()
            results[name] = f"ALLOWED {value!r}"[:80]
            if name == "fork" and value == 0:
                os._exit(0)
        except BaseException as exc:
            results[name] = type(exc).__name__
    results["uid"] = str(os.getuid())
    return results


def segfault(reward: Reward) -> None:
    """Crash the worker with SIGSEGV."""
    ctypes.string_at(0)


def sleep(reward: Reward, seconds: float) -> str:
    """Sleep in trusted code (RLIMIT_CPU would never fire)."""
    time.sleep(seconds)
    return "slept"


def raw_type(reward: Any, params: dict[str, Any]) -> str:
    """Type name of the user's unconverted return value."""
    return type(reward.raw(params)).__name__
