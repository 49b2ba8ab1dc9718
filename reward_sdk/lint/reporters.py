"""Output formats of ``reward lint``: ``text`` (ruff-like), ``json``, ``sarif`` (2.1.0) and ``github``.

JSON schema (``schema = "reward-lint"``, ``version = 1``)::

    {"schema": "reward-lint", "version": 1,
     "summary": {"files": int, "findings": int, "by_code": {"RW101": int, ...}},
     "files": [{"path": str, "seconds": float,
                "findings": [{"code": str, "name": str, "line": int, "col": int, "message": str, "extra": {...}}],
                "aws": null | {"passed": bool, "message": str, "stage": str, "hang": bool, "note": str,
                               "line": int (0 = none), "code": str (flake8 code or ""),
                               "response": null | [the validator's JSON list, its exact shapes],
                               "misses": [finding codes the official validator would let through]},
                "tracks": [runtime tracks used], "audit_tracks": [audit tracks used],
                "audit": [{"behaviour": str, "speed": float, "per_lap": float|null, "per_second": float, ...}]}]}

Text: findings, the AWS verdict lines, the audit table, one ``tracks:`` line naming the tracks the runtime and
the audit used (when they ran), then the summary line.
SARIF: one run, ``tool.driver`` = ``reward-lint`` with every rule (id, name, short/full description, help), one
result per finding; ``runs[0].properties`` carries ``{"schema": "reward-lint", "version": 1}`` and the AWS verdicts.
GitHub: ``::error file=...,line=...,col=...,title=RW101 name::message`` workflow commands.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from reward_sdk.lint.audit import format_table
from reward_sdk.lint.engine import FileReport
from reward_sdk.lint.registry import RULES

__all__ = ["FORMATS", "render"]

SCHEMA, VERSION = "reward-lint", 1
FORMATS = ("text", "json", "sarif", "github")


def render(reports: list[FileReport], fmt: str, *, show_audit: bool = True) -> str:
    """The whole output for ``reports`` in format ``fmt``."""
    return {"text": _text, "json": _json, "sarif": _sarif, "github": _github}[fmt](reports, show_audit)


def _text(reports: list[FileReport], show_audit: bool) -> str:
    out: list[str] = []
    for report in reports:
        out += [finding.format() for finding in report.findings]
    for report in reports:
        if report.aws is not None:
            out.append(f"{report.path}: {report.aws.line()}" if len(reports) > 1 else report.aws.line())
            if report.aws.note:
                out.append(f"  note: {report.aws.note}")
            if report.aws_misses:
                codes = ", ".join(f"{f.code} (line {f.line})" for f in report.aws_misses)
                out.append(
                    f"  the official validator would miss {len(report.aws_misses)} finding(s): {codes}"
                )
        if show_audit and report.audit:
            out += [
                f"incentive audit of {report.path} (pooled over the audit tracks):",
                format_table(report.audit),
            ]
    out += _tracks_line(reports)
    total = sum(len(r.findings) for r in reports)
    if total:
        counts = Counter(f.code for r in reports for f in r.findings)
        detail = ", ".join(f"{code} ×{n}" for code, n in sorted(counts.items()))
        out.append(f"Found {total} finding(s) in {len(reports)} file(s): {detail}.")
    else:
        out.append(f"All checks passed ({len(reports)} file(s)).")
    return "\n".join(out)


def _tracks_line(reports: list[FileReport]) -> list[str]:
    """One line naming the tracks the runtime checks and the audit used (empty when neither ran)."""
    runtime = next((r.tracks for r in reports if r.tracks), [])
    audit = next((r.audit_tracks for r in reports if r.audit_tracks), [])
    parts = [f"runtime on {', '.join(runtime)} (both directions)"] if runtime else []
    parts += [f"audit on {', '.join(audit)}"] if audit else []
    return [f"tracks: {'; '.join(parts)}"] if parts else []


def _finding_json(finding: Any) -> dict[str, Any]:
    rule = RULES[finding.code]
    return {
        "code": finding.code,
        "name": rule.name,
        "line": finding.line,
        "col": finding.col,
        "message": finding.message,
        "extra": finding.extra,
    }


def _json(reports: list[FileReport], show_audit: bool) -> str:
    counts = Counter(f.code for r in reports for f in r.findings)
    files = []
    for report in reports:
        aws = None
        if report.aws is not None:
            aws = {
                "passed": report.aws.passed,
                "message": report.aws.message,
                "stage": report.aws.stage,
                "hang": report.aws.hang,
                "note": report.aws.note,
                "line": report.aws.lineno,
                "code": report.aws.code,
                "response": report.aws.response,
                "misses": [f.code for f in report.aws_misses],
            }
        files.append(
            {
                "path": report.path,
                "seconds": round(report.seconds, 3),
                "findings": [_finding_json(f) for f in report.findings],
                "aws": aws,
                "audit": [row.to_json() for row in report.audit],
                "tracks": report.tracks,
                "audit_tracks": report.audit_tracks,
            }
        )
    doc = {
        "schema": SCHEMA,
        "version": VERSION,
        "summary": {
            "files": len(reports),
            "findings": sum(counts.values()),
            "by_code": dict(sorted(counts.items())),
        },
        "files": files,
    }
    return json.dumps(doc, indent=2, default=str)


def _sarif(reports: list[FileReport], show_audit: bool) -> str:
    rules = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.what},
            "help": {"text": f"{r.why} Fix: {r.fix}"},
            "properties": {"family": r.family, "default": r.default},
        }
        for r in RULES.values()
    ]
    index = {code: i for i, code in enumerate(RULES)}
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path},
                        "region": {"startLine": f.line, "startColumn": f.col},
                    }
                }
            ],
        }
        for report in reports
        for f in report.findings
    ]
    verdicts = {r.path: r.aws.line() for r in reports if r.aws is not None}
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "reward-lint", "rules": rules}},
                "results": results,
                "properties": {"schema": SCHEMA, "version": VERSION, "aws": verdicts},
            }
        ],
    }
    return json.dumps(doc, indent=2)


def _github(reports: list[FileReport], show_audit: bool) -> str:
    out = []
    for report in reports:
        for f in report.findings:
            message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            out.append(
                f"::error file={f.path},line={f.line},col={f.col},title={f.code} {RULES[f.code].name}::{message}"
            )
        if report.aws is not None:
            out.append(f"::notice file={report.path}::{report.aws.line()}")
    return "\n".join(out)
