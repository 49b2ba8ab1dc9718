"""Configuration of ``reward lint``: ``[tool.reward-lint]`` in ``pyproject.toml``, CLI overrides, ``# noqa``.

The nearest ``pyproject.toml`` with a ``[tool.reward-lint]`` table is found by walking up from the linted file
(then from the current directory). Keys (all optional)::

    [tool.reward-lint]
    select = ["RW0", "RW1", "RW2", "RW3", "RW4"]   # codes or prefixes; default: every default rule
    ignore = ["RW104"]
    states = 1000              # generated states for the runtime checks
    runtime = true             # false = skip RW3xx (like --no-runtime)
    audit = true               # false = skip RW4xx (like --no-audit)
    call-budget-ms = 10.0      # p99 budget of one call (RW305)
    tracks = ["oval", "club", "technical"]   # runtime tracks: built-in names or .npy paths
    audit-tracks = ["oval", "club"]          # incentive-audit tracks

Command-line options override the file. A finding is suppressed by ``# noqa`` (all codes) or
``# noqa: RW101, RW3`` (codes or prefixes) at the end of its line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from reward_sdk.errors import UserError

__all__ = ["LintConfig", "find_config", "is_suppressed", "load_config"]

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z0-9, ]+))?", re.IGNORECASE)


@dataclass
class LintConfig:
    """Effective settings for one lint run (see the module docstring for the meaning of each key)."""

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    states: int = 1000
    runtime: bool = True
    audit: bool = True
    call_budget_ms: float = 10.0
    tracks: list[str] = field(default_factory=lambda: ["oval", "club", "technical"])
    audit_tracks: list[str] = field(default_factory=lambda: ["oval", "club"])
    source: Path | None = None


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with ``[tool.reward-lint]``, from ``start`` upwards."""
    folder = start if start.is_dir() else start.parent
    for candidate in [folder.resolve(), *folder.resolve().parents]:
        path = candidate / "pyproject.toml"
        if path.is_file() and "reward-lint" in _read(path).get("tool", {}):
            return path
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{path}: cannot read TOML ({exc})") from None


def load_config(linted: Path | None) -> LintConfig:
    """Settings from the nearest config (from ``linted``, else the cwd), defaults otherwise."""
    path = find_config(linted) if linted is not None else None
    path = path or find_config(Path.cwd())
    config = LintConfig(source=path)
    if path is None:
        return config
    table = _read(path)["tool"]["reward-lint"]
    known = {f.name.replace("_", "-"): f.name for f in fields(LintConfig) if f.name != "source"}
    for key, value in table.items():
        if key not in known:
            raise UserError(f"{path}: unknown key {key!r} in [tool.reward-lint] (known: {', '.join(known)})")
        expected = type(getattr(LintConfig(), known[key]))
        if key == "select":
            expected = list
        if expected is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise UserError(f"{path}: [tool.reward-lint] {key} must be a {expected.__name__}, got {value!r}")
        setattr(config, known[key], value)
    if config.states < 1:
        raise UserError(f"{path}: [tool.reward-lint] states must be at least 1")
    return config


def is_suppressed(line_text: str, code: str) -> bool:
    """Whether ``# noqa`` on ``line_text`` covers ``code``."""
    match = _NOQA.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    return any(code.startswith(token.strip().upper()) for token in codes.split(",") if token.strip())
