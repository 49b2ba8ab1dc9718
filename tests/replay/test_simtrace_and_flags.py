"""The SIM_TRACE writer round-trips through the readers; zig-zag flags separate weaving from smooth driving."""

from __future__ import annotations

from pathlib import Path

import pytest

from replay import read_logs
from replay.flags import episode_summary
from reward_sdk.simtrace import FIELDS_BY_COUNT, SimTraceWriter, format_sim_trace_line

ROW = {
    "episode": 0,
    "steps": 2,
    "X": 3.19990123,
    "Y": 0.683,
    "yaw": 0.18,
    "steer": -12.345,
    "throttle": 1.333,
    "action": [-12.345, 1.333],
    "reward": 0.123456,
    "done": False,
    "all_wheels_on_track": True,
    "progress": 0.79,
    "closest_waypoint": 1,
    "track_len": 17.709159,
    "tstamp": 27.8,
    "episode_status": "in_progress",
}


def test_field_lists_per_version() -> None:
    assert [len(FIELDS_BY_COUNT[n]) for n in (15, 16, 17, 18, 19)] == [15, 16, 17, 18, 19]
    assert FIELDS_BY_COUNT[17][-1] == "pause_duration"


def test_line_uses_simulator_precisions() -> None:
    line = format_sim_trace_line(ROW)
    assert line == (
        "SIM_TRACE_LOG:0,2,3.1999,0.6830,0.1800,-12.35,1.33,[-12.345 1.333],0.1235,False,True,0.7900,1,"
        "17.71,27.8,in_progress,0.00"
    )


def test_writer_round_trips_and_is_atomic(tmp_path: Path) -> None:
    log_path, csv_path = tmp_path / "robomaker.log", tmp_path / "0-iteration.csv"
    with SimTraceWriter(log_path, csv_path=csv_path, header_lines=[" * /WORLD_NAME: oval"]) as writer:
        writer.write_many([ROW, {**ROW, "steps": 3, "done": True, "episode_status": "lap_complete"}])
        assert not log_path.exists()
    from_log, from_csv = read_logs(log_path), read_logs(csv_path)
    assert len(from_log.steps) == len(from_csv.steps) == 2
    assert from_log.sources[0].world_name == "oval"
    assert from_csv.steps["action_steering_angle"].iloc[0] == -12.345
    with pytest.raises(RuntimeError), SimTraceWriter(tmp_path / "x.log") as writer:
        writer.write(ROW)
        raise RuntimeError("interrupted")
    assert not (tmp_path / "x.log").exists() and not list(tmp_path.glob(".x.log*"))


def _simulated_run(tmp_path: Path, name: str, driver: object) -> Path:
    from reward_sdk.builtin_tracks import builtin_track
    from reward_sdk.sim.rollout import drive

    out = drive(None, builtin_track("oval"), driver, 2, keep="rows")  # type: ignore[arg-type]
    path = tmp_path / f"{name}.log"
    with SimTraceWriter(path) as writer:
        writer.write_many(out["rows"])
    return path


def test_zigzag_fires_on_the_weaving_driver_only(tmp_path: Path) -> None:
    from reward_sdk.sim.drivers import centre_line, weaving

    weave = episode_summary(read_logs(_simulated_run(tmp_path, "weave", weaving())).steps)
    smooth = episode_summary(read_logs(_simulated_run(tmp_path, "smooth", centre_line())).steps)
    assert all("zigzag" in flags for flags in weave["flags"])
    assert not any("zigzag" in flags for flags in smooth["flags"])


def test_real_evaluation_laps_are_not_zigzag(logs_dir: Path) -> None:
    folder = logs_dir / "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-console-logs"
    summary = episode_summary(read_logs(folder, duplicates="prefer_csv").steps)
    evaluation = summary[summary["phase"] == "evaluation"]
    assert len(evaluation) == 6 and not evaluation["flags"].str.contains("zigzag").any()
    assert evaluation["completed"].sum() >= 4 and evaluation["lap_time_s"].min() > 5
    training = summary[summary["phase"] == "training"]
    assert training["flags"].str.contains("zigzag").mean() < 0.05
    assert training["flags"].str.contains("offtrack").mean() > 0.9
