"""A reward function that rewrites its ``params`` cannot forge what the simulator reports.

The sandbox hands the simulator's params dict itself to user code (``reward.fresh``: no copy, for speed), so the
episode summaries (steps, progress, status, lap time, reward sum) and the SIM_TRACE_LOG rows must come from the
simulator's own state. Each test drives the same scripted car twice — with an honest reward and with a tampering
one that returns the same values but then overwrites every key and empties every list it can — and requires
identical summaries, rows and written log text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reward_sdk import geometry
from reward_sdk.builtin_tracks import builtin_track
from reward_sdk.sim import drivers
from reward_sdk.sim.actions import CommandSpace
from reward_sdk.sim.episode import Race
from reward_sdk.sim.rollout import Driver, drive, run_episode
from reward_sdk.simtrace import SimTraceWriter
from reward_sdk.tracks import Track
from sandbox import RewardSandbox

HONEST = """
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    return 1.0 - params["distance_from_center"] / params["track_width"] + 0.001 * params["progress"]
"""

TAMPER = """
FORGED = {
    "all_wheels_on_track": True, "x": 0.0, "y": 0.0, "heading": 0.0, "distance_from_center": 0.0,
    "projection_distance": 0.0, "steps": 1.0, "speed": 4.0, "steering_angle": 0.0, "track_width": 9.0,
    "track_length": 1.0, "closest_waypoints": [0, 0], "is_left_of_center": False, "is_reversed": True,
    "is_crashed": False, "is_offtrack": False, "waypoints": [(0.0, 0.0)],
}


def reward_function(params):
    if not params["all_wheels_on_track"]:
        value = 1e-3
    else:
        value = 1.0 - params["distance_from_center"] / params["track_width"] + 0.001 * params["progress"]
    for key in list(params.keys()):
        item = params[key]
        try:  # lists: rewrite every element in place, then grow
            count = len(item)
            item.append(99)
        except Exception:  # numbers, strings, tuples
            continue
        for i in range(count):
            item[i] = 7
    progress = params["progress"]
    for key in list(params.keys()):
        params[key] = FORGED.get(key, [])
    params["progress"] = 100.0 if progress < 50.0 else 0.5
    params["steps"] = 1.0
    params["closest_waypoints"] = [0, 1]
    return value
"""


def _function(source: str) -> Callable[[dict[str, Any]], float]:
    """``source``'s reward function as trusted in-process Python (the simulator hands it the dict itself)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "reward.py", "exec"), namespace)
    function: Callable[[dict[str, Any]], float] = namespace["reward_function"]
    return function


def _in_worker(source: str, track: Track, driver: Driver, episodes: int) -> dict[str, Any]:
    with RewardSandbox(source, preload=["reward_sdk.sim.rollout"]) as box:
        box.set_constants(geometry.track_constants(track))
        result: dict[str, Any] = box.run_in_worker(
            "reward_sdk.sim.rollout:drive", track, driver, episodes, start_ndist=0.0, keep="rows"
        )
    return result


def _log_text(rows: list[dict[str, Any]], path: Path) -> str:
    with SimTraceWriter(path) as writer:
        writer.write_many(rows)
    return path.read_text()


CASES = [
    ("centre-laps", "oval", lambda: drivers.centre_line(1.8), 2),
    ("off-track", "club", lambda: drivers.off_track(1.5), 3),
    ("weave", "club", lambda: drivers.weaving(1.2), 1),
]


@pytest.mark.parametrize(("name", "track_name", "make_driver", "episodes"), CASES, ids=[c[0] for c in CASES])
def test_sandboxed_drive_reports_the_simulators_own_state(
    tmp_path: Path, name: str, track_name: str, make_driver: Callable[[], Driver], episodes: int
) -> None:
    track = builtin_track(track_name)
    honest = _in_worker(HONEST, track, make_driver(), episodes)
    tampered = _in_worker(TAMPER, track, make_driver(), episodes)
    assert len(honest["rows"]) > 20
    assert tampered["episodes"] == honest["episodes"]
    assert tampered["rows"] == honest["rows"]
    assert _log_text(tampered["rows"], tmp_path / "t.log") == _log_text(honest["rows"], tmp_path / "h.log")
    for summary in honest["episodes"]:  # the honest figures are real ones, not the forged constants
        assert summary["steps"] > 2.0
        assert (
            summary["progress"] == 100.0
            if summary["status"] == "lap_complete"
            else summary["progress"] < 50.0
        )


@pytest.mark.parametrize(("name", "track_name", "make_driver", "episodes"), CASES, ids=[c[0] for c in CASES])
def test_in_process_drive_reports_the_simulators_own_state(
    name: str, track_name: str, make_driver: Callable[[], Driver], episodes: int
) -> None:
    track = builtin_track(track_name)
    honest = drive(_function(HONEST), track, make_driver(), episodes, start_ndist=0.0, keep="rows")
    tampered = drive(_function(TAMPER), track, make_driver(), episodes, start_ndist=0.0, keep="rows")
    assert tampered["episodes"] == honest["episodes"]
    assert tampered["rows"] == honest["rows"]


def test_run_episode_summary_and_race_state_ignore_the_dict() -> None:
    track = builtin_track("club")
    summaries = []
    for source in (HONEST, TAMPER):
        race = Race(track, CommandSpace(), _function(source))
        summaries.append(
            (run_episode(race, drivers.off_track(2.0), start_ndist=0.3), race.steps, race.status)
        )
    assert summaries[0] == summaries[1]
    summary = summaries[0][0]
    assert summary["status"] == "off_track" and 0.0 < summary["progress"] < 50.0 and summary["steps"] > 5


def test_kept_params_are_the_simulators_not_the_rewritten_ones() -> None:
    track = builtin_track("oval")
    kept = []
    for source in (HONEST, TAMPER):
        with RewardSandbox(source, preload=["reward_sdk.sim.rollout"]) as box:
            box.set_constants(geometry.track_constants(track))
            kept.append(
                box.run_in_worker(
                    "reward_sdk.sim.rollout:drive", track, drivers.off_track(1.5), 1, keep="params"
                )
            )
    assert kept[1]["params"] == kept[0]["params"] and len(kept[0]["params"]) > 10
    assert kept[1]["episodes"] == kept[0]["episodes"]
