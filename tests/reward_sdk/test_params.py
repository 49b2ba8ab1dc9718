"""The params model: 27 keys, schema, TypedDict twin, and one-line validation errors naming the key."""

from __future__ import annotations

import json
import typing

import numpy as np
import pytest

from reward_sdk.errors import ParamsError
from reward_sdk.params import PARAM_NAMES, RewardParamsDict, params_json_schema, validate_params
from reward_sdk.samples import sample_params


def test_model_has_the_27_simulator_keys_in_order() -> None:
    assert len(PARAM_NAMES) == 27
    assert PARAM_NAMES[:3] == ("all_wheels_on_track", "x", "y")
    assert PARAM_NAMES[-2:] == ("is_offtrack", "sim_time")


def test_typeddict_lists_exactly_the_model_keys() -> None:
    assert set(typing.get_type_hints(RewardParamsDict)) == set(PARAM_NAMES)


def test_json_schema_lists_27_properties_with_units() -> None:
    schema = params_json_schema()
    json.dumps(schema)
    assert len(schema["properties"]) == 27
    assert schema["properties"]["heading"]["unit"] == "deg"
    assert schema["properties"]["speed"]["unit"] == "m/s"


def test_sample_params_validate_and_round_trip() -> None:
    params = sample_params()
    model = validate_params(params)
    assert model.to_dict() == params


def test_numpy_waypoints_are_accepted_like_the_official_validator_sends_them() -> None:
    params = sample_params()
    params["waypoints"] = np.array(params["waypoints"])
    assert validate_params(params).waypoints[0] == tuple(params["waypoints"][0])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"x": "abc"}, "'x'"),
        ({"all_wheels_on_track": "maybe"}, "'all_wheels_on_track'"),
        ({"heading": 359.9}, "'heading'"),
        ({"closest_waypoints": [1]}, "'closest_waypoints'"),
        ({"distance_from_centre": 0.1}, "did you mean 'distance_from_center'"),
    ],
)
def test_bad_values_give_one_line_errors_naming_the_key(change: dict[str, object], expected: str) -> None:
    params = sample_params()
    params.update(change)
    with pytest.raises(ParamsError) as error:
        validate_params(params)
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_key_is_named() -> None:
    params = sample_params()
    del params["track_width"]
    with pytest.raises(ParamsError, match="missing key 'track_width'"):
        validate_params(params)
