"""The worker process: loads one restricted reward module and serves calls over its pipes.

Started by :class:`sandbox.runner.RewardSandbox` as ``python -E -s -B -c <boot> REQ_FD RESP_FD STATUS_FD``
with BLAS
pinned to one thread, stdout on /dev/null and an empty, read-only working directory. Sequence:

1. read the configuration message (source, filename, function name, limits, modules to import, preloads);
2. import numpy, the allowlisted modules the source imports and the trusted ``preload`` modules; compile;
3. :func:`sandbox.lockdown.lock_down` (uid nobody, user+net namespaces, rlimits, seccomp); stderr ->
   /dev/null;
4. run the module-level user code (as call row -1, under ``load_timeout_s``), reply ``("ready", info)``;
5. serve requests until EOF: ``constants``, ``score``, ``score_many``, ``run``.

Replies are ``("ok", value)`` or ``("error", kind, message, row, value_repr, traceback_text, params)`` with
``kind``
in ``runtime memory value load trusted``; all text is truncated to ``limits.error_chars``.
"""

from __future__ import annotations

import array
import gc
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Callable
from itertools import chain, compress
from typing import Any

import numpy as np

from sandbox.errors import BadRewardValue, RewardMemoryError, RewardRuntimeError, SandboxError
from sandbox.protocol import RaggedColumn
from sandbox.values import REWARD_BOUND, check_reward, copy_value, freeze, is_immutable

__all__ = ["main"]

_MUTABLE = frozenset({list, dict, set, bytearray, np.ndarray})
_LISTS = frozenset({list})
_FLAT = frozenset({float, int, bool, str, type(None)})


def _column_items(values: Any) -> list[Any]:
    """Per-row values of one column, each row owning its mutable values (shared objects are copied)."""
    if isinstance(values, np.ndarray):
        return list(values.tolist())  # fresh Python objects, nothing shared between rows
    if isinstance(values, RaggedColumn):
        return values.rows()
    items = list(values)
    kinds = set(map(type, items))
    if not kinds & _MUTABLE:
        return items
    if (
        kinds <= _LISTS
        and len(set(map(id, items))) == len(items)
        and _FLAT.issuperset(map(type, chain.from_iterable(items)))
    ):
        return items  # distinct flat lists: every row already owns its own
    return [copy_value(item.tolist() if isinstance(item, np.ndarray) else item) for item in items]


class _Worker:
    """State of one worker: the user function, constants and the status words."""

    def __init__(self, config: dict[str, Any], resp_fd: int, status_fd: int) -> None:
        from sandbox.guards import restricted_globals
        from sandbox.modules import build_proxies
        from sandbox.policy import compile_reward
        from sandbox.protocol import StatusBlock

        self.np = np
        self.resp_fd = resp_fd
        self.limits = config["limits"]
        self.filename: str = config["filename"]
        self.function_name: str = config["function_name"]
        _warm_numpy_methods()
        for module in config["preload"]:
            importlib.import_module(module)
        proxies = build_proxies(config["roots"])
        self.code = compile_reward(config["source"], self.filename)
        self.globals, self.sink = restricted_globals(
            proxies, self.limits.max_output_chars, array_type=np.ndarray
        )
        self.status = StatusBlock(status_fd)
        self.words = self.status.words
        self.constants: dict[str, Any] = {}
        self.constant_items: tuple[tuple[str, Any], ...] = ()
        self.mutable_constants: tuple[str, ...] = ()
        self.fn: Callable[[dict[str, Any]], Any] = _missing
        self.traceback_chars: int = self.limits.error_chars

    # -- errors ----------------------------------------------------------------------------------------------
    def describe(self, exc: BaseException) -> tuple[str, str]:
        """``(one-line message naming file:line, user-frame traceback text)``, both truncated."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == self.filename]
        try:
            text = str(exc)
        except Exception:
            text = "<unprintable>"
        name = type(exc).__name__
        where = f"{self.filename}:{frames[-1].lineno}: " if frames else f"{self.filename}: "
        message = f"{where}{name}: {text}" if text else f"{where}{name}"
        lines = "".join(traceback.format_list(frames)) + f"{name}: {text}\n"
        return message[: self.traceback_chars], lines[-self.traceback_chars :]

    def error_reply(self, exc: BaseException, row: int | None, params: Any = None) -> tuple[Any, ...]:
        if isinstance(exc, BadRewardValue):
            where = f"{self.filename}: {self.function_name}() returned a bad value: "
            return ("error", "value", where + exc.message, row, exc.value_repr, "", params)
        if isinstance(exc, SandboxError):
            kind = type(exc).__name__
            text = getattr(exc, "traceback_text", "")
            return ("error", kind, exc.message, row, getattr(exc, "value_repr", ""), text, exc.params)
        message, text = self.describe(exc)
        kind = "memory" if isinstance(exc, MemoryError) else "runtime"
        return ("error", kind, message, row, "", text, params)

    # -- loading ---------------------------------------------------------------------------------------------
    def load(self) -> None:
        """Run the module-level user code (as row -1) and fetch the reward function."""
        self.words[1] = -1
        self.words[0] = 1
        try:
            exec(self.code, self.globals)
        finally:
            self.words[0] = 2
        fn = self.globals.get(self.function_name)
        if not callable(fn):
            raise NameError(f"{self.function_name}() is not defined by the module")
        self.fn = fn

    def set_constants(self, constants: dict[str, Any]) -> None:
        frozen = {key: freeze(value) for key, value in constants.items()}
        self.constants = frozen
        self.constant_items = tuple(frozen.items())
        self.mutable_constants = tuple(key for key, value in frozen.items() if not is_immutable(value))

    # -- calls -----------------------------------------------------------------------------------------------
    def call(self, params: dict[str, Any], row: int) -> float:
        """One checked call of the user function with ``params`` (already a private copy)."""
        words = self.words
        counter = words[0] + 1
        words[1] = row
        words[0] = counter
        try:
            result = self.fn(params)
        finally:
            words[0] = counter + 1
        return check_reward(result)

    def merged(self, params: dict[str, Any]) -> dict[str, Any]:
        """Constants overridden by a private copy of ``params`` (list/dict/set/array values copied)."""
        merged = params.copy()
        for item in self.constant_items:
            merged.setdefault(*item)
        for key in self.mutable_constants:
            if key not in params:
                merged[key] = copy_value(merged[key])
        keys = list(compress(params, map(_MUTABLE.__contains__, map(type, params.values()))))
        if keys:
            values = list(map(params.__getitem__, keys))
            if _LISTS.issuperset(map(type, values)) and _FLAT.issuperset(
                map(type, chain.from_iterable(values))
            ):
                merged.update(
                    zip(keys, map(list.copy, values), strict=True)
                )  # the common case: flat lists, copied in C
            else:
                merged.update(zip(keys, map(copy_value, values), strict=True))
        return merged

    def score_many(self, columns: dict[str, Any], n: int) -> bytes:
        """Rebuild ``n`` params dicts from ``columns`` (merged over the constants), score them; float64
        bytes."""
        names = list(columns)
        lists = [_column_items(values) for values in columns.values()]
        if any(len(items) != n for items in lists):
            raise ValueError("columns differ in length")
        base = {key: value for key, value in self.constants.items() if key not in columns}
        extra = tuple(key for key in self.mutable_constants if key in base)
        fn, words, out = self.fn, self.words, array.array("d")
        append = out.append
        counter, row = words[0], 0
        gc.disable()  # rows are short-lived; collecting mid-batch only costs time
        try:
            for row, values in enumerate(zip(*lists, strict=True) if lists else ((),) * n):
                params = dict(zip(names, values, strict=False))
                params.update(base)
                for key in extra:
                    params[key] = copy_value(params[key])
                counter += 1
                words[1] = row
                words[0] = counter
                result = fn(params)
                counter += 1
                words[0] = counter
                append(
                    result
                    if type(result) is float and -REWARD_BOUND <= result <= REWARD_BOUND
                    else check_reward(result)
                )
        except BaseException as exc:
            if counter & 1:
                words[0] = counter + 1
            exc.sandbox_row = row  # type: ignore[attr-defined]
            raise
        finally:
            gc.enable()
        return out.tobytes()

    def make_reward(self) -> Callable[[dict[str, Any]], float]:
        """The checked ``reward(params) -> float`` handed to trusted loops by ``run``; raises typed errors.

        ``reward(params)`` merges ``params`` over the constants and copies mutable values (the caller's dict and
        lists are never modified). ``reward.fresh(params)`` copies nothing: it adds the missing constants to
        ``params`` itself and hands that dict to user code — only for callers that build a new dict *and new
        lists* for every call and never reuse them (e.g. a simulator step). Both apply the per-call time limit
        and the value check. ``reward.raw(params)`` is for tools that inspect the function itself (``reward
        lint`` reports the raw return type and exception text): merged, copied and timed like ``reward``, but the
        value is returned unchecked and unconverted and the user's exceptions propagate as raised.
        """
        merged, call = self.merged, self.call
        fn, words, constant_items = self.fn, self.words, self.constant_items
        describe = self.describe
        safe_constants = not self.mutable_constants

        def failure(exc: BaseException, params: dict[str, Any]) -> SandboxError:
            if isinstance(exc, BadRewardValue):
                return BadRewardValue(exc.message, exc.value_repr, params)
            if isinstance(exc, MemoryError):
                return RewardMemoryError(describe(exc)[0], params)
            message, text = describe(exc)
            return RewardRuntimeError(message, params, text)

        words[1] = -1  # trusted loops have no row index

        def reward(params: dict[str, Any]) -> float:
            try:
                return call(merged(params), -1)
            except BaseException as exc:
                raise failure(exc, params) from None

        def fresh(params: dict[str, Any]) -> float:
            if not safe_constants:
                return reward(params)
            for key, value in constant_items:
                if key not in params:
                    params[key] = value
            counter = words[0] + 1
            words[0] = counter
            try:
                result = fn(params)
            except BaseException as exc:
                words[0] = counter + 1
                raise failure(exc, params) from None
            words[0] = counter + 1
            if type(result) is float and -REWARD_BOUND <= result <= REWARD_BOUND:
                return result
            try:
                return check_reward(result)
            except BadRewardValue as exc:
                raise failure(exc, params) from None

        def raw(params: dict[str, Any]) -> Any:
            counter = words[0] + 1  # odd: a user call is running (the parent's watchdog times it)
            words[0] = counter
            try:
                return fn(merged(params))
            finally:
                words[0] = counter + 1

        reward.fresh = fresh  # type: ignore[attr-defined]
        reward.raw = raw  # type: ignore[attr-defined]
        return reward

    # -- serving ---------------------------------------------------------------------------------------------
    def handle(self, request: tuple[Any, ...]) -> tuple[Any, ...]:
        op = request[0]
        if op == "score":
            params = request[1]
            try:
                return ("ok", self.call(self.merged(params), 0))
            except BaseException as exc:
                return self.error_reply(exc, 0)
        if op == "score_many":
            try:
                return ("ok", self.score_many(request[1], request[2]))
            except BaseException as exc:
                return self.error_reply(exc, getattr(exc, "sandbox_row", None))
        if op == "constants":
            self.set_constants(request[1])
            return ("ok", None)
        if op == "run":
            return self.run(request[1], request[2], request[3])
        return ("error", "trusted", f"unknown request {op!r}", None, "", "", None)

    def run(self, target: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        module_name, _, attr = target.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
            for part in attr.split("."):
                obj = getattr(obj, part)
            return ("ok", obj(self.make_reward(), *args, **kwargs))
        except SandboxError as exc:
            return self.error_reply(exc, None)
        except BaseException as exc:
            text = "".join(traceback.format_exception(exc))[-self.traceback_chars :]
            message = f"{target} raised {type(exc).__name__}: {exc}"[: self.traceback_chars]
            kind = "memory" if isinstance(exc, MemoryError) else "trusted"
            return ("error", kind, message, None, "", text, None)

    def reply(self, message: tuple[Any, ...]) -> None:
        from sandbox.protocol import write_message

        try:
            write_message(self.resp_fd, message)
        except Exception as exc:  # unpicklable result or params: send text only
            write_message(
                self.resp_fd,
                (
                    "error",
                    "trusted",
                    f"cannot send reply: {type(exc).__name__}: {exc}"[:500],
                    None,
                    "",
                    "",
                    None,
                ),
            )


def _warm_numpy_methods() -> None:
    """Call the ndarray methods whose C code imports ``numpy._core._methods`` lazily on first use.

    That lazy import would otherwise run from inside user code, through the sandbox's guarded ``__import__``
    (which refuses it), so ``arr.mean()`` would fail while ``numpy.mean(arr)`` works. numpy caches the
    imported function per call site, so one trusted call each is enough.
    """
    sample = np.array([[1.0, 2.0], [3.0, 4.0]])
    for method in (
        "sum",
        "mean",
        "std",
        "var",
        "prod",
        "max",
        "min",
        "any",
        "all",
        "argmax",
        "argmin",
        "cumsum",
    ):
        getattr(sample, method)()
        getattr(sample, method)(axis=0)
    sample.clip(0.0, 1.0)
    sample.round(1)
    np.float64(1.5).round()


def _missing(params: dict[str, Any]) -> Any:
    raise NameError("reward function not loaded")


def main(argv: list[str]) -> None:
    """Entry point (see module docstring); exits when the request pipe closes."""
    from sandbox.lockdown import lock_down
    from sandbox.protocol import read_message

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    req_fd, resp_fd, status_fd = (int(arg) for arg in argv[:3])
    config = read_message(req_fd)[1]
    worker = _Worker(config, resp_fd, status_fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    info = lock_down(config["limits"])
    os.dup2(devnull, 2)
    os.dup2(devnull, 1)
    info["pid"] = os.getpid()
    try:
        worker.load()
    except BaseException as exc:
        reply = worker.error_reply(exc, -1)
        worker.reply(("error", "load" if reply[1] == "runtime" else reply[1], *reply[2:]))
        return
    gc.collect()
    gc.freeze()  # long-lived objects (modules, proxies, user globals) leave the collector's working set
    worker.reply(("ready", info))
    while True:
        try:
            request = read_message(req_fd)
        except EOFError:
            return
        worker.reply(worker.handle(request))


if __name__ == "__main__":
    main(sys.argv[1:])
