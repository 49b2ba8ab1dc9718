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


def aws_calls(
    reward: Reward,
    dicts: list[dict[str, Any]],
    filename: str,
    block_imports: bool = False,
    warm_methods: tuple[str, ...] = (),
) -> tuple[int | None, bool, list[tuple[Any, ...]]]:
    """Call the raw function once per dict, like the official validator (AWS_VALIDATOR.md §1.2, suites 2-3).

    :param filename: the user file's name in tracebacks (frames of that file are the user's).
    :param block_imports: reproduce the validator's first call: every ``import`` executed during the call (user
        code, ``__import__`` fetched at call time, a library importing lazily) raises the validator's
        ``DeepRacerError`` — ``{"message": "Import should be put at the top of file, module: X", "type":
        "IMPORT_ERROR"}`` — and so does a numpy method whose C code imports ``numpy._core._methods`` on first use
        (``ndarray.sum()``, ``.mean()``...: the validator's process has not used them yet; ours has).
    :param warm_methods: such numpy methods the module-level code already used (warm in the validator too).
    :returns: ``(parameter count, hooked, results)``: the parameter count of the function's code when its frame
        was seen (else None); whether the user-level import hook could be installed; one result per dict —
        ``("ok", is_float, str(value), float value or None)`` or ``("error", exception class name, str(exc),
        last line of the formatted exception, line of the last user frame or 0, source text of the last
        non-trusted frame, whether that frame is the user's)``. Texts are cut to 2000 characters.
    """
    import builtins
    import sys
    import traceback

    import numpy as np

    limit = 2000
    lazy = frozenset({"all", "any", "clip", "max", "mean", "min", "prod", "std", "sum", "var"}) - set(
        warm_methods
    )
    methods_module = "numpy._core._methods" if hasattr(np, "_core") else "numpy.core._methods"
    trusted = ("sandbox", "reward_sdk")

    class DeepRacerError(Exception):
        """The validator's error: ``str()`` is the JSON object of its fields (message first)."""

        def __init__(self, module: str) -> None:
            super().__init__(module)
            text = "Import should be put at the top of file, module: " + module
            short = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
            escaped = "".join(
                short.get(ch, ch if 0x20 <= ord(ch) < 0x7F else f"\\u{ord(ch):04x}") for ch in text
            )  # json.dumps with ensure_ascii (json itself is not loaded in the worker)
            self.text = '{"message": "' + escaped + '", "type": "IMPORT_ERROR"}'

        def __str__(self) -> str:
            return self.text

    real_import = builtins.__import__
    state: dict[str, Any] = {"table": None, "saved": None, "count": None}

    def library_stub(name: Any, *args: Any, **kwargs: Any) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if isinstance(caller, str) and caller.split(".")[0] in trusted:
            return real_import(name, *args, **kwargs)
        raise DeepRacerError(str(name))

    def user_stub(name: Any, *args: Any, **kwargs: Any) -> Any:
        raise DeepRacerError(str(name))

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and state["table"] is None and frame.f_code.co_filename == filename:
            code, table = frame.f_code, frame.f_builtins  # the outermost user frame: the function called
            if code.co_name == "reward_function":
                flags = bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)  # *args, **kwargs
                state["count"] = code.co_argcount + code.co_kwonlyargcount + flags
            state["table"] = table
            if isinstance(table, dict) and table is not vars(builtins):
                state["saved"] = table.get("__import__")
                table["__import__"] = user_stub
        elif (
            event == "c_call"
            and getattr(arg, "__name__", None) in lazy
            and isinstance(getattr(arg, "__self__", None), np.ndarray | np.generic)
        ):
            caller = frame.f_globals.get("__name__", "")
            if not (isinstance(caller, str) and caller.split(".")[0] in trusted):
                raise DeepRacerError(methods_module)

    def describe(exc: BaseException) -> tuple[Any, ...]:
        frames = [
            f
            for f in traceback.extract_tb(exc.__traceback__)
            if f.filename == filename or not any(f"/{name}/" in f.filename for name in trusted)
        ]
        user = [f for f in frames if f.filename == filename]
        try:
            text = str(exc)
            last = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n").splitlines()[-1]
        except BaseException:
            text, last = "<unprintable>", type(exc).__name__
        source = (frames[-1].line or "") if frames else ""
        is_user = bool(frames) and frames[-1].filename == filename
        line = (user[-1].lineno or 0) if user else 0
        return ("error", type(exc).__name__, text[:limit], last[:limit], line, source[:limit], is_user)

    fn = raw_function(reward)
    out: list[tuple[Any, ...]] = []
    hooked = False
    for params in dicts:
        copied = dict(params)
        try:
            if block_imports:
                builtins.__import__ = library_stub
                sys.setprofile(profile)
            try:
                value = fn(copied)
            finally:
                if block_imports:
                    sys.setprofile(None)
                    builtins.__import__ = real_import
                    table = state["table"]
                    if isinstance(table, dict) and table is not vars(builtins):
                        table["__import__"] = state["saved"]
                        hooked = True
        except BaseException as exc:
            out.append(describe(exc))
            continue
        number = float(value) if isinstance(value, float) else None
        try:
            text = str(value)
        except BaseException:
            text = f"<{type(value).__name__}>"
        out.append(("ok", isinstance(value, float), text[:limit], number))
    return state["count"], hooked, out
