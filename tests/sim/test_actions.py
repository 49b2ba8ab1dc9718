"""Action spaces and model_metadata.json parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reward_sdk.errors import UserError
from reward_sdk.sim.actions import (
    ContinuousActionSpace,
    DiscreteActionSpace,
    discrete_grid,
    load_model_metadata,
    nearest_action,
    parse_model_metadata,
)

DRFC_METADATA = "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-drfc-1-logs/model/model_metadata.json"


def test_real_drfc_metadata_is_discrete_with_14_actions(logs_dir: Path) -> None:
    meta = load_model_metadata(logs_dir / DRFC_METADATA)
    assert isinstance(meta.action_space, DiscreteActionSpace)
    assert len(meta.action_space) == 14
    assert meta.action_space.command(13) == (30.0, 2.0)
    assert meta.action_space.default_action == 6  # first entry with steering 0


def test_continuous_maps_minus_one_to_one_onto_the_ranges() -> None:
    space = parse_model_metadata(
        {
            "action_space": {"speed": {"high": 2, "low": 1}, "steering_angle": {"high": 30, "low": -30}},
            "action_space_type": "continuous",
        }
    ).action_space
    assert isinstance(space, ContinuousActionSpace)
    assert space.command([-1.0, -1.0]) == (-30.0, 1.0)
    assert space.command([1.0, 1.0]) == (30.0, 2.0)
    assert space.command([5.0, 0.0]) == (30.0, 1.5)


def test_metadata_round_trip() -> None:
    from reward_sdk.sim.actions import ModelMetadata

    meta = ModelMetadata(discrete_grid([-10, 0, 10], [1.5]))
    again = parse_model_metadata(json.loads(json.dumps(meta.to_json())))
    assert again.action_space == meta.action_space


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "invalid JSON"),
        ("[]", "expected a JSON object"),
        ("{}", "missing required key 'action_space'"),
        ('{"action_space": []}', "non-empty list"),
        ('{"action_space": [{"speed": 1}]}', "action_space[0] needs"),
        ('{"action_space": [{"steering_angle": "x", "speed": 1}]}', "expected a number"),
        (
            '{"action_space": {"speed": {"low": 2, "high": 1}, "steering_angle": {"low": -1, "high": 1}},'
            ' "action_space_type": "continuous"}',
            "low < high",
        ),
        (
            '{"action_space": [{"steering_angle": 0, "speed": 1}], "training_algorithm": "sac"}',
            "needs a continuous",
        ),
        ('{"action_space": [{"steering_angle": 0, "speed": 1}], "action_space_type": "box"}', "discrete' or"),
    ],
)
def test_bad_metadata_gives_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "model_metadata.json"
    path.write_text(content)
    with pytest.raises(UserError) as info:
        load_model_metadata(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_nearest_action() -> None:
    space = discrete_grid()
    assert space.command(nearest_action(space, 14.0, 1.9)) == (15.0, 2.0)
