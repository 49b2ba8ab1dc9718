"""Tracks: every real file loads, validation rejects bad files with one line, built-ins are valid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reward_sdk.builtin_tracks import builtin_track, builtin_track_names
from reward_sdk.errors import TrackError
from reward_sdk.geometry import road_polygon
from reward_sdk.tracks import list_track_files, load_track, resolve_track

# Length, width and stored direction of a few tracks, from shared/data/tracks/PROVENANCE.md and PARAMS.md §7.
KNOWN = {
    "reinvent_base": (17.709, 0.762, "ccw", 119),
    "Spain_track": (59.998, 0.914, "cw", 259),
    "2022_summit_speedway": (25.173, 1.067, "ccw", 127),
    "2024_reinvent_champ_cw": (25.107, 0.762, "cw", 86),
    "Oval_track": (19.550, 0.666, "ccw", 102),
}


def real_track_files(tracks_dir: Path) -> list[Path]:
    files = list_track_files(tracks_dir)
    assert len(files) >= 24, f"expected the real tracks in {tracks_dir}"
    return files


def test_every_real_track_loads_with_both_index_conventions(tracks_dir: Path) -> None:
    for path in real_track_files(tracks_dir):
        kept = load_track(path)
        dropped = load_track(path, drop_duplicate_points=True)
        assert len(kept.center) - len(dropped.center) == kept.duplicate_point_count
        assert dropped.duplicate_point_count == 0
        assert kept.length == pytest.approx(dropped.length, abs=1e-9)
        assert road_polygon(kept).is_valid


def test_thirteen_real_tracks_have_one_duplicated_point(tracks_dir: Path) -> None:
    counts = {path.stem: load_track(path).duplicate_point_count for path in real_track_files(tracks_dir)}
    assert sorted(set(counts.values())) == [0, 1]
    assert sum(counts.values()) == 13
    assert counts["reInvent2019_track"] == 1 and counts["reinvent_base"] == 0


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_lengths_widths_and_directions(tracks_dir: Path, name: str) -> None:
    length, width, direction, rows = KNOWN[name]
    track = load_track(tracks_dir / f"{name}.npy")
    assert track.length == pytest.approx(length, abs=1e-3)
    assert track.width == pytest.approx(width, abs=1e-3)
    assert track.direction == direction
    assert len(track.center) == rows


def test_straight_track_is_open_and_counts_as_ccw(tracks_dir: Path) -> None:
    track = load_track(tracks_dir / "Straight_track.npy")
    assert not track.is_loop
    assert track.direction == "ccw"


def test_reversing_flips_direction_and_twice_is_identity(tracks_dir: Path) -> None:
    track = load_track(tracks_dir / "reinvent_base.npy")
    reversed_track = track.reversed()
    assert reversed_track.is_reversed and reversed_track.direction == "cw"
    assert reversed_track.waypoints[0] == track.waypoints[-1]
    again = reversed_track.reversed()
    assert not again.is_reversed and np.array_equal(again.center, track.center)


@pytest.mark.parametrize("name", builtin_track_names())
def test_builtin_tracks_are_valid_closed_ccw_loops(name: str) -> None:
    track = builtin_track(name)
    assert track.is_loop and track.direction == "ccw"
    assert road_polygon(track).is_valid
    assert 20.0 < track.length < 100.0
    assert track.widths.min() > 0.85


def test_club_circuit_has_left_and_right_corners() -> None:
    centre = builtin_track("club").center
    heading = np.unwrap(np.arctan2(*np.diff(centre, axis=0).T[::-1]))
    turn = np.diff(heading)
    assert turn.max() > 0.05 and turn.min() < -0.02


def test_resolve_track_by_builtin_name_stem_and_path(tracks_dir: Path) -> None:
    assert resolve_track("oval").name == "oval"
    assert resolve_track("reinvent_base", tracks_dir).name == "reinvent_base"
    assert resolve_track(str(tracks_dir / "Vegas_track.npy")).name == "Vegas_track"
    with pytest.raises(TrackError, match="unknown track 'nowhere'"):
        resolve_track("nowhere", tracks_dir)


def write_array(tmp_path: Path, array: np.ndarray) -> Path:
    path = tmp_path / f"track_{len(list(tmp_path.iterdir()))}.npy"
    np.save(path, array)
    return path


def test_bad_track_files_give_one_line_errors(tmp_path: Path, tracks_dir: Path) -> None:
    real = np.load(tracks_dir / "reinvent_base.npy")
    with_nan = real.copy()
    with_nan[5, 2] = np.nan
    swapped = real.copy()
    swapped[:, 2:4] = real[:, 4:6]  # both borders on the same side
    cases = {
        "no such track file": tmp_path / "missing.npy",
        "non-finite value": write_array(tmp_path, with_nan),
        "at least 3 distinct waypoints": write_array(tmp_path, real[:2]),
        "expected an (N, 6) array": write_array(tmp_path, real[:, :5]),
        "consistent sides": write_array(tmp_path, swapped),
    }
    for expected, path in cases.items():
        with pytest.raises(TrackError) as error:
            load_track(path)
        assert expected in str(error.value), str(error.value)
        assert "\n" not in str(error.value)
    junk = tmp_path / "junk.npy"
    junk.write_bytes(b"\x93NUMPY garbage that is not an array")
    with pytest.raises(TrackError, match=r"not a readable \.npy array"):
        load_track(junk)


def test_older_layouts_four_and_two_columns_load(tmp_path: Path, tracks_dir: Path) -> None:
    real = np.load(tracks_dir / "reinvent_base.npy")
    borders_only = load_track(write_array(tmp_path, real[:, 2:6]))
    assert borders_only.length == pytest.approx(load_track(tracks_dir / "reinvent_base.npy").length, rel=1e-3)
    centre_only = load_track(write_array(tmp_path, real[:, 0:2]))
    assert centre_only.width == pytest.approx(1.067)
