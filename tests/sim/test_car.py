"""The car model: clipping, straight-line motion, scalar and vectorised paths agree."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reward_sdk.sim.car import (
    MAX_STEERING_DEG,
    REAR_AXLE_M,
    TIME_STEP_S,
    CarParams,
    CarState,
    advance,
    clip_command,
    latency_split,
    path_curvature,
    step,
    wheel_angle_for_curvature,
)


def test_commands_are_clipped_like_the_real_service() -> None:
    steer, speed = clip_command(45.0, 9.0)
    assert steer == math.radians(MAX_STEERING_DEG)
    assert speed == 4.0
    assert clip_command(-45.0, 0.0) == (math.radians(-30.0), 0.1)


def test_straight_command_drives_straight_and_reaches_the_steady_speed() -> None:
    car = CarState(0.0, 0.0, 0.0)
    params = CarParams(steer_offset=0.0)
    for _ in range(60):
        step(car, 0.0, 2.0, params)
    assert abs(car.y) < 1e-9 and abs(car.yaw) < 1e-9
    assert math.isclose(car.speed, 2.0 * params.speed_gain, rel_tol=1e-3)


def test_steering_trim_curves_gently_left() -> None:
    params = CarParams()
    assert 0.0 < params.steer_offset < math.radians(2.0)
    car = CarState(0.0, 0.0, 0.0)
    for _ in range(60):
        step(car, 0.0, 1.0, params)
    # ≈ 4 m at the steady speed on a curvature of tan(trim) / L ≈ 0.065 /m: a quarter-radian turn, to the left
    expected = car.speed * 60 * TIME_STEP_S * math.tan(params.steer_offset) / params.wheelbase
    assert car.y > 0.0 and math.isclose(car.yaw, expected, rel_tol=0.15)


def test_origin_side_slip_is_the_rear_axle_kinematics() -> None:
    params = CarParams(
        steer_offset=0.0, understeer=0.0, lat_accel=math.inf, steer_tau=0.0, steer_rate=1e6, speed_tau=0.0
    )
    pose = advance((0.0, 0.0, 0.0, 1.0, 0.3, 0.0), (0.3, 1.0), (0.3, 1.0), 0.0, params, dt=1e-4)
    curvature = math.tan(0.3) / params.wheelbase
    # the origin (REAR_AXLE_M ahead of the rear axle) moves at atan(REAR_AXLE_M · κ) to the left of its heading
    assert math.isclose(math.atan2(pose[1], pose[0]), math.atan(REAR_AXLE_M * curvature), rel_tol=1e-3)
    assert math.isclose(
        pose[2] / 1e-4, math.cos(math.atan(REAR_AXLE_M * curvature)) * curvature, rel_tol=1e-3
    )


def test_left_steering_turns_left() -> None:
    car = CarState(0.0, 0.0, 0.0)
    for _ in range(15):
        step(car, 20.0, 1.0, CarParams())
    assert car.yaw > 0.1 and car.y > 0.0


def test_speed_lags_the_command() -> None:
    car = CarState(0.0, 0.0, 0.0)
    step(car, 0.0, 4.0, CarParams())
    assert 0.0 < car.speed < 4.0 * CarParams().speed_gain


def test_noise_is_seeded() -> None:
    noisy = CarParams(speed_noise=0.1, steer_noise_deg=2.0, slip_noise_deg=0.5)
    runs = []
    for _ in range(2):
        car, rng = CarState(0.0, 0.0, 0.0), np.random.default_rng(7)
        for _ in range(30):
            step(car, 5.0, 1.5, noisy, rng)
        runs.append((car.x, car.y, car.yaw))
    assert runs[0] == runs[1]


@settings(max_examples=40, deadline=None)
@given(
    pose=st.tuples(
        st.floats(-5, 5),
        st.floats(-5, 5),
        st.floats(-3, 3),
        st.floats(0, 4),
        st.floats(-0.5, 0.5),
        st.floats(-0.1, 0.1),
    ),
    old=st.tuples(st.floats(-0.52, 0.52), st.floats(0.1, 4)),
    new=st.tuples(st.floats(-0.52, 0.52), st.floats(0.1, 4)),
    fraction=st.floats(0, 1),
)
def test_scalar_and_vectorised_steps_agree(pose, old, new, fraction) -> None:  # type: ignore[no-untyped-def]
    params = CarParams()
    scalar = advance(pose, old, new, fraction, params)
    arrays = tuple(np.array([v, v]) for v in pose)
    vector = advance(
        arrays,
        tuple(np.array([v, v]) for v in old),
        tuple(np.array([v, v]) for v in new),
        fraction,
        params,
        vectorised=True,
    )
    for a, b in zip(scalar, vector, strict=True):
        assert np.allclose(b, a, rtol=0, atol=1e-12)


def test_latency_split() -> None:
    whole, frac = latency_split(CarParams(latency=1.5 * TIME_STEP_S))
    assert whole == 1 and math.isclose(frac, 0.5)


def test_tyres_saturate_at_the_lateral_acceleration_limit() -> None:
    params = CarParams()
    full_lock = math.radians(30.0)
    slow = float(path_curvature(full_lock, 0.3, params))
    assert math.isclose(slow, math.tan(full_lock) / params.wheelbase, rel_tol=0.02)  # kinematic when slow
    for speed in (2.0, 3.0, 4.0):
        curvature = float(path_curvature(full_lock, speed, params))
        assert 0.0 < curvature * speed * speed < params.lat_accel  # never beyond the tyres' grip
        assert float(path_curvature(-full_lock, speed, params)) == -curvature  # symmetric
    off = params.with_values(lat_accel=math.inf, understeer=0.0)
    assert float(path_curvature(full_lock, 4.0, off)) == math.tan(full_lock) / off.wheelbase


def test_wheel_angle_inverts_the_curvature_law() -> None:
    params = CarParams()
    angles = np.radians(np.linspace(-25.0, 25.0, 11))
    speeds = np.full(11, 1.5)
    curvature = path_curvature(angles, speeds, params)
    assert np.allclose(wheel_angle_for_curvature(curvature, speeds, params), angles, atol=1e-9)
