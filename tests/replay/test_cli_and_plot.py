"""``reward replay``: outputs, the PNG, and one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reward_sdk.cli import main

EVAL_CSV = (
    "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-drfc-1-logs/"
    "evaluation-20220709200242/evaluation-simtrace/0-iteration.csv"
)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_plot_is_a_readable_png_with_the_track_drawn(
    tmp_path: Path, logs_dir: Path, tracks_dir: Path
) -> None:
    import matplotlib.image

    out = tmp_path / "out.png"
    code = main(
        [
            "replay",
            str(logs_dir / EVAL_CSV),
            "--tracks-dir",
            str(tracks_dir),
            "--plot",
            str(out),
            "--reward",
            str(EXAMPLES / "follow_center_line.py"),
            "--format",
            "json",
        ]
    )
    assert code == 0
    image = matplotlib.image.imread(out)
    assert image.ndim == 3 and image.shape[0] > 400 and image.shape[1] > 800
    rgb = image[..., :3]
    dark = (rgb.max(axis=2) < 0.45).mean()  # track borders are dark grey lines
    coloured = (rgb.std(axis=2) > 0.15).mean()  # heat-map points
    assert dark > 0.002 and coloured > 0.01
    assert not list(tmp_path.glob(".*tmp"))


def test_json_output_has_schema_version_and_fidelity(
    capsys: pytest.CaptureFixture[str], logs_dir: Path, tracks_dir: Path
) -> None:
    code = main(["replay", str(logs_dir / EVAL_CSV), "--tracks-dir", str(tracks_dir), "--format", "json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == "1"
    assert doc["fidelity"]["share"] == 1.0
    assert len(doc["episodes"]) == 3 and doc["track"]["name"] == "reinvent_base"


def test_csv_output_and_compare(capsys: pytest.CaptureFixture[str], logs_dir: Path, tracks_dir: Path) -> None:
    code = main(
        [
            "replay",
            str(logs_dir / EVAL_CSV),
            "--tracks-dir",
            str(tracks_dir),
            "--format",
            "csv",
            "--reward",
            str(EXAMPLES / "follow_center_line.py"),
            "--compare",
            str(EXAMPLES / "penalize_zigzag.py"),
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("schema_version,") and "new_reward" in lines[0] and "other_reward" in lines[0]
    assert len(lines) == 4


@pytest.mark.parametrize(
    "make_input",
    [
        lambda tmp: tmp / "missing.log",
        lambda tmp: (tmp / "empty.log").write_text("hello\nno steps here\n") and tmp / "empty.log",
        lambda tmp: (tmp / "bad.tar.gz").write_bytes(b"\x1f\x8bnot really") and tmp / "bad.tar.gz",
        lambda tmp: (tmp / "bad.log.gz").write_bytes(b"\x1f\x8b\x08junk") and tmp / "bad.log.gz",
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_input
) -> None:  # type: ignore[no-untyped-def]
    path = make_input(tmp_path)
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")


def test_text_summary_mentions_flags(capsys: pytest.CaptureFixture[str], logs_dir: Path) -> None:
    assert main(["replay", str(logs_dir / EVAL_CSV)]) == 0
    out = capsys.readouterr().out
    assert "totals" in out and "lap" in out


def test_heatmap_difference_is_zero_for_identical_functions(tmp_path: Path, logs_dir: Path) -> None:
    from replay import read_logs
    from replay.plot import plot_replay
    from reward_sdk.tracks import load_track

    steps = read_logs(logs_dir / EVAL_CSV).steps
    track = load_track(logs_dir.parent / "tracks" / "reinvent_base.npy")
    path = plot_replay(tmp_path / "p.png", steps, track, steps["reward"].to_numpy(), np.zeros(len(steps)))
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize(
    "options",
    [
        ["--on-error", "ignore"],
        ["--time-budget", "0"],
        ["--time-budget", "-5"],
        ["--time-budget", "soon"],
    ],
)
def test_bad_rescoring_options_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], logs_dir: Path, options: list[str]
) -> None:
    reward = str(EXAMPLES / "follow_center_line.py")
    assert main(["replay", str(logs_dir / EVAL_CSV), "--reward", reward, *options]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert ("--on-error" if options[0] == "--on-error" else "--time-budget") in err[0]


def test_json_of_a_clean_rescore_reports_zero_failures(
    capsys: pytest.CaptureFixture[str], logs_dir: Path, tracks_dir: Path
) -> None:
    reward = str(EXAMPLES / "follow_center_line.py")
    args = ["replay", str(logs_dir / EVAL_CSV), "--tracks-dir", str(tracks_dir), "--reward", reward]
    assert main([*args, "--format", "json", "--on-error", "stop", "--time-budget", "120"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["totals"]["new_reward_failed"] == 0
    assert doc["rescore_failures"]["new_reward"] == {
        "function": "follow_center_line.py",
        "failed": 0,
        "errors": {},
        "first": None,
    }
    assert all(e["new_reward_failed"] == 0 for e in doc["episodes"])
