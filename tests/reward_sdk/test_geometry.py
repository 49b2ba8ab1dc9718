"""The state → params function: the real captured dict, agreement with shapely, scalar = vectorised, invariants."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LinearRing, LineString

from reward_sdk.builtin_tracks import builtin_track
from reward_sdk.geometry import (
    PER_STATE_KEYS,
    Obstacle,
    ndist,
    params_batch,
    params_from_pose,
    row_from_columns,
    start_pose,
    track_geometry,
)
from reward_sdk.params import validate_params
from reward_sdk.tracks import Track, load_track, track_from_rows

from ..conftest import CAPTURED_PARAMS, SHARED_DATA

CAPTURED = {key: value for key, value in CAPTURED_PARAMS.items() if isinstance(value, float)}

TRACK_NAMES = ("reinvent_base", "reInvent2019_track", "Spain_track", "Straight_track", "2022_summit_speedway")


@cache
def real_track(name: str) -> Track:
    return load_track(SHARED_DATA / "tracks" / f"{name}.npy")


@cache
def track_variant(name: str, reverse: bool) -> Track:
    """A real or built-in track, maybe reversed; cached because building its geometry index takes ~0.2 s."""
    track = builtin_track(name) if name in ("oval", "club", "technical") else real_track(name)
    return track.reversed() if reverse else track


@cache
def mirrored(name: str, reverse: bool) -> Track:
    """The track mirrored in the y axis (x → −x): CCW becomes CW."""
    track = track_variant(name, reverse)
    rows = np.hstack((track.center, track.inner, track.outer)) * [-1.0, 1.0, -1.0, 1.0, -1.0, 1.0]
    return track_from_rows(rows, f"{track.name}_mirrored")


def test_reproduces_the_captured_real_params_dict() -> None:
    params = params_from_pose(
        real_track("reinvent_base"),
        CAPTURED["x"],
        CAPTURED["y"],
        CAPTURED["heading"],
        speed=CAPTURED["speed"],
        steering_angle=CAPTURED["steering_angle"],
        steps=2.0,
        start_ndist=0.05,
    )
    for key, expected in CAPTURED.items():
        assert params[key] == pytest.approx(expected, abs=1e-9), key
    assert params["closest_waypoints"] == [6, 7]
    assert params["is_left_of_center"] is True
    assert params["all_wheels_on_track"] is True and params["is_offtrack"] is False
    assert params["waypoints"][:2] == [
        (3.059733510017395, 0.6826554089784622),
        (3.2095088958740234, 0.6831344813108444),
    ]
    assert params["is_reversed"] is False and params["closest_objects"] == [0, 0]
    validate_params(params)


def test_projection_matches_shapely_on_every_real_track(tracks_dir: Path) -> None:
    rng = np.random.default_rng(7)
    for path in sorted(tracks_dir.glob("*.npy")):
        track = load_track(path)
        line = (LinearRing if track.is_loop else LineString)(track.center)
        rows = rng.integers(0, len(track.center), 3000)
        x = track.center[rows, 0] + rng.normal(0.0, 0.6, rows.size)
        y = track.center[rows, 1] + rng.normal(0.0, 0.6, rows.size)
        expected = shapely.line_locate_point(line, shapely.points(x, y), normalized=True)
        columns = params_batch(track, x, y, np.zeros_like(x))
        assert np.max(np.abs(columns["ndist"] - expected)) < 1e-9, path.name


def test_start_of_a_real_simtrace_episode_is_0_79_percent() -> None:
    # PARAMS.md §2.0: the first step on reinvent_base shows X = start waypoint x + 0.14, progress ≈ 0.79 %.
    track = real_track("reinvent_base")
    origin_x, origin_y, yaw = start_pose(track, 0.0)
    params = params_from_pose(track, origin_x, origin_y, yaw, origin=True)
    assert params["x"] == pytest.approx(3.05973 + 0.14, abs=1e-4)
    assert params["progress"] == pytest.approx(0.14 / 17.709 * 100, abs=2e-3)


def test_geometry_handles_the_zero_length_segment() -> None:
    track = real_track("reInvent2019_track")
    duplicate = int(np.flatnonzero(track.segment_lengths == 0)[0])
    x, y = track.center[duplicate]
    params = params_from_pose(track, float(x), float(y) + 0.05, 90.0)
    assert all(math.isfinite(params[key]) for key in ("distance_from_center", "track_width", "progress"))
    prev_index, _ = params["closest_waypoints"]
    assert prev_index != duplicate  # a duplicated row k appears only as "next", k+1 only as "prev"


def test_objects_fill_the_object_keys() -> None:
    track = builtin_track("oval")
    x, y, yaw = start_pose(track, 0.0)
    ahead = Obstacle(x + 1.0, y + 0.2)
    behind = Obstacle(x - 1.0, y - 0.2)
    params = params_from_pose(track, x, y, yaw, origin=True, objects=[ahead, behind])
    assert params["closest_objects"] == [1, 0]
    assert params["objects_left_of_center"] == [True, False]
    assert params["object_in_camera"] is True
    assert params["objects_distance"][0] > params["projection_distance"]
    assert params["is_crashed"] is False
    crashed = params_from_pose(track, x, y, yaw, origin=True, objects=[Obstacle(x, y)])
    assert crashed["is_crashed"] is True


# --- property tests ---------------------------------------------------------------------------------------


@st.composite
def car_states(
    draw: st.DrawFn, track_names: tuple[str, ...] = TRACK_NAMES
) -> tuple[Track, float, float, float]:
    """A track (maybe reversed) and a front-point pose near it, heading within ±180°."""
    name = draw(st.sampled_from(track_names))
    track = track_variant(name, draw(st.booleans()))
    index = draw(st.integers(0, len(track.center) - 2))
    fraction = draw(st.floats(0.0, 1.0))
    base = track.center[index] + fraction * (track.center[index + 1] - track.center[index])
    offset = draw(st.floats(-1.2, 1.2)) * track.widths[index]
    along = track.center[index + 1] - track.center[index]
    norm = float(np.hypot(*along)) or 1.0
    left = np.array([-along[1], along[0]]) / norm
    heading = draw(st.floats(-180.0, 180.0))
    return track, float(base[0] + offset * left[0]), float(base[1] + offset * left[1]), heading


@settings(max_examples=150, deadline=None)
@given(car_states(), st.floats(0.0, 0.999), st.floats(0.0, 100.0))
def test_scalar_and_vectorised_forms_agree(
    state: tuple[Track, float, float, float], start: float, prev: float
) -> None:
    track, x, y, heading = state
    scalar = params_from_pose(track, x, y, heading, start_ndist=start, prev_progress=prev, speed=1.5)
    columns = params_batch(
        track, [x, x + 0.3], [y, y], [heading, heading], start_ndist=start, prev_progress=prev, speed=1.5
    )
    vector = row_from_columns(columns, 0)
    for key in PER_STATE_KEYS:
        if isinstance(scalar[key], bool | list):
            assert scalar[key] == vector[key], key
        else:
            assert scalar[key] == pytest.approx(vector[key], abs=1e-9), key


@settings(max_examples=150, deadline=None)
@given(car_states(), st.floats(0.0, 0.999), st.floats(0.0, 2.0))
def test_invariants(state: tuple[Track, float, float, float], lap_done: float, step_back: float) -> None:
    track, x, y, heading = state
    # An episode that started lap_done of a lap behind the car, previous step slightly behind.
    start = (float(ndist(track, x, y)[0]) - lap_done) % 1.0
    params = params_from_pose(
        track, x, y, heading, start_ndist=start, prev_progress=max(0.0, 100 * lap_done - step_back)
    )
    prev_index, next_index = params["closest_waypoints"]
    count = len(params["waypoints"])
    assert next_index == prev_index + 1 or (prev_index == count - 1 and next_index == 0)
    assert 0.0 <= params["progress"] <= 100.0
    assert 0.0 <= params["projection_distance"] <= params["track_length"] + 1e-9
    assert not (params["all_wheels_on_track"] and params["is_offtrack"])


@settings(max_examples=150, deadline=None)
@given(car_states(), st.floats(-30.0, 30.0))
def test_distance_within_half_width_when_all_wheels_on_track(
    state: tuple[Track, float, float, float], skew: float
) -> None:
    track, x, y, _ = state
    # Point the car roughly along the track: the front point then lies inside the wheels' lateral envelope.
    direction = params_from_pose(track, x, y, 0.0)
    prev_index, next_index = direction["closest_waypoints"]
    delta = track.center[next_index] - track.center[prev_index]
    heading = math.degrees(math.atan2(delta[1], delta[0])) + skew
    heading = (heading + 180.0) % 360.0 - 180.0
    params = params_from_pose(track, x, y, heading)
    if params["all_wheels_on_track"]:
        assert 0.0 <= params["distance_from_center"] <= params["track_width"] / 2.0 + 0.02


@settings(max_examples=100, deadline=None)
@given(
    car_states(track_names=("reinvent_base", "Spain_track", "2022_summit_speedway")), st.floats(0.0, 0.999)
)
def test_mirroring_the_track_mirrors_the_params(
    state: tuple[Track, float, float, float], start: float
) -> None:
    track, x, y, heading = state
    image_track = mirrored(track.name, track.is_reversed)
    mirror_heading = 180.0 - heading if heading > 0 else -180.0 - heading
    original = params_from_pose(track, x, y, heading, start_ndist=start)
    image = params_from_pose(image_track, -x, y, mirror_heading, start_ndist=start)
    for key in ("distance_from_center", "track_width", "projection_distance", "progress"):
        assert image[key] == pytest.approx(original[key], abs=1e-9), key
    assert image["closest_waypoints"] == original["closest_waypoints"]
    assert image["all_wheels_on_track"] == original["all_wheels_on_track"]
    if original["distance_from_center"] > 1e-6:
        assert image["is_left_of_center"] != original["is_left_of_center"]


def test_batch_of_100k_states_runs_and_is_finite() -> None:
    track = track_geometry(real_track("reinvent_base")).track
    rng = np.random.default_rng(3)
    rows = rng.integers(0, len(track.center), 100_000)
    x = track.center[rows, 0] + rng.normal(0.0, 0.5, rows.size)
    y = track.center[rows, 1] + rng.normal(0.0, 0.5, rows.size)
    columns = params_batch(track, x, y, rng.uniform(-180, 180, rows.size))
    assert np.all(np.isfinite(columns["distance_from_center"])) and columns["closest_waypoints"].shape == (
        100_000,
        2,
    )
