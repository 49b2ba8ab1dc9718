"""The public hypothesis strategies build params that validate and are physically consistent."""

from __future__ import annotations

import doctest

from hypothesis import given, settings

import reward_sdk.testing as testing
from reward_sdk.builtin_tracks import builtin_track
from reward_sdk.params import validate_params


@settings(max_examples=40, deadline=None)
@given(testing.params_strategy())
def test_generated_params_validate(params: dict) -> None:  # type: ignore[type-arg]
    validate_params(params)
    assert params["is_offtrack"] <= (not params["all_wheels_on_track"])


@settings(max_examples=30, deadline=None)
@given(testing.car_pose(builtin_track("club"), edge_states=False))
def test_poses_without_edges_stay_on_the_road(pose: testing.CarPose) -> None:
    params = pose.params(builtin_track("club"))
    assert params["distance_from_center"] <= 0.5 * params["track_width"] + 0.2


def test_module_docstring_example_runs() -> None:
    result = doctest.testmod(testing, verbose=False)
    assert result.attempted >= 4 and result.failed == 0


def test_batch_columns_match_scalar_params() -> None:
    import numpy as np

    track = builtin_track("oval")
    poses = testing.edge_poses(track)[:5]
    columns = testing.pose_columns(track, poses)
    for i, pose in enumerate(poses):
        scalar = pose.params(track)
        assert np.isclose(columns["distance_from_center"][i], scalar["distance_from_center"])
        assert bool(columns["all_wheels_on_track"][i]) == scalar["all_wheels_on_track"]
