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
    from ..conftest import CAPTURED_PARAMS

    return {
        **CAPTURED_PARAMS,
        "waypoints": list(waypoints),
        "closest_objects": [0, 0],
        "objects_location": [[1.0, 2.0]],
        "objects_left_of_center": [False],
        "object_in_camera": False,
        "objects_speed": [0.0],
        "objects_heading": [0.0],
        "objects_distance_from_center": [0.1],
        "objects_distance": [3.0],
        "sim_time": 0.0,
    }
