"""The ``reward lint`` command line: output, formats, exit codes, selection, noqa, config, explain."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

TYPO = 'def reward_function(params):\n    return float(params["speeed"])\n'
CLEAN = (
    "def reward_function(params):\n"
    '    return float(1.0 - params["distance_from_center"] / params["track_width"])\n'
)


def _write(folder: Path, text: str, name: str = "reward.py") -> str:
    path = folder / name
    path.write_text(text)
    return str(path)


def test_text_output_is_ruff_like_with_summary_and_exit_1(tmp_path: Path) -> None:
    code, out, _ = run_cli("lint", _write(tmp_path, TYPO), "--no-runtime", "--no-audit")
    assert code == 1
    assert f"{tmp_path}/reward.py:2:18 RW101 unknown params key 'speeed'; did you mean 'speed'?" in out
    assert out.strip().endswith("Found 1 finding(s) in 1 file(s): RW101 ×1.")


def test_clean_file_exits_0(tmp_path: Path) -> None:
    code, out, _ = run_cli("lint", _write(tmp_path, CLEAN), "--states", "60", "--no-audit")
    assert code == 0 and "All checks passed" in out


def test_noqa_select_and_ignore(tmp_path: Path) -> None:
    noqa = TYPO.replace('"])\n', '"])  # noqa: RW101\n')
    assert run_cli("lint", _write(tmp_path, noqa), "--no-runtime", "--no-audit")[0] == 0
    assert run_cli("lint", _write(tmp_path, TYPO), "--no-runtime", "--no-audit", "--ignore", "RW1")[0] == 0
    assert run_cli("lint", _write(tmp_path, TYPO), "--no-runtime", "--select", "RW2")[0] == 0


def test_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    for args in (
        ("lint", str(tmp_path / "missing.py")),
        ("lint", _write(tmp_path, TYPO), "--select", "RW999"),
        ("lint", _write(tmp_path, TYPO), "--format", "xml"),
        ("lint", "--explain", "RW000"),
    ):
        code, _, err = run_cli(*args)
        assert code == 2, args
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err


def test_json_and_sarif_have_schema_and_version(tmp_path: Path) -> None:
    path = _write(tmp_path, TYPO)
    _, out, _ = run_cli("lint", path, "--no-runtime", "--no-audit", "--format", "json")
    doc = json.loads(out)
    assert (doc["schema"], doc["version"]) == ("reward-lint", 1)
    assert doc["files"][0]["findings"][0]["code"] == "RW101"
    _, out, _ = run_cli("lint", path, "--no-runtime", "--no-audit", "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["properties"]["version"] == 1
    assert sarif["runs"][0]["results"][0]["ruleId"] == "RW101"


def test_github_format(tmp_path: Path) -> None:
    _, out, _ = run_cli("lint", _write(tmp_path, TYPO), "--no-runtime", "--format", "github")
    assert out.startswith("::error file=") and "title=RW101 unknown-param-key::" in out


def test_aws_verdict_line_is_greppable(tmp_path: Path) -> None:
    _, out, _ = run_cli("lint", _write(tmp_path, TYPO), "--aws", "--no-runtime", "--no-audit")
    assert "aws-verdict: fail: Unsafe builtin function detected: \"'speeed'\"." in out.splitlines()


def test_pyproject_config_is_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reward-lint]\nignore = ["RW101"]\nruntime = false\n')
    sub = tmp_path / "src"
    sub.mkdir()
    assert run_cli("lint", _write(sub, TYPO), "--no-audit")[0] == 0
    (tmp_path / "pyproject.toml").write_text("[tool.reward-lint]\nstates = 'many'\n")
    code, _, err = run_cli("lint", _write(sub, TYPO))
    assert code == 2 and "states must be a int" in err


def test_explain_prints_the_rule_page() -> None:
    code, out, _ = run_cli("lint", "--explain", "RW101")
    assert code == 0
    for part in ("RW101 unknown-param-key", "What it checks", "Why it matters", "Example", "Fix"):
        assert part in out
