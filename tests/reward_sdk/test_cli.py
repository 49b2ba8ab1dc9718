"""The ``reward`` command: params, tracks, and one-line errors with exit code 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reward_sdk.cli import main

REWARD = [sys.executable, "-m", "reward_sdk"]


def run_cli(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*REWARD, *args], capture_output=True, text=True, input=stdin, timeout=120)


def test_json_schema_pipes_into_json_tool() -> None:
    schema = run_cli(["params", "--json-schema"])
    assert schema.returncode == 0
    tool = subprocess.run(
        [sys.executable, "-m", "json.tool"], input=schema.stdout, capture_output=True, text=True
    )
    assert tool.returncode == 0
    assert len(json.loads(tool.stdout)["properties"]) == 27


def test_params_table_lists_every_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params"]) == 0
    output = capsys.readouterr().out
    for key in ("all_wheels_on_track", "closest_waypoints", "objects_distance_from_center", "sim_time"):
        assert key in output


def test_tracks_lists_builtins_and_real_tracks(tracks_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tracks", "--dir", str(tracks_dir), "--format", "json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    names = [row["name"] for row in listing["tracks"]]
    assert names[:3] == ["oval", "club", "technical"]
    assert "reinvent_base" in names and len(names) == 3 + len(list(tracks_dir.glob("*.npy")))
    reinvent = next(row for row in listing["tracks"] if row["name"] == "reinvent_base")
    assert reinvent["length_m"] == pytest.approx(17.709, abs=1e-3)


def test_tracks_reads_reward_tracks_dir(tracks_dir: Path) -> None:
    import os

    env = {**os.environ, "REWARD_TRACKS_DIR": str(tracks_dir)}
    result = subprocess.run([*REWARD, "tracks"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0 and "Spain" in result.stdout


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_bad_inputs_give_one_line_and_exit_code_2(tmp_path: Path, tracks_dir: Path) -> None:
    example = str(Path(__file__).resolve().parents[2] / "examples" / "follow_center_line.py")
    malformed = tmp_path / "malformed.npy"
    malformed.write_bytes(b"not numpy at all")
    nan_track = tmp_path / "nan_track.npy"
    rows = np.load(tracks_dir / "reinvent_base.npy")
    rows[3, 0] = np.nan
    np.save(nan_track, rows)
    few = tmp_path / "few.npy"
    np.save(few, rows[:2])
    assert_one_line_error(run_cli(["call", str(tmp_path / "missing.py")]), "no such file")
    assert_one_line_error(run_cli(["call", example, "--track", str(malformed)]), "not a readable .npy array")
    assert_one_line_error(run_cli(["call", example, "--track", str(nan_track)]), "non-finite value")
    assert_one_line_error(run_cli(["call", example, "--track", str(few)]), "at least 3 distinct waypoints")
    assert_one_line_error(run_cli(["call", example, "--params", '{"speed": "fast"}']), "'speed'")
    assert_one_line_error(run_cli(["call", example, "--params", "-"], stdin="{not json"), "invalid JSON")
    assert_one_line_error(run_cli(["new", str(tmp_path / "x.py"), "--template", "nope"]), "unknown template")
    assert_one_line_error(run_cli(["params", "--bogus"]), "No such option: --bogus")
    assert_one_line_error(run_cli(["call"]), "Missing argument")


def test_new_scaffolds_from_a_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "mine.py"
    assert main(["new", str(target), "--template", "penalize_zigzag"]) == 0
    assert "def reward_function(params)" in target.read_text()
    assert main(["new", str(target)]) == 2


def test_call_shows_what_the_function_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reward = tmp_path / "chatty.py"
    reward.write_text(
        'print("loaded")\n\n\ndef reward_function(params):\n    print("speed is", params["speed"])\n'
        "    return 2.5\n"
    )
    assert main(["call", str(reward), "--params", '{"speed": 3.5}']) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "2.5"  # the result alone on stdout, for scripts
    assert captured.err.splitlines() == ["print: loaded", "print: speed is 3.5"]
