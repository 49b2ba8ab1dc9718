"""Shared fixtures: the one place that locates the real data in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _find_shared_data() -> Path:
    # CI clones the repo beside a copy of shared/, so look at ../shared/data from the repo root and its parents.
    for base in (REPO_ROOT, *REPO_ROOT.parents):
        candidate = base / "shared" / "data"
        if (candidate / "tracks").is_dir():
            return candidate
    raise RuntimeError(
        f"real test data not found: expected ../shared/data next to {REPO_ROOT} (tracks, logs, validator_cases)"
    )


SHARED_DATA = _find_shared_data()

CAPTURED_PARAMS: dict[str, object] = {
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
    "closest_waypoints": [6, 7],
    "is_left_of_center": True,
    "is_reversed": False,
    "is_crashed": False,
    "is_offtrack": False,
}
"""A params dict captured on a real console run (shared/spec/PARAMS.md §12), on reinvent_base with the episode
started at 5 % of the lap; ``waypoints`` are the track file's centre line."""


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``shared/data`` (real tracks, logs, validator cases). Fails loudly when it is missing."""
    return SHARED_DATA


@pytest.fixture(scope="session")
def tracks_dir(shared_data: Path) -> Path:
    return shared_data / "tracks"


@pytest.fixture(scope="session")
def logs_dir(shared_data: Path) -> Path:
    return shared_data / "logs"


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's rich console 200 columns wide: without a terminal rich assumes 80 and ellipsises table cells, so
    tests that look for a word inside a table would depend on where they run."""
    from reward_sdk.cli.common import console

    monkeypatch.setattr(console, "width", 200)
