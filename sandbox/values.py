"""Value handling inside the worker: freezing constants, copying params, checking reward values.

* :func:`freeze` turns constants (waypoints...) into immutable tuples once, so every call can share them
  without copying: ``list``/``tuple``/``ndarray`` -> nested tuples of Python scalars.
* :func:`copy_value` copies a mutable params value (lists, dicts, sets, arrays) so user code cannot change the
  caller's data; immutable scalars and strings are returned as is.
* :func:`check_reward` applies the service's rule: ``float(r)`` of a real number (int, float, bool, numpy
  real scalar), finite, within [-1e5, 1e5]; anything else raises :class:`~sandbox.errors.BadRewardValue`
  (whose text is a bounded repr: a few items of each container, a few levels deep).
* :func:`to_plain` converts a trusted helper's result to the plain data the parent accepts.
"""

from __future__ import annotations

import itertools
import reprlib
from typing import Any

import numpy as np

from sandbox.errors import BadRewardValue

__all__ = ["REWARD_BOUND", "check_reward", "copy_value", "freeze", "to_plain"]

#: Largest accepted |reward| (the simulator raises RewardFunctionError beyond it since v4.0.12).
REWARD_BOUND = 1e5
_IMMUTABLE = frozenset({float, int, bool, str, bytes, type(None), complex})
_FLAT = frozenset({float, int, bool, str, type(None)})
_NUMBER = (int, float, np.floating, np.integer, np.bool_)


def freeze(value: Any) -> Any:
    """Immutable deep copy of ``value``: sequences and arrays become tuples, dicts stay dicts (copied)."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if isinstance(value, np.ndarray):
        return freeze(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    if isinstance(value, frozenset | set):
        return frozenset(freeze(item) for item in value)
    if isinstance(value, dict):
        return {key: freeze(item) for key, item in value.items()}
    return value


def is_immutable(value: Any) -> bool:
    """True when ``value`` can be shared between calls without copying (no dicts inside)."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return True
    if kind is tuple or kind is frozenset:
        return all(is_immutable(item) for item in value)
    return False


def copy_value(value: Any) -> Any:
    """Copy mutable containers recursively (list, dict, set, ndarray); other values are returned unchanged."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is list:
        if _FLAT.issuperset(map(type, value)):
            return value[:]
        if _is_flat_tuple_list(value):
            return value[:]  # e.g. waypoints: the tuples are immutable, only the list needs copying
        return [item if type(item) in _IMMUTABLE else copy_value(item) for item in value]
    if kind is dict:
        return {key: copy_value(item) for key, item in value.items()}
    if kind is tuple:
        if _FLAT.issuperset(map(type, value)):
            return value
        return tuple(copy_value(item) for item in value)
    if kind is set:
        return {copy_value(item) for item in value}
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def _is_flat_tuple_list(value: list[Any]) -> bool:
    """True for a list of tuples of scalars (checked in C-speed passes, no per-item Python call)."""
    return all(type(item) is tuple for item in value) and _FLAT.issuperset(
        map(type, itertools.chain.from_iterable(value))
    )


def check_reward(value: Any) -> float:
    """Return ``float(value)`` or raise :class:`BadRewardValue` (non-number, NaN, inf, |r| > 1e5)."""
    if type(value) is float:
        number = value
    elif isinstance(value, _NUMBER):
        try:
            number = float(value)
        except (OverflowError, TypeError, ValueError):
            raise BadRewardValue(
                f"reward {_short_repr(value)} is not a finite number", _short_repr(value)
            ) from None
    else:
        raise BadRewardValue(
            f"reward must be a number, got {type(value).__name__} {_short_repr(value)}", _short_repr(value)
        )
    if -REWARD_BOUND <= number <= REWARD_BOUND:
        return number
    kind = (
        "not finite" if number != number or number in (float("inf"), float("-inf")) else "outside [-1e5, 1e5]"
    )
    raise BadRewardValue(f"reward {number!r} is {kind}", repr(number))


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 3, 60, 60, 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxarray = 6


def _short_repr(value: Any, limit: int = 80) -> str:
    """Bounded repr: at most 6 items per container, 3 levels, long ints/strings elided (a list of 10**6 huge
    ints costs microseconds, not minutes); called while the status counter is odd."""
    try:
        text = _REPR.repr(value)
    except Exception:  # user objects may fail to repr
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


_PLAIN_ATOMS = frozenset({float, bool, str, bytes, type(None)})
_NUMPY_SCALARS = (np.floating, np.integer, np.bool_)
_MAX_PLAIN_DEPTH = 30


def to_plain(value: Any, _depth: int = 0) -> Any:
    """``value`` as plain data: numpy numbers become Python numbers, numeric arrays nested lists; ``float``,
    ``int``, ``bool``, ``str``, ``bytes``, ``None``, ``list``, ``tuple`` and ``dict`` with ``str`` keys are kept
    (exact types: containers are rebuilt only when an item changes).

    :raises TypeError: anything else (a class instance, a set, a subclass of a builtin, an object array...).
    :raises ValueError: nesting deeper than 30 levels (a cycle).
    Never calls a method of a user object (exact type checks only).
    """
    kind = type(value)
    if kind in _PLAIN_ATOMS or kind is int:
        return value
    if _depth > _MAX_PLAIN_DEPTH:
        raise ValueError("result is nested too deep (or holds a cycle)")
    if kind is list or kind is tuple:
        if _FLAT.issuperset(map(type, value)):
            return value
        items = [to_plain(item, _depth + 1) for item in value]
        return items if kind is list else tuple(items)
    if kind is dict:
        if not {str}.issuperset(map(type, value)):
            raise TypeError("result holds a dict with a non-str key")
        return {key: to_plain(item, _depth + 1) for key, item in value.items()}
    if kind is np.ndarray and value.dtype.kind in "biuf":
        return value.tolist()
    if isinstance(value, _NUMPY_SCALARS) and kind.__module__ == "numpy":
        return value.item()
    name = kind.__name__ if type(kind.__name__) is str else "object"
    raise TypeError(f"result holds a {name!r}, which is not plain data")
