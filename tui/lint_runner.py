"""The editor's lint: the library call behind ``reward lint`` (:func:`reward_sdk.lint.engine.lint_source`),
run in two depths.

* :func:`static_lint` — RW0/RW1/RW2 (and the static steps of RW011): parses the text, never starts a sandbox;
  tens of milliseconds, run on every pause in typing.
* :func:`full_lint` — everything ``reward lint FILE`` reports, runtime property tests (RW3) and the incentive
  audit (RW4) included; the user code runs only in the sandbox worker the engine starts. A few seconds; run
  when the file is saved.

Both read ``[tool.reward-lint]`` of the nearest ``pyproject.toml`` like the CLI does, and never raise for bad
user input: a configuration problem comes back as :attr:`LintResult.error`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from reward_sdk.lint.registry import Finding

__all__ = ["RUNTIME_PREFIXES", "LintResult", "full_lint", "is_runtime_code", "static_lint"]

RUNTIME_PREFIXES = ("RW3", "RW4", "RW010", "RW011")
"""Codes that only the full lint (on save) can report; static results keep the last ones of these."""


def is_runtime_code(code: str) -> bool:
    """True for codes found by running the function (RW3xx, RW4xx, RW010) or its AWS verdict (RW011)."""
    return code.startswith(RUNTIME_PREFIXES)


@dataclass(frozen=True)
class LintResult:
    """Findings of one lint of the editor text.

    :param findings: sorted by line, column, code (``Finding.line`` is 1-based).
    :param full: True when the runtime rules and the audit ran (the lint on save).
    :param seconds: wall time of the lint.
    :param error: one-line reason when the lint could not run (bad ``pyproject.toml``...); findings are then empty.
    """

    findings: tuple[Finding, ...] = field(default_factory=tuple)
    full: bool = False
    seconds: float = 0.0
    error: str | None = None


def _lint(source: str, path: str, *, full: bool) -> LintResult:
    from reward_sdk.errors import UserError
    from reward_sdk.lint.config import load_config
    from reward_sdk.lint.engine import lint_source
    from reward_sdk.lint.registry import select_rules

    begin = time.perf_counter()
    try:
        config = load_config(Path(path))
        config.runtime = config.runtime and full
        config.audit = config.audit and full
        active = select_rules(config.select, config.ignore)
        report = lint_source(source, path, config, active)
    except UserError as exc:
        return LintResult(full=full, seconds=time.perf_counter() - begin, error=str(exc).splitlines()[0])
    findings = tuple(sorted(report.findings, key=lambda f: (f.line, f.col, f.code)))
    return LintResult(findings, full, time.perf_counter() - begin)


def static_lint(source: str, path: str) -> LintResult:
    """Static rules only on ``source`` (shown as ``path``): no sandbox, no runtime, no audit."""
    return _lint(source, path, full=False)


def full_lint(source: str, path: str) -> LintResult:
    """Every rule ``reward lint`` runs by default on ``source``: static, runtime (sandboxed) and the audit."""
    return _lint(source, path, full=True)
