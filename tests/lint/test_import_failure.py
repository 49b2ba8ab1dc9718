"""A module that fails when imported is a finding (RW010, with its line, exit 1) in every output format — never
``error:`` with exit 2 — and ``--aws`` reports the validator's failed validation for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import run_cli

FAILING = {
    "zero_division": (
        "import math\nBASE = math.pi / 0\n\n\ndef reward_function(params):\n    return BASE\n",
        2,
    ),
    "import_error": ("import math\nBASE = math.nope\n\n\ndef reward_function(params):\n    return 1.0\n", 2),
    "raise_at_import": (
        "import math\n\nif math.pi > 3:\n    raise RuntimeError('bad config')\n\n\n"
        "def reward_function(params):\n    return 1.0\n",
        4,
    ),
}
FAST = ("--states", "40", "--no-audit")


def _write(folder: Path, text: str) -> str:
    path = folder / "reward.py"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("name", sorted(FAILING))
def test_text_format_reports_rw010_with_line_and_exit_1(tmp_path: Path, name: str) -> None:
    source, line = FAILING[name]
    path = _write(tmp_path, source)
    code, out, err = run_cli("lint", path, *FAST)
    assert code == 1, (out, err)
    assert not err.startswith("error:")
    assert any(
        row.startswith(f"{path}:{line}:1 RW010 the module fails when imported: ") for row in out.splitlines()
    )


def test_json_sarif_and_github_formats(tmp_path: Path) -> None:
    path = _write(tmp_path, FAILING["zero_division"][0])
    code, out, _ = run_cli("lint", path, *FAST, "--format", "json")
    finding = json.loads(out)["files"][0]["findings"][0]
    assert code == 1 and (finding["code"], finding["line"], finding["name"]) == ("RW010", 2, "import-fails")
    assert "ZeroDivisionError" in finding["message"]
    code, out, _ = run_cli("lint", path, *FAST, "--format", "sarif")
    result = json.loads(out)["runs"][0]["results"][0]
    assert code == 1 and result["ruleId"] == "RW010"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    code, out, _ = run_cli("lint", path, *FAST, "--format", "github")
    assert code == 1 and out.startswith(f"::error file={path},line=2,col=1,title=RW010 import-fails::")


def test_module_level_hang_is_a_finding(tmp_path: Path) -> None:
    source = "while True:\n    pass\n\n\ndef reward_function(params):\n    return 1.0\n"
    code, out, _ = run_cli("lint", _write(tmp_path, source), *FAST)
    assert code == 1 and "RW010 module-level code does not finish within" in out


def test_aws_reports_the_failed_import(tmp_path: Path) -> None:
    path = _write(tmp_path, FAILING["import_error"][0])
    code, out, _ = run_cli("lint", path, *FAST, "--aws", "--format", "json")
    aws = json.loads(out)["files"][0]["aws"]
    assert code == 1 and not aws["passed"] and aws["stage"] == "import"
    assert aws["response"] == [
        {
            "type": "TEST_FAILURE",
            "message": "module 'math' has no attribute 'nope'",
            "line": "BASE = math.nope",
            "lineNumber": 2,
        }
    ]


def test_missing_function_is_a_failed_validation_not_a_usage_error(tmp_path: Path) -> None:
    code, out, err = run_cli("lint", _write(tmp_path, "X = 1.0\n"), "--aws", "--no-runtime", "--no-audit")
    assert code == 1 and err == ""
    assert (
        "aws-verdict: fail: module 'reward_function' has no attribute 'reward_function'" in out.splitlines()
    )
