"""The camera observation: real camera shape, road ahead at the start, grass when facing away."""

from __future__ import annotations

import math

import numpy as np

from reward_sdk import geometry
from reward_sdk.builtin_tracks import builtin_track
from reward_sdk.sim import camera


def test_front_view_shows_the_road_ahead() -> None:
    track = builtin_track("oval")
    x, y, heading = geometry.start_pose(track, 0.0)
    fx, fy = geometry.front_point(x, y, heading)
    image = camera.render(track, float(fx), float(fy), math.radians(heading))
    assert image.shape == (120, 160) and image.dtype == np.uint8
    bottom_centre = image[110:, 70:90]
    assert np.isin(bottom_centre, [camera.SHADE_ROAD, camera.SHADE_CENTRE]).mean() > 0.8
    assert (image == camera.SHADE_BORDER).any()
    assert (image[:40] == camera.SHADE_SKY).all()


def test_view_changes_with_the_pose() -> None:
    track = builtin_track("club")
    x, y, heading = geometry.start_pose(track, 0.3)
    a = camera.render(track, x, y, math.radians(heading))
    b = camera.render(track, x, y, math.radians(heading + 60.0))
    assert (a != b).mean() > 0.05
