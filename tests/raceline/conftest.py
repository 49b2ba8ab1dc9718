"""Fixtures of the racing-line tests: the two real tracks of issue 18 and their lines, computed once."""

from __future__ import annotations

from pathlib import Path

import pytest

from reward_sdk.raceline import RacingLine, racing_line
from reward_sdk.tracks import Track, resolve_track

REAL_TRACKS = ("reinvent_base", "2022_summit_speedway")
METHODS = ("min-curvature", "k1999")


@pytest.fixture(scope="session")
def real_tracks(tracks_dir: Path) -> dict[str, Track]:
    return {name: resolve_track(name, tracks_dir) for name in REAL_TRACKS}


@pytest.fixture(scope="session")
def lines(real_tracks: dict[str, Track]) -> dict[tuple[str, str], RacingLine]:
    """(track name, method) → racing line with the default margin."""
    return {
        (name, method): racing_line(track, method)
        for name, track in real_tracks.items()
        for method in METHODS
    }
