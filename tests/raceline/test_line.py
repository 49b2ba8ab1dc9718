"""The racing line stays inside the margin, is shorter and straighter than the centre line, and is fast."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon

from reward_sdk.errors import UserError
from reward_sdk.raceline import DEFAULT_MARGIN_M, RacingLine, racing_line
from reward_sdk.raceline.optimise import menger_curvature
from reward_sdk.tracks import Track, resolve_track

from .conftest import METHODS, REAL_TRACKS

TOLERANCE_M = 0.01  # the issue's "inside the margin": every point at least margin - 1 cm from a border


def border_distance(track: Track, points: np.ndarray) -> np.ndarray:
    """Distance of each point to the nearest border, negative off the road (shapely, independent of the code)."""
    borders = MultiLineString([track.inner, track.outer])
    road = Polygon(track.outer, holes=[track.inner])
    distance = shapely.distance(shapely.points(points), borders)
    inside = shapely.intersects_xy(road, points[:, 0], points[:, 1])
    return np.where(inside, distance, -distance)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", REAL_TRACKS)
def test_every_point_of_the_line_keeps_the_margin(
    lines: dict[tuple[str, str], RacingLine], name: str, method: str
) -> None:
    line = lines[(name, method)]
    clearance = border_distance(line.track, line.points)
    assert np.all(clearance >= DEFAULT_MARGIN_M - TOLERANCE_M), float(clearance.min())
    # the line uses the road: somewhere it comes close to the margin (an apex), it is not the centre line
    assert float(clearance.min()) < DEFAULT_MARGIN_M + 0.02
    # densified between points, the line still never leaves the road
    dense = LineString(np.vstack([line.points, line.points[:1]])).segmentize(0.01)
    assert (
        float(border_distance(line.track, np.asarray(dense.coords)).min()) >= DEFAULT_MARGIN_M - TOLERANCE_M
    )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", REAL_TRACKS)
def test_line_is_shorter_smoother_and_faster_than_the_centre_line(
    lines: dict[tuple[str, str], RacingLine], name: str, method: str
) -> None:
    line = lines[(name, method)]
    track = line.track
    assert line.length < track.length - 0.5
    centre = np.asarray(track.center[:-1], dtype=float)
    assert np.max(np.abs(line.curvature)) < np.max(np.abs(menger_curvature(centre, True)))
    assert line.lap_time < 0.85 * line.centre_lap_time
    assert np.all(np.diff(line.points, axis=0) != 0.0)
    assert np.max(line.speeds) <= line.limits.top_speed + 1e-9


def test_issue_figures_for_the_predicted_laps(lines: dict[tuple[str, str], RacingLine]) -> None:
    """Issue 18 measured 5.36 s (reinvent_base) and 7.77 s (summit) for min-curvature model laps; the predicted
    flying laps of our calibrated car are within a second of them."""
    assert 4.5 < lines[("reinvent_base", "min-curvature")].lap_time < 6.0
    assert 6.0 < lines[("2022_summit_speedway", "min-curvature")].lap_time < 8.5


def test_larger_margin_keeps_the_line_farther_in(real_tracks: dict[str, Track]) -> None:
    track = real_tracks["reinvent_base"]
    line = racing_line(track, margin=0.2)
    assert float(border_distance(track, line.points).min()) >= 0.2 - TOLERANCE_M
    assert line.lap_time > racing_line(track, margin=0.05).lap_time  # less room, slower


def test_the_other_direction_has_its_own_line(real_tracks: dict[str, Track]) -> None:
    track = real_tracks["reinvent_base"].reversed()
    line = racing_line(track)
    assert float(border_distance(track, line.points).min()) >= DEFAULT_MARGIN_M - TOLERANCE_M
    # driving clockwise, the line turns right overall
    assert float(np.sum(line.curvature * line.steps)) == pytest.approx(-2.0 * np.pi, abs=0.2)


@pytest.mark.parametrize("margin", [-0.1, float("nan"), 0.5])
def test_bad_margins_are_user_errors(margin: float) -> None:
    with pytest.raises(UserError, match="margin"):
        racing_line(resolve_track("oval"), margin=margin)


def test_open_tracks_and_unknown_methods_are_refused(tracks_dir: object) -> None:
    with pytest.raises(UserError, match="open track"):
        racing_line(resolve_track("Straight_track", str(tracks_dir)))
    with pytest.raises(UserError, match="method"):
        racing_line(resolve_track("oval"), method="fastest")
