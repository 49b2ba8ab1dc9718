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
