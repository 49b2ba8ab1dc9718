"""``reward raceline`` from the command line: outputs, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from reward_sdk.cli import main


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_writes_png_reward_and_actions(tmp_path: Path, tracks_dir: Path) -> None:
    png, reward, actions = tmp_path / "line.png", tmp_path / "r.py", tmp_path / "m.json"
    code, out, err = run(
        "raceline", "reinvent_base", "--tracks-dir", str(tracks_dir), "--out", str(png),
        "--emit-reward", str(reward), "--emit-actions", str(actions), "--format", "json", "--drive",
    )  # fmt: skip
    assert code == 0, err
    body = json.loads(out)
    assert body["version"] == 1 and body["track"] == "reinvent_base" and body["method"] == "min-curvature"
    assert body["lap_time_s"] < body["centre_lap_time_s"]
    assert body["min_clearance_m"] >= 0.14  # the default margin is 0.15 m
    assert body["drive"]["raceline_status"] == "lap_complete"
    assert body["drive"]["raceline_lap_s"] < body["drive"]["centre_lap_s"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert "def reward_function(params)" in reward.read_text()
    assert json.loads(actions.read_text())["action_space_type"] == "discrete"
    assert set(body["written"]) == {"png", "reward", "actions"}


def test_text_output_on_a_builtin_track_with_k1999() -> None:
    code, out, _ = run("raceline", "oval", "--method", "k1999", "--margin", "0.2")
    assert code == 0
    assert "oval: k1999 line, margin 0.2 m" in out and "predicted lap" in out


def test_emitted_reward_passes_reward_lint(tmp_path: Path) -> None:
    reward = tmp_path / "oval_line.py"
    assert run("raceline", "oval", "--emit-reward", str(reward))[0] == 0
    code, out, err = run("lint", str(reward))
    assert code == 0, out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no_such_track"], "unknown track 'no_such_track'"),
        (["oval", "--margin", "0.6"], "below half the narrowest road width"),
        (["oval", "--margin", "-0.1"], "--margin must be a number of metres >= 0"),
        (["oval", "--margin", "nan"], "--margin must be a number of metres >= 0"),
        (["oval", "--method", "fastest"], "unknown --method 'fastest'"),
        (["oval", "--format", "xml"], "--format must be text or json"),
        (["oval", "--actions", "0"], "--actions must be between 1 and 20"),
        (["oval", "--physics", "gazebo-1999"], "unknown physics profile"),
        (["oval", "--margin", "wide"], "Invalid value for '--margin'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    code, out, err = run("raceline", *args)
    assert code == 2
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert out == ""


def test_open_track_and_folder_outputs_are_refused(tmp_path: Path, tracks_dir: Path) -> None:
    code, _, err = run("raceline", "Straight_track", "--tracks-dir", str(tracks_dir))
    assert code == 2 and "open track" in err
    code, _, err = run("raceline", "oval", "--out", str(tmp_path))
    assert code == 2 and "is a folder" in err
    assert list(tmp_path.iterdir()) == []
