"""A SIM_TRACE_LOG written by the simulator reads back and re-scores exactly with reward_sdk.geometry."""

from __future__ import annotations

from pathlib import Path

import pytest

from reward_sdk import geometry
from reward_sdk.builtin_tracks import builtin_track
from reward_sdk.examples import example_source
from reward_sdk.sim import drivers
from reward_sdk.simtrace import SimTraceWriter
from tests.sim.rewards import centre_line_reward

ROUNDING_M = 1e-4  # m, SIM_TRACE_LOG writes x, y with 4 decimals (up to 7e-5 m off diagonally)


def test_written_log_replays_with_the_logged_reward(tmp_path: Path) -> None:
    sandbox = pytest.importorskip("sandbox")
    replay = pytest.importorskip("replay")
    track = builtin_track("club")
    with sandbox.RewardSandbox(
        example_source("follow_center_line"), preload=["reward_sdk.sim.rollout"]
    ) as box:
        box.set_constants(geometry.track_constants(track))
        result = box.run_in_worker(
            "reward_sdk.sim.rollout:drive",
            track,
            drivers.weaving(1.2, amplitude=0.4, period=3.0),
            3,
            keep="rows",
        )
    log = tmp_path / "robomaker.log"
    with SimTraceWriter(log, header_lines=[f" * /WORLD_NAME: {track.name}"]) as writer:
        writer.write_many(result["rows"])
    steps = replay.read_logs([log]).steps
    assert len(steps) == len(result["rows"])
    assert steps["episode_status"].iloc[0] == "prepare"
    run = steps[steps["episode_status"].astype(str) != "prepare"]
    rewards = set()
    on_a_marker = 0
    for row in run.itertuples():
        params = geometry.params_from_pose(track, row.x, row.y, row.yaw)
        rewards.add(row.reward)
        width, distance = params["track_width"], params["distance_from_center"]
        if min(abs(distance - f * width) for f in (0.1, 0.25, 0.5)) < ROUNDING_M:
            on_a_marker += 1  # the log's rounded x, y may fall on either side of the band edge
            continue
        assert round(centre_line_reward(params), 4) == row.reward, row
    assert len(rewards) >= 3  # the weave crosses several reward bands
    assert on_a_marker <= 0.01 * len(run)
