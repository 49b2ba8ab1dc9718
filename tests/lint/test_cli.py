"""The ``reward lint`` command line: output, formats, exit codes, selection, noqa, config, explain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


E302 = "import math\n\ndef reward_function(params):\n    return float(math.pi)\n"
LAZY_SUM = (
    "import numpy as np\n\n\n"
    "def reward_function(params):\n"
    "    return float(np.array([params['distance_from_center'], 1.0]).sum())\n"
)


def test_default_lint_says_when_aws_would_reject_a_style_error(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    code, out, _ = run_cli("lint", _write(tmp_path, E302), "--no-runtime", "--no-audit")
    assert code == 1
    assert (
        f"{tmp_path}/reward.py:3:1 RW011 AWS would reject: E302 line 3: expected 2 blank lines, found 1"
        in out
    )
    assert run_cli("lint", _write(tmp_path, E302), "--no-runtime", "--no-audit", "--ignore", "RW011")[0] == 0


def test_default_lint_reuses_the_runtime_for_the_aws_first_call(tmp_path: Path) -> None:
    code, out, _ = run_cli("lint", _write(tmp_path, LAZY_SUM), "--states", "40", "--no-audit")
    assert code == 1, out
    rows = [row for row in out.splitlines() if row.startswith(str(tmp_path))]
    assert len(rows) == 1 and "RW011 AWS would reject at its first call (line 5)" in rows[0]
    assert "module: numpy._core._methods" in rows[0]
    assert (
        run_cli("lint", _write(tmp_path, LAZY_SUM), "--no-runtime", "--no-audit")[0] == 0
    )  # static: no call


def test_track_option_overrides_config_and_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reward-lint]\ntracks = ["club", "technical"]\n')
    path = _write(tmp_path, CLEAN)
    code, out, _ = run_cli("lint", path, "--states", "40", "--no-audit", "--track", "oval")
    assert code == 0 and "tracks: runtime on oval (both directions)" in out.splitlines()
    code, out, _ = run_cli("lint", path, "--states", "40", "--no-audit")
    assert "tracks: runtime on club, technical (both directions)" in out.splitlines()
    code, _, err = run_cli("lint", path, "--track", "nowhere")
    assert (
        code == 2 and err.startswith("error: unknown track 'nowhere'") and len(err.strip().splitlines()) == 1
    )


def test_track_option_accepts_a_real_route_file(tmp_path: Path, shared_data: Path) -> None:
    route = next(iter(sorted((shared_data / "tracks").glob("*.npy"))))
    code, out, _ = run_cli(
        "lint", _write(tmp_path, CLEAN), "--states", "40", "--no-audit", "--track", str(route)
    )
    assert code == 0 and f"tracks: runtime on {route} (both directions)" in out
