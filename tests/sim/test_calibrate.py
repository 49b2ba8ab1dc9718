"""Calibration against real Gazebo logs (a subset, so it stays fast)."""

from __future__ import annotations

import dataclasses
import glob
from pathlib import Path

import numpy as np
import pandas as pd

from replay import read_logs
from reward_sdk.sim import calibrate
from reward_sdk.sim.car import PHYSICS_PROFILES, PLAIN_KINEMATIC, CarParams

DU_LOGS = "aws-deepracer-community+deepracer-utils/tests/deepracer/logs"
DRFC = f"{DU_LOGS}/sample-drfc-1-logs/training-simtrace"  # community simapp, 2022
DROA = f"{DU_LOGS}/sample-continous-action-logs.tar.gz"  # DeepRacer-on-AWS, March 2026


def _frame(logs_dir: Path) -> pd.DataFrame:
    parts = []
    for path in sorted(glob.glob(str(logs_dir / DRFC / "*-iteration.csv"))):
        frame = pd.read_csv(path)
        frame["source"] = path
        parts.append(frame)
    renamed = {"X": "x", "Y": "y", "yaw": "heading", "steer": "steering_angle", "throttle": "speed"}
    return pd.concat(parts, ignore_index=True).rename(columns=renamed)


def test_fit_on_droa_subset_meets_the_one_second_targets(logs_dir: Path) -> None:
    logs = calibrate.arrays_from_frame(read_logs([logs_dir / DROA], duplicates="prefer_csv").steps)
    assert logs.step_time == "tstamp" and logs.tstamp_agreement > 0.5  # tstamp is the sim time of the pose
    train, held = calibrate.split_episodes(logs, 4)
    train_starts = calibrate.window_starts(logs, episodes=train)[::3]
    held_starts = calibrate.window_starts(logs, episodes=held)
    assert len(held_starts) > 1500
    start = calibrate.closest_profile(logs, train_starts, PHYSICS_PROFILES)
    assert start == "droa-2026"
    fitted = calibrate.fit(logs, train_starts, PHYSICS_PROFILES["drfc-2022"], max_evaluations=80)
    overall = calibrate.error_table(logs, held_starts, fitted)[0]
    plain = calibrate.error_table(logs, held_starts, PLAIN_KINEMATIC)[0]
    assert overall.position_median_m <= 0.10
    assert overall.heading_median_deg <= 4.0
    assert overall.position_median_m < 0.5 * plain.position_median_m
    defaults = CarParams()  # fitted on the whole DRoA training set: the same car
    for name in ("wheelbase", "speed_gain", "steer_tau"):
        assert np.isclose(getattr(fitted, name), getattr(defaults, name), rtol=0.3), name


def test_fit_on_drfc_subset_finds_the_2022_car(logs_dir: Path) -> None:
    logs = calibrate.arrays_from_frame(_frame(logs_dir))
    assert logs.step_time == "nominal" and logs.tstamp_agreement < calibrate.TSTAMP_AGREEMENT_MIN
    train, held = calibrate.split_episodes(logs, 4)
    train_starts = calibrate.window_starts(logs, episodes=train)[::4]
    held_starts = calibrate.window_starts(logs, episodes=held)
    assert len(held_starts) > 1000
    assert calibrate.closest_profile(logs, train_starts, PHYSICS_PROFILES) == "drfc-2022"
    fitted = calibrate.fit(logs, train_starts, CarParams(), max_evaluations=60)
    overall = calibrate.error_table(logs, held_starts, fitted)[0]
    plain = calibrate.error_table(logs, held_starts, PLAIN_KINEMATIC)[0]
    assert overall.position_median_m <= 0.11
    assert overall.heading_median_deg <= 7.0
    assert overall.position_median_m < 0.5 * plain.position_median_m
    profile = PHYSICS_PROFILES["drfc-2022"]  # the slow steering of that release is found from either start
    for name in ("wheelbase", "speed_gain", "steer_tau"):
        assert np.isclose(getattr(fitted, name), getattr(profile, name), rtol=0.3), name


def test_log_arrays_use_the_origin_and_standstill_prepare(logs_dir: Path) -> None:
    frame = _frame(logs_dir)
    logs = calibrate.arrays_from_frame(frame)
    first = frame.iloc[0]
    heading = np.radians(first["heading"])
    assert np.isclose(logs.x[0], first["x"] - 0.14 * np.cos(heading))
    assert logs.speed_cmd[0] == 0.0 and logs.steer_cmd[0] == 0.0  # prepare row
    assert logs.n_episodes == frame.groupby(["source", "episode"]).ngroups


def test_heading_error_is_at_the_reference_floor_and_the_yaw_follows_the_path(logs_dir: Path) -> None:
    logs = calibrate.arrays_from_frame(_frame(logs_dir))
    train, held = calibrate.split_episodes(logs, 4)
    train_starts = calibrate.window_starts(logs, episodes=train)
    held_starts = calibrate.window_starts(logs, episodes=held)
    params = PHYSICS_PROFILES["drfc-2022"]
    heading = calibrate.errors(logs, held_starts, params)[1]
    floor = calibrate.floor_errors(logs, train_starts, held_starts, params)
    travel = calibrate.travel_deviation(logs)
    assert np.median(travel) < 0.5  # the logged yaw is locked to the direction of travel
    assert np.median(floor) > 3.0 and np.median(heading) < 1.1 * np.median(floor)


def test_windows_skip_logged_jumps() -> None:
    frame = pd.DataFrame(
        {
            "x": np.arange(40) * 0.1,
            "y": np.zeros(40),
            "heading": np.zeros(40),
            "steering_angle": np.zeros(40),
            "speed": np.ones(40),
            "episode": np.zeros(40, dtype=int),
        }
    )
    clean = calibrate.window_starts(calibrate.arrays_from_frame(frame), horizon=10)
    frame.loc[30:, "x"] += 1.5  # a teleport between rows 29 and 30
    starts = calibrate.window_starts(calibrate.arrays_from_frame(frame), horizon=10)
    spans = [(s - calibrate.HISTORY_STEPS, s + 10) for s in starts]
    assert len(starts) < len(clean) and all(not (a < 30 <= b) for a, b in spans)


def test_step_time_is_chosen_from_the_data_or_forced(logs_dir: Path) -> None:
    frame = read_logs([logs_dir / DROA], duplicates="prefer_csv").steps
    forced = calibrate.arrays_from_frame(frame, step_time="nominal")
    assert forced.step_time == "nominal" and np.all(forced.dt == 1.0 / 15.0)
    stamped = calibrate.arrays_from_frame(frame, step_time="tstamp")
    assert 0.05 < np.median(stamped.dt) < 0.08 and np.std(stamped.dt) > 0.005
    no_tstamp = calibrate.arrays_from_frame(frame.drop(columns=["tstamp"]))
    assert no_tstamp.step_time == "nominal" and np.isnan(no_tstamp.tstamp_agreement)


def _simulated_logs(tracks_dir: Path, car: CarParams, seed: int) -> calibrate.LogArrays:
    from reward_sdk.sim import drivers
    from reward_sdk.sim.episode import RaceConfig
    from reward_sdk.sim.rollout import drive
    from reward_sdk.tracks import resolve_track

    track = resolve_track("reinvent_base", tracks_dir)
    config = RaceConfig(car=car, seed=seed, start_spacing=0.08)
    rows = drive(None, track, drivers.weaving(1.5), 8, config, keep="rows")["rows"]
    renamed = {"X": "x", "Y": "y", "yaw": "heading", "steer": "steering_angle", "throttle": "speed"}
    return calibrate.arrays_from_frame(pd.DataFrame(rows).rename(columns=renamed), step_time="nominal")


def test_slip_noise_estimate_recovers_the_simulators_noise(tracks_dir: Path) -> None:
    for profile, noise_deg in (("droa-2026", 0.0), ("droa-2026", 2.5), ("drfc-2022", 1.5)):
        car = PHYSICS_PROFILES[profile].with_values(slip_noise_deg=noise_deg)
        estimate = calibrate.slip_noise_estimate(_simulated_logs(tracks_dir, car, seed=7), car)
        assert abs(estimate - noise_deg) < 0.05 + 0.05 * noise_deg, (profile, noise_deg, estimate)


def test_slip_noise_estimate_on_real_logs_ignores_white_yaw_rate_noise(logs_dir: Path) -> None:
    logs = calibrate.arrays_from_frame(_frame(logs_dir))
    params = PHYSICS_PROFILES["drfc-2022"]
    estimate = calibrate.slip_noise_estimate(logs, params)
    assert 0.8 < estimate < 2.5  # degrees of steering kick per step
    shaken = dataclasses.replace(
        logs, yaw=logs.yaw + np.random.default_rng(0).normal(0.0, 0.004, len(logs.yaw))
    )
    assert abs(calibrate.slip_noise_estimate(shaken, params) - estimate) < 0.1 * estimate
