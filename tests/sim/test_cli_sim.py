"""``reward sim drive`` / ``reward sim calibrate`` from the command line."""

from __future__ import annotations

import json
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


def test_drive_with_the_2022_car(capsys: pytest.CaptureFixture[str]) -> None:
    lap_times = []
    for physics in ("droa-2026", "drfc-2022"):
        assert main(["sim", "drive", "--track", "oval", "--speed", "1.5", "--physics", physics]) == 0
        found = re.search(r"lap time (\d+\.\d+) s", capsys.readouterr().out)
        assert found is not None
        lap_times.append(float(found.group(1)))
    assert lap_times[0] != lap_times[1]  # a different car, a different lap


def test_calibrate_on_droa_logs_reports_the_targets(
    capsys: pytest.CaptureFixture[str], logs_dir: Path
) -> None:
    droa = (
        logs_dir
        / "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-continous-action-logs.tar.gz"
    )
    args = ["sim", "calibrate", str(droa), "--subsample", "3", "--format", "json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["step_time"]["used"] == "tstamp" and result["start_profile"] == "droa-2026"
    assert result["generations"] == ["2026"]
    overall = result["table"][0]
    assert overall["label"] == "all" and overall["windows"] > 1500
    assert overall["position_median_m"] <= 0.10 and overall["heading_median_deg"] <= 4.0
    assert overall["heading_p90_deg"] > overall["heading_median_deg"]
    assert set(result["profile_tables"]) == {"droa-2026", "drfc-2022"}
    assert result["profile_tables"]["droa-2026"]["heading_median_deg"] <= 4.0


@pytest.mark.parametrize(
    "args",
    [
        ["sim", "drive", "--track", "no_such_track"],
        ["sim", "drive", "--driver", "wild"],
        ["sim", "drive", "--physics", "gazebo-1999"],
        ["sim", "calibrate", "/no/such/log.csv"],
        ["sim", "calibrate", "/no/such/log.csv", "--step-time", "sundial"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")


def test_cli_names_the_profiles_the_car_module_defines() -> None:
    from reward_sdk.cli import sim_cmd
    from reward_sdk.sim import car

    assert tuple(car.PHYSICS_PROFILES) == sim_cmd.PHYSICS_NAMES
    assert sim_cmd.DEFAULT_PHYSICS == car.DEFAULT_PHYSICS
    assert car.PHYSICS_PROFILES[car.DEFAULT_PHYSICS] == car.CarParams()


def test_calibrate_by_generation_fits_each_car_on_its_own(
    capsys: pytest.CaptureFixture[str], logs_dir: Path
) -> None:
    du = logs_dir / "aws-deepracer-community+deepracer-utils/tests/deepracer/logs"
    args = [
        "sim",
        "calibrate",
        str(du / "sample-droa-solution-logs"),
        str(du / "sample-drfc-3-logs/0/training-simtrace"),
    ]
    assert main([*args, "--subsample", "4"]) == 0
    assert "2 simulator generations (2021-2023, 2026)" in capsys.readouterr().err
    assert main([*args, "--subsample", "4", "--by-generation", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["generations"] == ["2021-2023", "2026"]
    parts = result["by_generation"]
    assert parts["2021-2023"]["start_profile"] == "drfc-2022" and parts["2021-2023"]["sources"] == 10
    assert parts["2026"]["start_profile"] == "droa-2026" and parts["2026"]["steps"] == 846
