"""Helpers for the simulator tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from reward_sdk.tracks import Track, resolve_track


@pytest.fixture(scope="session")
def real_track(tracks_dir: Path):  # type: ignore[no-untyped-def]
    def load(name: str) -> Track:
        return resolve_track(name, tracks_dir)

    return load
