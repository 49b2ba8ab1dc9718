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
    ForbiddenImport,
    RewardCompileError,
    RewardMemoryError,
    RewardRuntimeError,
    RewardTimeout,
    SandboxError,
    WorkerCrashed,
)
from sandbox.limits import SandboxLimits
from sandbox.policy import Violation, check_source
from sandbox.runner import RewardSandbox

__all__ = [
    "BadRewardValue",
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
