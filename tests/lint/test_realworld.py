"""Real-world reward styles: each file under ``realworld/`` yields exactly the findings its header names.

Header: ``# expect: clean`` or ``# expect: RW007 line 10, RW404 line 4`` (code and line of every finding). The
files cover the false positives and misses found by linting racers' public reward functions: real shapely
submodules, module-level caches and class state (one fresh module per track), every undefined name at once,
heading/angle mistakes, exact float comparisons, and the incentive audit at equal speeds.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from reward_sdk.lint.audit import AuditRow, audit_findings
from reward_sdk.lint.config import LintConfig
from reward_sdk.lint.engine import lint_source
from reward_sdk.lint.names import check_names
from reward_sdk.lint.params_usage import check_params_usage
from reward_sdk.lint.policy import check_policy
from reward_sdk.lint.registry import explain, select_rules
from sandbox.modules import ALLOWED_MODULES
from sandbox.policy import check_source

REALWORLD = sorted((Path(__file__).parent / "realworld").glob("*.py"))
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)
ITEM = re.compile(r"(RW\d{3}) line (\d+)")


def expected(source: str) -> list[tuple[str, int]]:
    header = EXPECT.search(source)
    assert header is not None, "no '# expect:' header"
    if header.group(1).strip() == "clean":
        return []
    return sorted((code, int(line)) for code, line in ITEM.findall(header.group(1)))


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.stem)
def test_realworld_file_yields_exactly_its_expected_findings(path: Path) -> None:
    source = path.read_text()
    config = LintConfig(states=240, tracks=["oval", "club"], audit_tracks=["oval", "club"])
    report = lint_source(source, str(path), config, select_rules(None))
    found = sorted((f.code, f.line) for f in report.findings)
    assert found == expected(source), [f.format() for f in report.findings]


def test_realworld_covers_every_class_of_mistake() -> None:
    codes = {code for path in REALWORLD for code, _ in expected(path.read_text())}
    assert {"RW007", "RW110", "RW404", "RW406"} <= codes
    assert len([p for p in REALWORLD if not expected(p.read_text())]) >= 4  # false-positive guards


# -- RW2: lint agrees with the sandbox, module by module ------------------------------------------------------------
@pytest.mark.parametrize("module", sorted(ALLOWED_MODULES))
def test_every_sandbox_module_passes_rw2(module: str) -> None:
    names = ALLOWED_MODULES[module]
    source = f"import {module}\n"
    if names:
        source += f"from {module} import {sorted(names)[0]}\n"
    source += "\n\ndef reward_function(params):\n    return 1.0\n"
    assert check_policy(source, "r.py") == []
    assert check_source(source) == []


def test_rw2_refuses_what_the_sandbox_refuses() -> None:
    source = "import os\nfrom shapely.geometry.base import geom_factory\n\ndef reward_function(params):\n    return 1.0\n"
    sandbox_lines = sorted(v.line for v in check_source(source) if v.kind == "import")
    assert (
        sorted(line for line, _, code, _ in check_policy(source, "r.py") if code == "RW201") == sandbox_lines
    )
    assert sandbox_lines == [1, 2]


def test_rw201_page_lists_the_sandbox_allowlist() -> None:
    page = explain("RW201")
    assert all(module in page for module in ALLOWED_MODULES)


# -- RW007: pyflakes, every undefined name at once ------------------------------------------------------------------
def test_every_undefined_name_is_reported_with_its_position() -> None:
    source = "def reward_function(params):\n    a = params['speed']\n    return float(b + c * a + spede)\n"
    found = check_names(ast.parse(source))
    assert [(line, col) for line, col, _, _ in found] == [(3, 18), (3, 22), (3, 30)]
    assert {code for _, _, code, _ in found} == {"RW007"}
    assert "did you mean" not in found[0][3]
    assert "undefined name 'spede'" in found[2][3]


def test_undefined_name_suggests_a_close_defined_name() -> None:
    source = "def reward_function(params):\n    heading = params['heading']\n    return float(headin)\n"
    (finding,) = check_names(ast.parse(source))
    assert finding[3].endswith("did you mean 'heading'?")


def test_names_defined_later_at_module_level_or_as_builtins_are_fine() -> None:
    source = (
        "import math\n\ndef reward_function(params):\n    return float(helper(params) + abs(-1) + LIMIT)\n\n"
        "def helper(p):\n    return math.pi\n\nLIMIT = 2.0\n"
    )
    assert check_names(ast.parse(source)) == []


# -- RW107-RW110: angles and float equality (static) ----------------------------------------------------------------
HEADER = (
    "import math\n\ndef reward_function(params):\n    wp = params['waypoints']\n"
    "    a, b = params['closest_waypoints']\n"
    "    rad = math.atan2(wp[b][1] - wp[a][1], wp[b][0] - wp[a][0])\n    deg = math.degrees(rad)\n"
)


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ("    return float(abs(deg - params['heading']) < 10)\n", ["RW107"]),
        ("    d = abs(deg - params['heading'])\n    return 1.0 if d < 10 else 0.1\n", ["RW107"]),
        (
            "    d = abs(deg - params['heading'])\n    if d > 180:\n        d = 360 - d\n    return float(d)\n",
            [],
        ),
        ("    d = abs(deg - params['heading'])\n    d = min(d, 360 - d)\n    return float(d)\n", []),
        ("    d = (deg - params['heading'] + 180) % 360 - 180\n    return float(abs(d))\n", []),
        ("    d = abs(rad - math.radians(params['heading']))\n    return float(d < 0.2)\n", ["RW107"]),
        (
            "    d = abs(rad - math.radians(params['heading']))\n    d = min(d, 2 * math.pi - d)\n    return d\n",
            [],
        ),
        ("    return float(math.cos(math.radians(deg - params['heading'])))\n", []),
        ("    return float(abs(rad - params['heading']) < 10)\n", ["RW108"]),
        ("    return 1.0 if rad > 90 else 0.5\n", ["RW108"]),
        ("    return 1.0 if abs(rad) > 1.2 else 0.5\n", []),
        ("    return 1.0 if params['steering_angle'] < -rad else 0.5\n", ["RW108"]),
        ("    return float(math.cos(math.radians(rad)))\n", ["RW109"]),
        ("    return float((rad + 360) % 360)\n", ["RW109"]),
        ("    return float((deg + 360) % 360)\n", []),
        ("    s = abs(params['steering_angle'] - 10.0)\n    return float(s)\n", []),
        ("    x = rad * 180 / math.pi\n    return float(abs(x - params['heading']) > 180)\n", []),
        ("    return 1.0 if params['distance_from_center'] == 0 else 0.5\n", ["RW110"]),
        ("    return 1.0 if params['heading'] != 90.0 else 0.5\n", ["RW110"]),
        ("    return 1.0 if params['progress'] == 50 else 0.5\n", ["RW110"]),
        ("    return 1.0 if params['progress'] == 100 else 0.5\n", []),
        ("    return 1.0 if params['speed'] == 1.5 or params['steering_angle'] == -30 else 0.5\n", []),
        ("    return 1.0 if params['steps'] == 2 else 0.5\n", []),
    ],
)
def test_angle_and_equality_rules(body: str, codes: list[str]) -> None:
    tree = ast.parse(HEADER + body)
    found = [
        code for _, _, code, _ in check_params_usage(tree) if code in {"RW107", "RW108", "RW109", "RW110"}
    ]
    assert found == codes


def test_one_unit_mistake_gives_one_finding() -> None:
    body = "    d = abs(rad - params['heading'])\n    if d > 180:\n        d = 360 - d\n    return 1.0 if d < 10 else 0.1\n"
    found = [
        code for _, _, code, _ in check_params_usage(ast.parse(HEADER + body)) if code.startswith("RW10")
    ]
    assert found == ["RW108"]


@pytest.mark.parametrize("code", ["RW007", "RW107", "RW108", "RW109", "RW110", "RW406"])
def test_new_rules_have_explain_pages(code: str) -> None:
    page = explain(code)
    assert page.startswith(code) and "Why it matters" in page and "Fix" in page


# -- RW404/RW406: the audit's comparisons (pooled rows, no simulator) -----------------------------------------------
def _row(name: str, speed: float, on: float, off: float | None = None, steps: int = 100) -> AuditRow:
    off_steps = 4 if off is not None else 0
    return AuditRow(
        name,
        speed,
        2,
        2 if off is None else 0,
        steps + off_steps,
        on * steps + (off or 0.0) * off_steps,
        200.0,
        "lap_complete" if off is None else "off_track",
        off_steps,
        (off or 0.0) * off_steps,
        steps,
        on * steps,
    )


def test_off_track_is_compared_with_the_centre_line_at_the_same_speed() -> None:
    # reward = speed, plus 0.3 on the road: off the road at 2 m/s (2.0) beats the centre at 1 m/s (1.3), but at
    # the same speed leaving the track always costs 0.3
    rows = [_row("centre", 1.0, 1.3), _row("centre", 2.0, 2.3), _row("off-track", 1.0, 1.3, 1.0)]
    rows.append(_row("off-track", 2.0, 2.3, 2.0))
    assert [item[2] for item in audit_findings(rows, 1)] == []
    # the track is ignored, the reward falls with speed: off the road at 2 m/s (0.5) looks worse than the centre
    # at 1 m/s (1.0), yet at each speed it earns exactly as much as staying on the road
    rows = [_row("centre", 1.0, 1.0), _row("centre", 2.0, 0.5), _row("off-track", 1.0, 1.0, 1.0)]
    rows.append(_row("off-track", 2.0, 0.5, 0.5))
    assert [item[2] for item in audit_findings(rows, 1)] == ["RW404"]


@pytest.mark.parametrize(
    ("on", "flagged"), [(-0.4, True), (0.0, True), (0.005, True), (0.02, False), (1.0, False)]
)
def test_centre_line_earning_nothing_is_flagged(on: float, flagged: bool) -> None:
    rows = [_row("centre", 1.0, on), _row("centre", 2.0, on), _row("crawling", 0.3, on + 0.1)]
    codes = [item[2] for item in audit_findings(rows, 7)]
    # when the best driving earns nothing, that is the one finding (crawling "earning more" is noise then)
    assert codes == ["RW406"] if flagged else "RW406" not in codes and "RW402" in codes
