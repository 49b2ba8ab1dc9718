"""RW2xx — the sandbox policy, reported statically with positions.

The checks are exactly the sandbox's (:func:`sandbox.policy.check_source`); this module only maps its violation
kinds to rule codes, so ``reward lint`` can never disagree with what ``RewardSandbox`` refuses.
"""

from __future__ import annotations

from reward_sdk.lint.contract import RawFinding
from sandbox.policy import check_source

__all__ = ["KIND_TO_CODE", "check_policy"]

#: sandbox Violation.kind -> rule code (``syntax`` is RW001, reported by the contract checks).
KIND_TO_CODE = {
    "import": "RW201",
    "forbidden-name": "RW202",
    "dunder": "RW203",
    "io": "RW204",
    "native": "RW205",
    "restricted": "RW206",
}


def check_policy(source: str, filename: str) -> list[RawFinding]:
    """RW201–RW206 findings: every sandbox-policy violation of ``source`` (none when it does not parse)."""
    out: list[RawFinding] = []
    for violation in check_source(source, filename):
        code = KIND_TO_CODE.get(violation.kind)
        if code is not None:
            out.append((max(violation.line, 1), max(violation.col, 1), code, violation.message))
    return out
