"""Episode rules: params on the pre-action pose equal geometry, statuses like the real service."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reward_sdk import geometry
from reward_sdk.builtin_tracks import builtin_track, builtin_track_names
from reward_sdk.sim import drivers
from reward_sdk.sim.actions import CommandSpace
from reward_sdk.sim.episode import LAP_COMPLETE, OFF_TRACK, PREPARE, REVERSED, TIME_UP, Race, RaceConfig
from reward_sdk.sim.rollout import drive, run_episode

TRACKS = st.sampled_from(builtin_track_names())


@settings(max_examples=15, deadline=None)
@given(
    name=TRACKS,
    start=st.floats(0.0, 0.999),
    reverse=st.booleans(),
    actions=st.lists(st.tuples(st.floats(-30, 30), st.floats(0.1, 4.0)), min_size=1, max_size=25),
)
def test_params_equal_geometry_on_the_pre_action_pose(
    name: str, start: float, reverse: bool, actions: list[tuple[float, float]]
) -> None:
    track = builtin_track(name)
    track = track.reversed() if reverse else track
    race = Race(track, CommandSpace())
    race.reset(start_ndist=start)
    for action in actions:
        car, prev, steps = race.car, race.prev_progress, race.steps + 1
        x, y, yaw = car.x, car.y, car.yaw
        result = race.step(action)
        expected = geometry.params_from_pose(
            track,
            x,
            y,
            math.degrees(yaw),
            speed=action[1],
            steering_angle=action[0],
            steps=float(steps),
            start_ndist=race.start_ndist,
            prev_progress=prev,
            origin=True,
        )
        assert result.params == expected
        if result.done:
            break


def test_first_reward_call_sees_steps_two_after_prepare() -> None:
    seen: list[dict[str, Any]] = []
    race = Race(builtin_track("oval"), CommandSpace(), lambda p: seen.append(p) or 1.0)
    prepare = race.reset()
    assert prepare.status == PREPARE and prepare.reward == 0.0 and prepare.params["steps"] == 1.0
    assert not seen
    first = race.step((0.0, 1.0))
    assert seen[0]["steps"] == 2.0 and first.reward == 1.0
    assert (first.params["x"], first.params["y"]) == (prepare.params["x"], prepare.params["y"])


@settings(max_examples=10, deadline=None)
@given(name=TRACKS, start=st.floats(0.0, 0.999), speed=st.floats(0.5, 3.0))
def test_driving_straight_off_the_road_ends_off_track(name: str, start: float, speed: float) -> None:
    track = builtin_track(name)
    race = Race(track, CommandSpace(), config=RaceConfig(max_steps=5_000))
    summary = run_episode(race, drivers.Straight(speed=speed, steering_angle=0.0), start_ndist=start)
    assert summary["status"] == OFF_TRACK
    assert race.last_params["is_offtrack"] is True


@settings(max_examples=10, deadline=None)
@given(name=TRACKS, start=st.floats(0.0, 0.999), speed=st.floats(0.5, 2.0))
def test_driving_the_wrong_way_ends_reversed(name: str, start: float, speed: float) -> None:
    race = Race(builtin_track(name), CommandSpace())
    summary = run_episode(race, drivers.reverse(speed), start_ndist=start, turned_around=True)
    assert summary["status"] == REVERSED


@settings(max_examples=6, deadline=None)
@given(name=TRACKS, start=st.floats(0.0, 0.999), reverse=st.booleans())
def test_full_lap_ends_lap_complete_with_progress_100(name: str, start: float, reverse: bool) -> None:
    track = builtin_track(name)
    track = track.reversed() if reverse else track
    summary = drive(None, track, drivers.centre_line(1.5), start_ndist=start)["episodes"][0]
    assert summary["status"] == LAP_COMPLETE
    assert summary["progress"] == 100


def test_step_cap_ends_time_up() -> None:
    race = Race(builtin_track("oval"), CommandSpace(), config=RaceConfig(max_steps=10))
    summary = run_episode(race, drivers.centre_line(1.0))
    assert summary["status"] == TIME_UP and summary["steps"] == 10.0


def test_round_robin_starts_advance_by_the_spacing() -> None:
    result = drive(
        None, builtin_track("oval"), drivers.crawling(), episodes=3, config=RaceConfig(max_steps=5)
    )
    starts = [s["start_ndist"] for s in result["episodes"]]
    assert [round(s, 6) for s in starts] == [0.0, 0.05, 0.1]
