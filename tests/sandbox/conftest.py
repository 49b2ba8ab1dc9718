"""Fixtures for the sandbox tests: a realistic params dict and the real reinvent_base centre line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest


@pytest.fixture(scope="session")
def waypoints(shared_data: Path) -> list[tuple[float, float]]:
    """Centre line of reinvent_base (columns 0-1 of the real track file) as a list of (x, y) tuples."""
    track = np.load(shared_data / "tracks" / "reinvent_base.npy")
    return [(float(x), float(y)) for x, y in track[:, 0:2]]


@pytest.fixture()
def params(waypoints: list[tuple[float, float]]) -> dict[str, Any]:
    """The 27-key params dict of the captured real step (PARAMS.md section 12) with the real waypoints."""
    return {
        "all_wheels_on_track": True,
        "x": 4.085043155152535,
        "y": 0.6837354098890907,
        "heading": 0.034683898621264996,
        "distance_from_center": 0.00012227425889283888,
        "projection_distance": 1.025310673102175,
        "progress": 0.7897196081016897,
        "steps": 2.0,
        "speed": 1.3333333333333333,
        "steering_angle": 15.0,
        "track_width": 0.7619997315412399,
        "track_length": 17.709159380834848,
        "waypoints": list(waypoints),
        "closest_waypoints": [6, 7],
        "is_left_of_center": True,
        "is_reversed": False,
        "closest_objects": [0, 0],
        "objects_location": [[1.0, 2.0]],
        "objects_left_of_center": [False],
        "object_in_camera": False,
        "objects_speed": [0.0],
        "objects_heading": [0.0],
        "objects_distance_from_center": [0.1],
        "objects_distance": [3.0],
        "is_crashed": False,
        "is_offtrack": False,
        "sim_time": 0.0,
    }
