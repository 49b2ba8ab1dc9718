"""Parent-side validation of decoded worker replies: shape, reward values, text lengths.

:func:`sandbox.protocol.decode_reply` already guarantees plain data (exact builtin types, bounded size and depth).
This module checks what each request expects, so a broken or compromised worker yields a
:class:`~sandbox.errors.BadWorkerReply` — never a wrong number, an oversized message or a foreign object:

* ``score``: ``("ok", float)`` with a finite reward in [-1e5, 1e5] (bools and ints refused: the worker converts);
* ``score_many``: ``("ok", bytes)`` of exactly ``8 * rows`` bytes, read as little-endian float64, every value
  finite and within the bound;
* ``constants``: ``("ok", None)``; ``ready``: ``("ready", dict)``; ``run``: ``("ok", plain data)``;
* errors: ``("error", kind, message, row, value_repr, traceback_text, params)`` with ``str`` texts (truncated
  here to ``limit`` characters whatever the worker sent), ``row`` an int or None, ``params`` a dict or None.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.errors import BadWorkerReply
from sandbox.values import REWARD_BOUND

__all__ = ["ErrorReply", "check_batch", "check_error", "check_ok", "check_score"]

_KINDS = frozenset(
    {
        "runtime",
        "memory",
        "value",
        "load",
        "trusted",
        "RewardRuntimeError",
        "RewardMemoryError",
        "BadRewardValue",
    }
)


class ErrorReply:
    """A validated error reply: every field of the expected type, texts truncated to the parent's limit."""

    __slots__ = ("kind", "message", "params", "row", "text", "value_repr")

    def __init__(
        self,
        kind: str,
        message: str,
        row: int | None,
        value_repr: str,
        text: str,
        params: dict[str, Any] | None,
    ) -> None:
        self.kind, self.message, self.row = kind, message, row
        self.value_repr, self.text, self.params = value_repr, text, params


def _bad(what: str) -> BadWorkerReply:
    return BadWorkerReply(f"sandbox worker sent a bad reply: {what} (worker killed)")


def check_error(reply: tuple[Any, ...], limit: int) -> ErrorReply:
    """Validate an ``("error", ...)`` reply; texts cut to ``limit`` characters (tracebacks keep their end).

    :raises BadWorkerReply: wrong arity or field types, unknown kind.
    """
    if len(reply) != 7:
        raise _bad(f"error reply with {len(reply)} fields")
    _, kind, message, row, value_repr, text, params = reply
    if type(kind) is not str or kind not in _KINDS:
        raise _bad("unknown error kind")
    if type(message) is not str or type(value_repr) is not str or type(text) is not str:
        raise _bad("error texts are not strings")
    if row is not None and type(row) is not int:
        raise _bad("error row is not an integer")
    if params is not None and type(params) is not dict:
        raise _bad("echoed params are not a dict")
    return ErrorReply(kind, message[:limit], row, value_repr[:limit], text[-limit:], params)


def check_ok(reply: Any, tag: str = "ok") -> Any:
    """The value of a ``(tag, value)`` reply; an error reply is returned as an :class:`ErrorReply` marker
    tuple ``("error", ...)`` untouched (the caller validates it with :func:`check_error`).

    :raises BadWorkerReply: not a tuple, or a tag other than ``tag``/``"error"``.
    """
    if type(reply) is not tuple or not reply:
        raise _bad("reply is not a tuple")
    if reply[0] == tag and len(reply) == 2:
        return reply[1]
    if reply[0] == "error":
        return reply
    raise _bad(f"unexpected reply tag {str(reply[0])[:40]!r}")


def check_score(value: Any) -> float:
    """The reward of a ``score`` reply: a ``float``, finite, |r| <= 1e5.

    :raises BadWorkerReply: anything else (the worker checks rewards before sending, so only a broken worker
        sends NaN, inf, out-of-range or non-float values).
    """
    if type(value) is not float or not -REWARD_BOUND <= value <= REWARD_BOUND:
        raise _bad("reward is not a finite float within [-1e5, 1e5]")
    return value


def check_batch(value: Any, rows: int) -> np.ndarray:
    """The rewards of a ``score_many`` reply: ``rows`` little-endian float64 values, all finite and in range.

    :raises BadWorkerReply: not bytes, wrong length, or a value that is NaN, inf or beyond 1e5.
    """
    if type(value) is not bytes or len(value) != 8 * rows:
        raise _bad(f"batch of {rows} rewards is not {8 * rows} bytes")
    rewards = np.frombuffer(value, dtype="<f8")
    if rows and not bool(np.all(np.abs(rewards) <= REWARD_BOUND)):  # NaN compares False
        raise _bad("batch holds a reward that is not finite or beyond 1e5")
    return rewards
