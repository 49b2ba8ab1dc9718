"""Typed errors raised by the sandbox.

Every error carries a one-line ``str()`` suitable for ``error: <msg>`` in a CLI. Where the failure is tied to a
source location the message starts with ``file:line``; where it is tied to one call, ``params`` holds the
(copied)
params dict that triggered it so callers can reproduce the failure.

Hierarchy::

    SandboxError
    ├── RewardCompileError      (static policy / syntax violations; ``violations`` lists them all)
    │   └── ForbiddenImport     (at least one violation is an import outside the allowlist)
    ├── RewardRuntimeError      (user code raised; ``traceback_text`` is the user-frame traceback)
    ├── RewardTimeout           (a call or run exceeded its wall-clock limit; the worker was killed)
    ├── RewardMemoryError       (MemoryError under the address-space limit)
    ├── BadRewardValue          (NaN, inf, non-number or |r| > 1e5 returned)
    └── WorkerCrashed           (the worker died: segfault, CPU limit, ...; it is replaced on the next call)
        └── BadWorkerReply      (the worker broke the protocol: over-size, undecodable, non-plain, stalled or
                                 out-of-range reply; the parent killed it)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.policy import Violation

__all__ = [
    "BadRewardValue",
    "BadWorkerReply",
    "ForbiddenImport",
    "RewardCompileError",
    "RewardMemoryError",
    "RewardRuntimeError",
    "RewardTimeout",
    "SandboxError",
    "WorkerCrashed",
]


def _one_line(message: str, limit: int = 500) -> str:
    """Collapse ``message`` to a single line of at most ``limit`` characters."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class SandboxError(Exception):
    """Base class of every sandbox failure. ``str(err)`` is one line; ``params`` is the offending dict or
    None."""

    params: dict[str, Any] | None

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(_one_line(message))
        self.message = _one_line(message)
        self.params = params


class RewardCompileError(SandboxError):
    """The source violates the policy or does not parse.

    :param message: one-line summary (first violation and the count).
    :param violations: every violation found, in source order.
    """

    def __init__(self, message: str, violations: Sequence[Violation] = ()) -> None:
        super().__init__(message)
        self.violations: list[Violation] = list(violations)


class ForbiddenImport(RewardCompileError):  # noqa: N818 - public API name
    """An ``import`` names a module (or a name from a module) outside the exact allowlist."""


class RewardRuntimeError(SandboxError):
    """User code raised an exception (including ``SystemExit``/``KeyboardInterrupt``) or could not be loaded.

    :param message: ``file:line: ExcType: text`` for the innermost user frame.
    :param params: the params dict of the failing call, or None for module-level code.
    :param traceback_text: traceback restricted to user frames, truncated.
    """

    def __init__(self, message: str, params: dict[str, Any] | None = None, traceback_text: str = "") -> None:
        super().__init__(message, params)
        self.traceback_text = traceback_text


class RewardTimeout(SandboxError):  # noqa: N818 - public API name
    """A call (or a whole ``run_in_worker``) exceeded its wall-clock limit; the worker was SIGKILLed."""

    def __init__(self, message: str, params: dict[str, Any] | None = None, limit_s: float = 0.0) -> None:
        super().__init__(message, params)
        self.limit_s = limit_s


class RewardMemoryError(SandboxError):
    """User code exhausted the worker's address-space limit (``MemoryError``)."""


class BadRewardValue(SandboxError):  # noqa: N818 - public API name
    """The reward is not a finite number within [-1e5, 1e5] (checked in the worker after ``float()``).

    :param value_repr: ``repr()`` of the returned value, truncated.
    """

    def __init__(self, message: str, value_repr: str = "", params: dict[str, Any] | None = None) -> None:
        super().__init__(message, params)
        self.value_repr = value_repr


class WorkerCrashed(SandboxError):  # noqa: N818 - public API name
    """The worker process died unexpectedly (signal or exit); a fresh one is started on the next call.

    :param returncode: the worker's exit status as reported by ``subprocess`` (negative = signal number).
    """

    def __init__(
        self, message: str, params: dict[str, Any] | None = None, returncode: int | None = None
    ) -> None:
        super().__init__(message, params)
        self.returncode = returncode


class BadWorkerReply(WorkerCrashed):
    """The worker sent a reply the parent refuses (only a compromised or broken worker does): over the size cap,
    not plain data, nested too deep, half-sent then silent, a reward that is not a finite number within
    [-1e5, 1e5], or a reply of the wrong shape. The parent killed the worker; the next call starts a fresh one.
    """
