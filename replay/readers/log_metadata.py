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

from reward_sdk.errors import InputLimitError, UserError
from reward_sdk.input_files import cap, size_text

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


_JSON_LIKE = re.compile(r"(?:'[^'\"\\\n]*'|[-+0-9.eE \t\n\r\[\]{}:,])*")
"""Python literals that mean the same as JSON once ``'`` becomes ``"``: single-quoted strings without quotes,
backslashes or line breaks, numbers, brackets, braces, colons, commas and JSON whitespace."""


def _literal(text: str) -> Any:
    """The Python literal in ``text`` (surrounding whitespace ignored), None if it is not one.

    An action space is a list of dicts of numbers: parsed as JSON when it can be (the same value, ~50x faster
    than ``ast.literal_eval``), anything JSON rejects goes to ``ast.literal_eval``.
    """
    text = text.strip()
    if _JSON_LIKE.fullmatch(text):
        with contextlib.suppress(ValueError, RecursionError):
            return json.loads(text.replace("'", '"'))
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def action_space_type_of(action_space: Any) -> str | None:
    """``"discrete"`` for a list of actions, ``"continuous"`` for a dict of ranges, else None."""
    if isinstance(action_space, list):
        return "discrete"
    if isinstance(action_space, dict):
        return "continuous"
    return None


def _ascii_twin(pattern: re.Pattern[str]) -> re.Pattern[bytes]:
    """The bytes pattern that matches ASCII bytes exactly where ``pattern`` matches their text.

    Only ``\\s``/``\\S`` differ between the two modes on ASCII (a str pattern's whitespace also covers
    ``\\x1c``-``\\x1f``), so they are spelled out; ``\\d``, ``\\w``, ``.`` agree already.
    """
    out, in_class, i, src = [], False, 0, pattern.pattern
    while i < len(src):
        two = src[i : i + 2]
        if two in (r"\s", r"\S"):
            if two == r"\S" and in_class:
                raise ValueError(f"no ASCII twin for {src!r}")
            out.append(
                r"\s\x1c-\x1f" if in_class else r"[\s\x1c-\x1f]" if two == r"\s" else r"[^\s\x1c-\x1f]"
            )
            i += 2
            continue
        if two[0] == "\\":
            out.append(two)
            i += 2
            continue
        in_class = (in_class or two[0] == "[") and not (in_class and two[0] == "]")
        out.append(two[0])
        i += 1
    return re.compile("".join(out).encode("ascii"), pattern.flags & ~re.UNICODE)


_ASCII_TWINS = {
    p: _ascii_twin(p)
    for p in (
        *(p for pair in _PARAM_PATTERNS.values() for p in pair),
        _WORLD_YAML,
        _ACTION_SPACE,
        _SENSOR_LINE,
        _ALGORITHM,
        _SPACE_TYPE,
        _HYPER,
    )
}


def mine_log_metadata(text: str | bytes | memoryview) -> dict[str, Any]:
    """Return the metadata items found in a log's text (keys as in the module docstring).

    :param text: the decoded text, or the raw bytes when they are all ASCII (searched without decoding them:
        same matches, see :func:`_ascii_twin`).
    """
    found: dict[str, Any] = {}

    def first(pattern: re.Pattern[str]) -> str | None:
        if isinstance(text, str):
            match = pattern.search(text)
            return None if match is None else match.group(1)
        raw = _ASCII_TWINS[pattern].search(text)
        return None if raw is None else raw.group(1).decode("ascii")

    for key, patterns in _PARAM_PATTERNS.items():
        for pattern in patterns:
            if (value := first(pattern)) is not None:
                found[key.lower()] = value
                break
    if "world_name" not in found and (value := first(_WORLD_YAML)) is not None:
        found["world_name"] = value
    if (value := first(_ACTION_SPACE)) is not None:
        space = _literal(value)
        if space is not None:
            found["action_space"] = space
    for key, pattern in (
        ("simapp_version", _SENSOR_LINE),
        ("training_algorithm", _ALGORITHM),
        ("action_space_type", _SPACE_TYPE),
    ):
        if (value := first(pattern)) is not None:
            found[key] = value
    if (value := first(_HYPER)) is not None:
        with contextlib.suppress(ValueError, RecursionError):
            found["hyperparameters"] = json.loads(value)
    return found


def parse_model_metadata(
    data: bytes, source: str = "model_metadata.json", *, hyperparameters: bool = False
) -> dict[str, Any]:
    """Read a ``model_metadata.json``: returns ``action_space``, ``action_space_type`` and the other keys.

    With ``hyperparameters``, read a ``hyperparameters.json`` instead: its keys as they are.

    Unreadable JSON (a syntax error, not UTF-8, not an object) gives an empty dict: metadata is optional for
    replay. A hostile file does not: it is refused with one line.

    :raises InputLimitError: more than :data:`reward_sdk.sim.actions.MAX_METADATA_BYTES` bytes, or nested too
        deeply for the JSON parser.
    :raises UserError: a key of the wrong type (``action_space`` not a list of objects or an object, ``sensor``
        not a list of strings...; ``num_episodes_between_training`` not a positive integer).
    """
    from reward_sdk.sim import actions

    limit = cap(actions.MAX_METADATA_BYTES, actions.MAX_METADATA_BYTES_ENV)
    if len(data) > limit:
        raise InputLimitError(
            f"{source}: metadata file larger than {size_text(limit)}, refused "
            f"(set ${actions.MAX_METADATA_BYTES_ENV} to raise the limit)"
        )
    try:
        meta = actions.decode_metadata_json(data, source)
    except ValueError:
        return {}
    if not isinstance(meta, dict):
        return {}
    if hyperparameters:
        per = meta.get("num_episodes_between_training")
        if per is not None and (not isinstance(per, int) or isinstance(per, bool) or per < 1):
            raise UserError(
                f"{source}: 'num_episodes_between_training' must be a positive integer, got {str(per)[:60]}"
            )
        return meta
    actions.check_metadata_types(meta, source)
    space = meta.get("action_space")
    meta["action_space_type"] = str(
        meta.get("action_space_type") or action_space_type_of(space) or ""
    ).lower()
    return meta
