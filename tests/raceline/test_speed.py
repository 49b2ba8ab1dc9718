"""Speed profile: lateral limit in corners, forward/backward passes within the car's acceleration limits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reward_sdk.raceline.speed import Limits, lap_time, speed_profile
from reward_sdk.sim.car import CarParams

CAR = CarParams()


def circle(radius: float, count: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(curvature, steps) of a circle of ``radius`` m sampled at ``count`` points."""
    return np.full(count, 1.0 / radius), np.full(count, 2.0 * math.pi * radius / count)


def test_constant_corner_is_driven_at_the_lateral_limit() -> None:
    limits = Limits.of(CAR)
    curvature, steps = circle(1.0)
    speeds = speed_profile(curvature, steps, CAR, limits, True)
    assert np.allclose(speeds, math.sqrt(limits.lateral * 1.0), rtol=1e-6)
    assert lap_time(speeds, steps, True) == pytest.approx(2.0 * math.pi / math.sqrt(limits.lateral))


def test_lateral_limit_is_a_share_of_the_tyre_saturation_and_top_speed_the_command_clip() -> None:
    limits = Limits.of(CAR)
    assert 0.3 * CAR.lat_accel < limits.lateral < 0.7 * CAR.lat_accel
    assert limits.top_speed == 4.0 * CAR.speed_gain
    assert (limits.accel, limits.decel) == (CAR.max_accel, CAR.max_decel)


def test_braking_before_a_hairpin_respects_the_deceleration() -> None:
    limits = Limits.of(CAR)
    curvature = np.zeros(400)
    curvature[200:220] = 2.0  # a tight hairpin after 20 m of straight
    steps = np.full(400, 0.1)
    speeds = speed_profile(curvature, steps, CAR, limits, True)
    assert speeds[0] == limits.top_speed  # the straight far from the corner is flat out
    assert speeds[210] < 1.6
    drops = speeds[:-1] ** 2 - speeds[1:] ** 2
    assert np.all(drops <= 2.0 * limits.decel * steps[:-1] + 1e-9)  # never brakes harder than max_decel
    rises = speeds[1:] ** 2 - speeds[:-1] ** 2
    assert np.all(rises <= 2.0 * limits.accel * steps[:-1] + 1e-9)
    assert speeds[199] > speeds[205] > speeds[210] - 1e-9  # slowing down before the corner, not in it


def test_loop_joins_its_start_and_end() -> None:
    limits = Limits.of(CAR)
    curvature = np.zeros(300)
    curvature[0:10] = 2.5  # the slowest corner right at the start of the loop
    speeds = speed_profile(curvature, np.full(300, 0.1), CAR, limits, True)
    assert speeds[-1] < limits.top_speed  # braking for the start corner happens at the end of the lap
