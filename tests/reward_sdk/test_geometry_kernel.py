"""The compiled params kernel gives exactly what the numpy form gives, on every real and built-in track."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from reward_sdk import geometry, geometry_kernel
from reward_sdk.builtin_tracks import builtin_track, builtin_track_names
from reward_sdk.track_geometry import track_geometry
from reward_sdk.tracks import Track, load_track


def _states(track: Track, count: int, spread: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(track.center), count)
    x = track.center[rows, 0] + rng.normal(0.0, spread, count)
    y = track.center[rows, 1] + rng.normal(0.0, spread, count)
    return x, y, rng.uniform(-180.0, 180.0, count)


def _assert_same_columns(track: Track, x: np.ndarray, y: np.ndarray, heading: np.ndarray) -> None:
    tables = geometry_kernel.kernel_tables(track)
    assert tables is not None
    compiled = tables.core_columns(x, y, heading)
    reference = geometry._core_columns_numpy(track, x, y, heading)
    assert compiled.keys() == reference.keys()
    for key, values in reference.items():
        assert compiled[key].dtype == values.dtype, key
        np.testing.assert_array_equal(compiled[key], values, err_msg=key)


def test_kernel_is_built_by_the_install() -> None:
    # `pip install` compiles it; a silent build failure would leave only the (slower) numpy form.
    assert geometry_kernel.AVAILABLE


@pytest.mark.parametrize("name", ["reinvent_base", "Straight_track", "2022_reinvent_champ_cw", "Belille"])
def test_kernel_equals_numpy_on_real_tracks(tracks_dir: Path, name: str) -> None:
    track = load_track(tracks_dir / f"{name}.npy")
    # Near the road (wheels on both sides of both borders) and far away (outside the candidate grid).
    _assert_same_columns(track, *_states(track, 20_000, 0.6, seed=1))
    _assert_same_columns(track, *_states(track, 500, 8.0, seed=2))


def test_kernel_equals_numpy_on_every_real_and_builtin_track(tracks_dir: Path) -> None:
    tracks = [load_track(path) for path in sorted(tracks_dir.glob("*.npy"))]
    tracks += [builtin_track(name) for name in builtin_track_names()]
    tracks += [track.reversed() for track in tracks[:3]]
    assert len(tracks) >= 24 + 3
    for track in tracks:
        _assert_same_columns(track, *_states(track, 3_000, 0.5, seed=3))


def test_road_grid_agrees_with_shapely_on_every_real_track(tracks_dir: Path) -> None:
    for path in sorted(tracks_dir.glob("*.npy")):
        track = load_track(path)
        x, y, _ = _states(track, 20_000, 0.7, seed=4)
        expected = shapely.contains_xy(track_geometry(track).road, x, y)
        np.testing.assert_array_equal(geometry_kernel.road_contains(track, x, y), expected, err_msg=path.name)


def test_points_on_the_boundary_are_not_inside(tracks_dir: Path) -> None:
    # shapely's `contains` excludes the boundary: border waypoints themselves are not on the road.
    track = load_track(tracks_dir / "reinvent_base.npy")
    for border in (track.inner, track.outer):
        assert not geometry_kernel.road_contains(track, border[:, 0], border[:, 1]).any()
    assert geometry_kernel.road_contains(track, track.center[:, 0], track.center[:, 1]).all()


def test_a_track_with_compiled_tables_pickles(tracks_dir: Path) -> None:
    # Tracks travel to sandbox workers by pickle, cache included; the compiled tables are rebuilt there.
    import pickle

    track = load_track(tracks_dir / "reinvent_base.npy")
    x, y, heading = _states(track, 2_000, 0.5, seed=5)
    before = geometry.params_batch(track, x, y, heading)
    copy = pickle.loads(pickle.dumps(track))
    after = geometry.params_batch(copy, x, y, heading)
    for key, values in before.items():
        np.testing.assert_array_equal(after[key], values, err_msg=key)


def test_non_finite_positions_give_nan_distances_in_both_forms(tracks_dir: Path) -> None:
    track = load_track(tracks_dir / "reinvent_base.npy")
    x = np.array([np.nan, 1.0, np.inf, -np.inf, 3.0])
    y = np.array([0.5, np.nan, 0.5, 1.0, 1.0])
    heading = np.array([0.0, np.nan, 0.0, 0.0, np.nan])
    with np.errstate(invalid="ignore"):
        _assert_same_columns(track, x, y, heading)
        columns = geometry._core_columns(track, x, y, heading)
    distance = columns["distance_from_center"]
    assert np.isnan(distance[:4]).all() and np.isfinite(distance[4])
    assert columns["is_offtrack"].all()
