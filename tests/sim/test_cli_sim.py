"""``reward sim drive`` / ``reward sim calibrate`` from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reward_sdk.cli import main


def test_drive_prints_the_lap_time(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "sim.log"
    assert main(["sim", "drive", "--track", "oval", "--speed", "1.5", "--simtrace", str(log)]) == 0
    out = capsys.readouterr().out
    lap_time = re.search(r"lap time (\d+\.\d+) s", out)
    assert "lap_complete" in out and lap_time is not None
    assert 15.0 < float(lap_time.group(1)) < 18.0  # the 24.6 m oval at 1.5 m/s, plus the start-up
    assert sum(line.startswith("SIM_TRACE_LOG:") for line in log.read_text().splitlines()) > 200


def test_drive_on_a_real_track(capsys: pytest.CaptureFixture[str], tracks_dir: Path) -> None:
    args = ["sim", "drive", "--track", "reinvent_base", "--tracks-dir", str(tracks_dir), "--speed", "1.5"]
    assert main(args) == 0
    assert "lap_complete" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["sim", "drive", "--track", "no_such_track"],
        ["sim", "drive", "--driver", "wild"],
        ["sim", "calibrate", "/no/such/log.csv"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
