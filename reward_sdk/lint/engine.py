"""Run every rule family on a file and return its findings (the one entry point behind ``reward lint``).

Order: parse (RW001) → contract (RW0xx), params usage (RW1xx), sandbox policy (RW2xx) → runtime (RW3xx, only
when the file compiles under the sandbox policy and defines a callable ``reward_function(params)``) → incentive
audit (RW4xx, only when the runtime found no crash). One root cause gives one finding: a runtime failure on a
line that already has a static finding is dropped, and so is RW303 when RW004/RW005 explain it. Then
``--select``/``--ignore`` and ``# noqa`` apply.

The dynamic part starts by importing the module in the sandbox: a failure there is RW010 (nothing else runs).
RW011 says the official AWS validator would reject the file when no other finding explains why: its cheap static
steps (flake8 when installed, allowlist, forbidden calls and substrings) run on every lint, its five fixed calls
whenever the runtime or the audit starts a sandbox (before anything else, in the same worker, which is then
restarted so the runtime starts from a fresh module). With ``aws=True`` the exact verdict (fresh sandbox, the
validator's 5 s limit) is added instead and decides RW011.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass, field
from typing import Any

from reward_sdk.lint.audit import AuditRow
from reward_sdk.lint.aws import AwsVerdict
from reward_sdk.lint.config import LintConfig, is_suppressed
from reward_sdk.lint.registry import Finding

__all__ = ["FileReport", "lint_source"]

_BLOCKING = ("RW001", "RW002", "RW003", "RW2")
_CRASH = ("RW301", "RW302", "RW303", "RW304", "RW305", "RW306")  # the audit is meaningless after these


@dataclass
class FileReport:
    """Everything ``reward lint`` found for one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    aws: AwsVerdict | None = None
    aws_misses: list[Finding] = field(default_factory=list)
    audit: list[AuditRow] = field(default_factory=list)
    seconds: float = 0.0
    tracks: list[str] = field(default_factory=list)
    audit_tracks: list[str] = field(default_factory=list)


@dataclass
class _Dynamic:
    """What the sandboxed part found: raw findings, audit rows, the shared-sandbox AWS verdict (None = not run or
    cannot tell) and the tracks actually used."""

    findings: list[tuple[Any, ...]] = field(default_factory=list)
    audit: list[AuditRow] = field(default_factory=list)
    aws: AwsVerdict | None = None
    tracks: list[str] = field(default_factory=list)
    audit_tracks: list[str] = field(default_factory=list)


def lint_source(
    source: str,
    path: str,
    config: LintConfig,
    active: frozenset[str],
    *,
    aws: bool = False,
    hang_s: float = 5.0,
) -> FileReport:
    """Lint ``source`` (shown as ``path``) with ``config``; only codes in ``active`` are reported."""
    from reward_sdk.lint.aws import aws_static_verdict
    from reward_sdk.lint.contract import AWS_CODE, aws_rejection, check_contract, parse_source
    from reward_sdk.lint.names import check_names
    from reward_sdk.lint.params_usage import check_params_usage
    from reward_sdk.lint.policy import check_policy

    begin = time.perf_counter()
    report = FileReport(path)
    tree, syntax = parse_source(source, path)
    raw: list[tuple[Any, ...]] = [syntax] if syntax else []
    if tree is not None:
        raw += check_contract(tree) + check_params_usage(tree) + check_policy(source, path)
        raw += check_names(tree, path)
    static_lines = {item[0] for item in raw}
    blocked = any(item[2].startswith(_BLOCKING) for item in raw)
    want_aws = AWS_CODE in active and not aws
    static_aws = aws_static_verdict(source, approximate=False) if want_aws else None
    dynamic = _Dynamic()
    if tree is not None and not blocked:
        dynamic = _run_dynamic(source, path, tree, config, active, aws_calls=want_aws and static_aws is None)
    report.audit, report.tracks, report.audit_tracks = dynamic.audit, dynamic.tracks, dynamic.audit_tracks
    explained = any(item[2] in ("RW004", "RW005") for item in raw)
    for item in dynamic.findings:
        if item[2].startswith(("RW3", "RW010")) and item[0] in static_lines and item[2] != "RW306":
            continue
        if item[2] == "RW303" and explained:
            continue
        raw.append(item)
    lines = source.splitlines()
    for item in sorted(raw, key=lambda r: (r[0], r[1], r[2])):
        line, col, code, message = item[:4]
        extra = item[4] if len(item) > 4 else {}
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if code in active and not is_suppressed(text, code):
            report.findings.append(Finding(path, line, col, code, message, extra))
    if aws:
        from reward_sdk.lint.aws_run import aws_verdict

        report.aws = aws_verdict(source, path, tree, hang_s, _route_path(config.tracks))
        if report.aws.passed:
            report.aws_misses = list(report.findings)
    rejection = aws_rejection(report.aws if aws else static_aws or dynamic.aws, report.findings)
    if rejection is not None and AWS_CODE in active:
        line, col, code, message = rejection
        if not is_suppressed(lines[line - 1] if 0 < line <= len(lines) else "", code):
            report.findings.append(Finding(path, line, col, code, message))
            report.findings.sort()
    report.seconds = time.perf_counter() - begin
    return report


def _tracks(names: list[str], both_directions: bool) -> list[Any]:
    from reward_sdk.tracks import resolve_track

    found = [resolve_track(name) for name in names]
    return found + [track.reversed() for track in found] if both_directions else found


_CONSTANT_VALUES = (ast.Constant, ast.UnaryOp, ast.BinOp, ast.Tuple, ast.Name, ast.Attribute)


def _stateless(tree: ast.Module) -> bool:
    """True when calls cannot leave state behind in the module: no ``global``/``nonlocal`` anywhere, and the
    module level only imports, defines functions and binds constants (literals, arithmetic on them, tuples,
    other names). Then the AWS calls need no fresh worker before the runtime checks."""
    if any(isinstance(node, ast.Global | ast.Nonlocal) for node in ast.walk(tree)):
        return False
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if value is None or not all(
            isinstance(part, (*_CONSTANT_VALUES, ast.operator, ast.unaryop, ast.expr_context))
            for part in ast.walk(value)
        ):
            return False
    return True


def _route_path(names: list[str]) -> str | None:
    """The first ``.npy`` route file among the runtime tracks: the AWS dicts are built from it (else club)."""
    return names[0] if names and str(names[0]).endswith(".npy") else None


def _run_dynamic(
    source: str, path: str, tree: Any, config: LintConfig, active: frozenset[str], *, aws_calls: bool
) -> _Dynamic:
    runtime = config.runtime and any(code.startswith("RW3") for code in active)
    audit = config.audit and any(code.startswith("RW4") for code in active)
    if not (runtime or audit):
        return _Dynamic()
    from reward_sdk.lint.audit import AUDIT_PROBE, audit_findings, run_audit
    from reward_sdk.lint.aws_run import aws_route, runtime_verdict
    from reward_sdk.lint.contract import find_reward_function, import_failure
    from reward_sdk.lint.runtime import PROBE, RuntimeOptions, check_runtime
    from sandbox import RewardCompileError, RewardSandbox, SandboxError, SandboxLimits

    preload = [PROBE] + ([AUDIT_PROBE] if audit else [])
    limits = SandboxLimits(timeout_s=1.0)
    try:
        sandbox = RewardSandbox(source, path, limits, preload=preload)
    except RewardCompileError:
        return _Dynamic()
    result = _Dynamic()
    try:
        sandbox.start()
    except SandboxError as exc:
        sandbox.close()
        result.findings.append(import_failure(exc, path, limits.load_timeout_s))
        return result
    result.tracks = list(config.tracks) if runtime else []
    result.audit_tracks = list(config.audit_tracks) if audit else []
    out = result.findings
    rows: list[AuditRow] = []
    with sandbox:
        if aws_calls:
            route = aws_route(_route_path(config.tracks))
            result.aws = runtime_verdict(sandbox, source, path, tree, limits.timeout_s, route, shared=True)
            if not _stateless(tree):
                sandbox.close()  # the runtime checks start from a freshly imported module (started on demand)
        if runtime:
            options = RuntimeOptions(
                states=config.states,
                tracks=_tracks(config.tracks, True),
                call_budget_ms=config.call_budget_ms,
            )
            out += check_runtime(sandbox, tree, options)
        if audit and not any(item[2] in _CRASH for item in out):
            fn = find_reward_function(tree)
            try:
                rows = run_audit(sandbox, _tracks(config.audit_tracks, False))
            except SandboxError as exc:
                out.append(
                    (fn.lineno if fn else 1, 1, "RW301", f"fails while driving the audit laps: {exc.message}")
                )
                return result
            out += audit_findings(rows, fn.lineno if fn else 1)
    result.audit = rows
    return result
