"""Fixtures of the lint tests: one full lint of every example per session, and an in-process CLI runner."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from reward_sdk.lint.config import LintConfig
from reward_sdk.lint.engine import FileReport, lint_source
from reward_sdk.lint.registry import select_rules

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.py"))
CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.py"))


@pytest.fixture(scope="session")
def example_reports() -> dict[str, FileReport]:
    """Full lint (default states, runtime, audit, --aws) of every example, run once."""
    active = select_rules(None)
    return {
        path.name: lint_source(path.read_text(), str(path), LintConfig(), active, aws=True)
        for path in EXAMPLES
    }


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``reward`` in process; return (exit code, stdout, stderr)."""
    from reward_sdk.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()
