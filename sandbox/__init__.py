"""Sandbox for untrusted ``reward_function(params)`` code: RestrictedPython policy, module allowlist with
read-only proxies, isolated worker processes with resource limits, batched calls, typed errors.

Generic: knows nothing about racing. Public API::

    from sandbox import RewardSandbox, SandboxLimits, check_source
    with RewardSandbox(source) as sb:
        sb.set_constants({"waypoints": [...]})
        sb.score(params); sb.score_many(columns); sb.run_in_worker("pkg.mod:func", ...)
"""

from sandbox.errors import (
    BadRewardValue,
    BadWorkerReply,
    ForbiddenImport,
    RewardCompileError,
    RewardMemoryError,
    RewardRuntimeError,
    RewardTimeout,
    SandboxError,
    WorkerCrashed,
)
from sandbox.limits import SandboxLimits

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sandbox.policy import Violation, check_source
    from sandbox.runner import RewardSandbox

# The runner (numpy) and the policy (RestrictedPython) load on first use, so importing the error types stays
# cheap for callers that only need them (the CLI's error handler).
_LAZY = {"RewardSandbox": "sandbox.runner", "Violation": "sandbox.policy", "check_source": "sandbox.policy"}


def __getattr__(name: str) -> object:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


__all__ = [
    "BadRewardValue",
    "BadWorkerReply",
    "ForbiddenImport",
    "RewardCompileError",
    "RewardMemoryError",
    "RewardRuntimeError",
    "RewardSandbox",
    "RewardTimeout",
    "SandboxError",
    "SandboxLimits",
    "Violation",
    "WorkerCrashed",
    "check_source",
]
