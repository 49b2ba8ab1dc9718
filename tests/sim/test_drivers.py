"""Scripted drivers complete laps without leaving the track; audit behaviours do what they say."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from reward_sdk.builtin_tracks import builtin_track, builtin_track_names
from reward_sdk.sim import drivers
from reward_sdk.sim.episode import LAP_COMPLETE, OFF_TRACK
from reward_sdk.sim.rollout import drive
from reward_sdk.tracks import Track

REAL_TRACKS = ("reinvent_base", "2022_summit_speedway", "reInvent2019_track", "Spain_track")


def _lap(track: Track, driver: drivers.PurePursuit) -> tuple[dict, list[dict]]:  # type: ignore[type-arg]
    result = drive(None, track, driver, start_ndist=0.0, keep="rows")
    return result["episodes"][0], result["rows"]


@pytest.mark.parametrize("speed", [1.0, 1.5])
@pytest.mark.parametrize("name", builtin_track_names())
def test_centre_line_driver_laps_every_builtin_track_on_the_road(name: str, speed: float) -> None:
    summary, rows = _lap(builtin_track(name), drivers.centre_line(speed))
    assert summary["status"] == LAP_COMPLETE
    assert all(row["all_wheels_on_track"] for row in rows)


@pytest.mark.parametrize("name", REAL_TRACKS)
def test_centre_line_driver_laps_real_tracks_on_the_road(
    name: str, real_track: Callable[[str], Track]
) -> None:
    for track in (real_track(name), real_track(name).reversed()):
        summary, rows = _lap(track, drivers.centre_line(1.5))
        assert summary["status"] == LAP_COMPLETE, track
        assert all(row["all_wheels_on_track"] for row in rows), track
        assert 0.5 * track.length / 1.5 < summary["lap_time"] < 2.0 * track.length / 1.5


def test_hugging_a_border_stays_near_that_border(real_track: Callable[[str], Track]) -> None:
    track = real_track("2022_summit_speedway")
    for side, left in (("left", True), ("right", False)):
        result = drive(None, track, drivers.hugging_border(track, 1.0, side), keep="params")
        params = result["params"][1:]
        assert result["episodes"][0]["status"] == LAP_COMPLETE
        share = sum(p["is_left_of_center"] == left for p in params) / len(params)
        assert share > 0.9
        assert sum(p["distance_from_center"] for p in params) / len(params) > 0.25 * track.width


def test_weaving_zig_zags() -> None:
    result = drive(None, builtin_track("club"), drivers.weaving(1.0), keep="params")
    steering = [p["steering_angle"] for p in result["params"][1:]]
    sign_changes = sum(1 for a, b in itertools.pairwise(steering) if a * b < 0)
    assert sign_changes > 10


def test_crawling_is_slow_and_off_track_driver_leaves() -> None:
    crawl = drive(None, builtin_track("oval"), drivers.crawling(0.3))["episodes"][0]
    assert crawl["status"] == LAP_COMPLETE and crawl["lap_time"] > 60
    off = drive(None, builtin_track("oval"), drivers.off_track())["episodes"][0]
    assert off["status"] == OFF_TRACK
