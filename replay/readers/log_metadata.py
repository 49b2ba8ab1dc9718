"""Metadata found in the non-step lines of robomaker/simulation logs, and in ``model_metadata.json`` files.

Mined from a log (first occurrence wins; every item is optional):

- ``world_name``: `` * /WORLD_NAME: x`` (ROS params), ``'WORLD_NAME': 'x'`` (param dict),
  ``World name passed in YAML: x`` (2026);
- ``job_type`` / ``race_type``: the same three spellings with ``JOB_TYPE`` / ``RACE_TYPE``;
- ``action_space``: ``Action space from file: …`` or ``Loaded action space from file: …`` (a Python literal);
- ``simapp_version``, ``training_algorithm``, ``action_space_type``: from the ``Sensor list …`` line;
- ``hyperparameters``: the JSON block after ``Using the following hyper-parameters``.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
from typing import Any

_PARAM_PATTERNS = {
    key: (
        re.compile(rf"\* /{key}: ([^\s,]+)"),
        re.compile(rf"'{key}': \[?'([^']+)'"),
    )
    for key in ("WORLD_NAME", "JOB_TYPE", "RACE_TYPE")
}
_WORLD_YAML = re.compile(r"World name passed in YAML: (\S+)")
_ACTION_SPACE = re.compile(r"(?:Loaded action space from file|Action space from file): ([\[{].*)$", re.M)
_SENSOR_LINE = re.compile(r"simapp_version ([\d.]+)")
_ALGORITHM = re.compile(r"training_algorithm (\w+)")
_SPACE_TYPE = re.compile(r"action_space_type (\w+)")
_HYPER = re.compile(r"Using the following hyper-parameters\s*\n(\{.*?\n\})", re.S)


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def action_space_type_of(action_space: Any) -> str | None:
    """``"discrete"`` for a list of actions, ``"continuous"`` for a dict of ranges, else None."""
    if isinstance(action_space, list):
        return "discrete"
    if isinstance(action_space, dict):
        return "continuous"
    return None


def mine_log_metadata(text: str) -> dict[str, Any]:
    """Return the metadata items found in a log's text (keys as in the module docstring)."""
    found: dict[str, Any] = {}
    for key, patterns in _PARAM_PATTERNS.items():
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                found[key.lower()] = match.group(1)
                break
    if "world_name" not in found and (match := _WORLD_YAML.search(text)):
        found["world_name"] = match.group(1)
    if match := _ACTION_SPACE.search(text):
        space = _literal(match.group(1))
        if space is not None:
            found["action_space"] = space
    for key, pattern in (
        ("simapp_version", _SENSOR_LINE),
        ("training_algorithm", _ALGORITHM),
        ("action_space_type", _SPACE_TYPE),
    ):
        if match := pattern.search(text):
            found[key] = match.group(1)
    if match := _HYPER.search(text):
        with contextlib.suppress(ValueError):
            found["hyperparameters"] = json.loads(match.group(1))
    return found


def parse_model_metadata(data: bytes) -> dict[str, Any]:
    """Read a ``model_metadata.json``: returns ``action_space``, ``action_space_type`` and the other keys.

    Unreadable JSON gives an empty dict (metadata is optional for replay).
    """
    try:
        meta = json.loads(data.decode("utf-8", errors="replace"))
    except ValueError:
        return {}
    if not isinstance(meta, dict):
        return {}
    space = meta.get("action_space")
    meta["action_space_type"] = str(
        meta.get("action_space_type") or action_space_type_of(space) or ""
    ).lower()
    return meta
