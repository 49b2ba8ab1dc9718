"""Fit the car model (:class:`reward_sdk.sim.car.CarParams`) to real Gazebo logs.

Method. Every logged step ``i`` of an episode with at least :data:`HISTORY_STEPS` earlier steps and
``horizon`` later ones is a *window*. From the logged pose at ``i`` (front point → origin), the car state is
estimated from the preceding rows (finite differences of position and yaw give the actual speed and, through the
bicycle model, the actual steering angle). The model then replays the logged commands ``i … i+horizon−1``
(plus the earlier ones still in the dead-time queue) and its front point and yaw are compared with the logged row
``i+horizon``. Parameters minimise a robust (soft-L1) sum of those errors on training episodes
(``scipy.optimize.least_squares`` when scipy is installed, else a coordinate search); the error table is computed on
held-out episodes.

Input: a DataFrame with one row per step and the columns documented in :data:`REQUIRED_COLUMNS` (the names of
``replay.read_logs``), sorted by step within each episode. ``episode_status == "prepare"`` rows are kept as
history with a standstill command (the real PREPARE step sends zero speed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reward_sdk.sim.car import (
    FRONT_OFFSET_M,
    MAX_SPEED_CMD,
    MAX_STEERING_DEG,
    MIN_SPEED_CMD,
    REAR_RATIO,
    TIME_STEP_S,
    CarParams,
    advance,
    latency_split,
)

HORIZON_STEPS = 15  # steps predicted ahead (≈ 1 s at 15 Hz)
HISTORY_STEPS = 3  # logged steps needed before a window start (finite differences + dead-time queue)
REQUIRED_COLUMNS = ("x", "y", "heading", "steering_angle", "speed")  # m, m, deg, deg, m/s (commanded)
EPISODE_COLUMNS = ("source", "file", "worker", "episode")  # those present identify an episode, in this order
MIN_DT_S, MAX_DT_S = 0.02, 0.15  # s, plausible range of one logged step (outside: use TIME_STEP_S)
MIN_SPEED_FOR_STEER = 0.3  # m/s, below this the steering estimate from the yaw rate is unreliable: use 0

# (field, lower bound, upper bound) of the parameters fitted by default
FIT_BOUNDS: tuple[tuple[str, float, float], ...] = (
    ("wheelbase", 0.08, 0.4),
    ("speed_gain", 0.4, 1.5),
    ("speed_tau", 0.0, 1.0),
    ("max_accel", 0.5, 20.0),
    ("max_decel", 0.5, 20.0),
    ("steer_tau", 0.0, 0.5),
    ("latency", 0.0, 0.2),
    ("understeer", 0.0, 0.5),
)


@dataclass(frozen=True)
class LogArrays:
    """Episodes concatenated into flat arrays (index = global row).

    :param x: origin x in m. :param y: origin y in m. :param yaw: yaw in rad (unwrapped within each episode).
    :param steer_cmd: issued steering in rad (clipped; 0 on PREPARE rows).
    :param speed_cmd: issued speed in m/s (clipped; 0 on PREPARE rows).
    :param episode: episode number 0..E-1 of each row. :param first: global row of each row's episode start.
    :param dt: duration in s of the step from each row to the next. The pose of a row is the one cached before
        its action (PARAMS.md §3), sampled one ``tstamp`` earlier, so step ``k → k+1`` lasted
        ``tstamp[k] − tstamp[k−1]``; clipped to [:data:`MIN_DT_S`, :data:`MAX_DT_S`], nominal without ``tstamp``.
    """

    x: np.ndarray
    y: np.ndarray
    yaw: np.ndarray
    steer_cmd: np.ndarray
    speed_cmd: np.ndarray
    episode: np.ndarray
    first: np.ndarray
    dt: np.ndarray

    @property
    def n_episodes(self) -> int:
        return int(self.episode.max()) + 1 if len(self.episode) else 0


def arrays_from_frame(frame: pd.DataFrame, logged_dt: bool = False) -> LogArrays:
    """Turn a per-step log DataFrame (see module doc) into :class:`LogArrays`."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"log frame lacks column(s) {', '.join(missing)}")
    keys = [c for c in EPISODE_COLUMNS if c in frame.columns]
    groups = frame.groupby(keys, sort=False) if keys else [(0, frame)]
    parts: list[dict[str, np.ndarray]] = []
    for number, (_, group) in enumerate(groups):
        heading = np.radians(group["heading"].to_numpy(dtype=float))
        prepare = (
            group["episode_status"].astype(str).to_numpy() == "prepare"
            if "episode_status" in group.columns
            else np.zeros(len(group), dtype=bool)
        )
        steer = np.radians(np.clip(group["steering_angle"].to_numpy(dtype=float), -MAX_STEERING_DEG, MAX_STEERING_DEG))
        speed = np.clip(group["speed"].to_numpy(dtype=float), MIN_SPEED_CMD, MAX_SPEED_CMD)
        dt = np.full(len(group), TIME_STEP_S)
        if logged_dt and "tstamp" in group.columns and len(group) > 2:
            stamps = pd.to_numeric(group["tstamp"], errors="coerce").to_numpy(dtype=float)
            dt[1:] = np.diff(stamps)
            dt[~((dt >= MIN_DT_S) & (dt <= MAX_DT_S))] = TIME_STEP_S
        parts.append(
            {
                "dt": dt,
                "x": group["x"].to_numpy(dtype=float) - FRONT_OFFSET_M * np.cos(heading),
                "y": group["y"].to_numpy(dtype=float) - FRONT_OFFSET_M * np.sin(heading),
                "yaw": np.unwrap(heading),
                "steer_cmd": np.where(prepare, 0.0, steer),
                "speed_cmd": np.where(prepare, 0.0, speed),
                "episode": np.full(len(group), number),
            }
        )
    if not parts:
        raise ValueError("log frame has no rows")
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    starts = np.concatenate([[0], np.cumsum([len(p["x"]) for p in parts])[:-1]])
    return LogArrays(first=starts[cat["episode"]], **cat)


def window_starts(logs: LogArrays, horizon: int = HORIZON_STEPS, episodes: np.ndarray | None = None) -> np.ndarray:
    """Global rows that can start a window: enough history before and ``horizon`` rows after, same episode."""
    rows = np.arange(len(logs.x))
    ok = rows - logs.first >= HISTORY_STEPS
    ahead = rows + horizon
    ok &= ahead < len(logs.x)
    ok[ok] &= logs.episode[ahead[ok]] == logs.episode[rows[ok]]
    if episodes is not None:
        ok &= np.isin(logs.episode, episodes)
    return rows[ok]


def commanded_steer(logs: LogArrays, params: CarParams) -> np.ndarray:
    """Actual steering (rad) at every row as the model's steering lag makes it from the episode's commands.

    The steering sub-model is linear, so one step is ``s_k+1 = a·s_k + b_old·u_old + b_new·u_new``; the
    coefficients come from :func:`advance` itself so the two can never disagree.
    """
    whole, frac = latency_split(params)
    zero = (0.0, 0.0, 0.0, 0.0, 0.0)
    a = advance((0.0, 0.0, 0.0, 0.0, 1.0), (0.0, 0.0), (0.0, 0.0), frac, params)[4]
    b_old = advance(zero, (1.0, 0.0), (0.0, 0.0), frac, params)[4]
    b_new = advance(zero, (0.0, 0.0), (1.0, 0.0), frac, params)[4]
    out = np.zeros(len(logs.x))
    for begin, end in _episode_bounds(logs):
        u = logs.steer_cmd[begin:end]
        new = np.concatenate([np.zeros(whole), u])[: len(u)]
        old = np.concatenate([np.zeros(whole + 1), u])[: len(u)]
        drive = b_old * old + b_new * new  # input of step k (from row k to row k+1)
        state = 0.0
        seq = np.empty(len(u))
        for k in range(len(u)):  # short episodes (a few hundred rows): a plain loop is fast enough
            seq[k] = state
            state = a * state + drive[k]
        out[begin:end] = seq
    return out


def _episode_bounds(logs: LogArrays) -> list[tuple[int, int]]:
    firsts = np.unique(logs.first)
    ends = np.append(firsts[1:], len(logs.x))
    return list(zip(firsts.tolist(), ends.tolist(), strict=True))


def initial_state(
    logs: LogArrays, starts: np.ndarray, params: CarParams, steer_from_commands: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Actual ``(speed m/s, steer rad)`` at each window start, estimated from the two preceding logged steps.

    Speeds and yaw rates from backward differences describe the middle of the previous step; extrapolating
    half a step with the difference of the last two gives the value at the start row. The steering estimate
    from the yaw rate is blended with weight ``steer_from_commands`` with the model's own steering replayed
    from the episode's commands.
    """
    dist1 = np.hypot(logs.x[starts] - logs.x[starts - 1], logs.y[starts] - logs.y[starts - 1])
    dist2 = np.hypot(logs.x[starts - 1] - logs.x[starts - 2], logs.y[starts - 1] - logs.y[starts - 2])
    v1, v2 = dist1 / logs.dt[starts - 1], dist2 / logs.dt[starts - 2]
    speed = np.maximum(v1 + 0.5 * (v1 - v2), 0.0)
    r1 = (logs.yaw[starts] - logs.yaw[starts - 1]) / logs.dt[starts - 1]
    r2 = (logs.yaw[starts - 1] - logs.yaw[starts - 2]) / logs.dt[starts - 2]
    rate = r1 + 0.5 * (r1 - r2)
    safe = np.maximum(speed, MIN_SPEED_FOR_STEER)
    # invert yaw_rate = v cosβ tanδ / (L (1 + K v²)) with cosβ ≈ 1/sqrt(1 + (ρ tanδ)²), solved for tanδ
    q = rate * params.wheelbase * (1.0 + params.understeer * safe * safe) / safe
    tan_d = q / np.sqrt(np.maximum(1.0 - (REAR_RATIO * q) ** 2, 1e-6))
    limit = math.radians(MAX_STEERING_DEG)
    steer = np.where(speed >= MIN_SPEED_FOR_STEER, np.clip(np.arctan(tan_d), -limit, limit), 0.0)
    if steer_from_commands > 0.0:
        steer = _steer_from_history(logs, starts, params, speed, steer_from_commands)
    return speed, steer


def _steer_from_history(
    logs: LogArrays, starts: np.ndarray, params: CarParams, speed: np.ndarray, window: float
) -> np.ndarray:
    """Steering at the start rows: the model's replay of the commands, corrected by the offset that makes the
    replay match the curvature driven over the last ``window`` logged steps (offsets decay like the lag)."""
    replay = commanded_steer(logs, params)
    decay = 1.0 if params.steer_tau <= 1e-9 else math.exp(-TIME_STEP_S / params.steer_tau)
    n = max(1, min(HISTORY_STEPS - 1, round(window)))
    total = np.zeros(len(starts))
    weight = 0.0
    for j in range(1, n + 1):
        a, b = starts - j, starts - j + 1
        dist = np.hypot(logs.x[b] - logs.x[a], logs.y[b] - logs.y[a])
        curv = (logs.yaw[b] - logs.yaw[a]) / np.maximum(dist, 1e-3)
        v = np.maximum(speed, MIN_SPEED_FOR_STEER)
        observed = np.arctan(curv * params.wheelbase * (1.0 + params.understeer * v * v))
        offset = (observed - 0.5 * (replay[a] + replay[b])) * decay ** (j - 0.5)
        w = np.where(dist > 0.02, 1.0, 0.0)
        total += w * offset
        weight += 1.0
    return np.asarray(replay[starts] + total / weight)


def predict(
    logs: LogArrays, starts: np.ndarray, params: CarParams, horizon: int = HORIZON_STEPS, blend: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted front point ``(x, y)`` in m and yaw in rad (unwrapped) ``horizon`` steps after each start."""
    speed, steer = initial_state(logs, starts, params, blend)
    pose = (logs.x[starts], logs.y[starts], logs.yaw[starts], speed, steer)
    whole, frac = latency_split(params)

    def command(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        before = rows < logs.first[starts]
        safe = np.where(before, starts, rows)
        return (
            np.where(before, 0.0, logs.steer_cmd[safe]),
            np.where(before, 0.0, logs.speed_cmd[safe]),
        )

    for k in range(horizon):
        rows = starts + k
        pose = advance(
            pose, command(rows - whole - 1), command(rows - whole), frac, params, logs.dt[rows], vectorised=True
        )
    x, y, yaw = pose[0], pose[1], pose[2]
    return x + FRONT_OFFSET_M * np.cos(yaw), y + FRONT_OFFSET_M * np.sin(yaw), yaw


def errors(
    logs: LogArrays, starts: np.ndarray, params: CarParams, horizon: int = HORIZON_STEPS
) -> tuple[np.ndarray, np.ndarray]:
    """Per-window ``(position error m, heading error deg)`` of the ``horizon``-step prediction."""
    fx, fy, yaw = predict(logs, starts, params, horizon)
    end = starts + horizon
    lx = logs.x[end] + FRONT_OFFSET_M * np.cos(logs.yaw[end])
    ly = logs.y[end] + FRONT_OFFSET_M * np.sin(logs.yaw[end])
    dyaw = np.angle(np.exp(1j * (yaw - logs.yaw[end])))
    return np.hypot(fx - lx, fy - ly), np.degrees(np.abs(dyaw))


def split_episodes(logs: LogArrays, holdout_every: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """``(train, holdout)`` episode numbers: every ``holdout_every``-th episode is held out."""
    numbers = np.arange(logs.n_episodes)
    held = numbers % holdout_every == holdout_every - 1
    return numbers[~held], numbers[held]
