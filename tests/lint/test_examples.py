"""The shipped examples are clean under the full lint (runtime, audit) and pass the emulated AWS validator."""

from __future__ import annotations

from reward_sdk.lint.engine import FileReport

from .conftest import EXAMPLES


def test_every_example_is_clean(example_reports: dict[str, FileReport]) -> None:
    assert len(example_reports) == len(EXAMPLES) >= 5
    for name, report in example_reports.items():
        assert report.findings == [], (name, [f.format() for f in report.findings])
        assert report.aws is not None and report.aws.passed, (name, report.aws)


def test_zigzag_penalty_example_is_not_flagged_and_weaving_earns_less(
    example_reports: dict[str, FileReport],
) -> None:
    report = example_reports["penalize_zigzag.py"]
    rows = {(row.behaviour, row.speed): row for row in report.audit}
    assert rows[("weaving", 1.0)].per_second < rows[("centre", 1.0)].per_second
    assert not [f for f in report.findings if f.code.startswith("RW4")]


def test_audit_table_covers_every_behaviour(example_reports: dict[str, FileReport]) -> None:
    names = {row.behaviour for row in example_reports["follow_center_line.py"].audit}
    assert names == {"centre", "weaving", "border-left", "border-right", "crawling", "reverse", "off-track"}
