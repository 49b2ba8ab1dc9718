"""Every corpus file yields exactly the code and line named in its header (``# expect: RW101 line 4``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reward_sdk.lint.config import LintConfig
from reward_sdk.lint.engine import lint_source
from reward_sdk.lint.registry import RULES, select_rules

from .conftest import CORPUS

EXPECT = re.compile(r"# expect: (RW\d{3}) line (\d+)")
SELECT = re.compile(r"# select: (\S+)")


def test_corpus_has_one_file_per_rule() -> None:
    covered = {EXPECT.search(path.read_text()).group(1) for path in CORPUS}  # type: ignore[union-attr]
    assert len(CORPUS) >= 30
    assert covered == set(select_rules(["ALL"])) == set(RULES)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_file_yields_exactly_its_expected_finding(path: Path) -> None:
    source = path.read_text()
    expect = EXPECT.search(source)
    assert expect is not None, f"{path.name} has no '# expect:' header"
    select = SELECT.search(source)
    active = select_rules([select.group(1)] if select else None)
    config = LintConfig(states=120, tracks=["oval"], audit_tracks=["oval", "club"])
    report = lint_source(source, str(path), config, active)
    found = [(f.code, f.line) for f in report.findings]
    assert found == [(expect.group(1), int(expect.group(2)))], [f.format() for f in report.findings]
