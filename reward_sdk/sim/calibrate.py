"""Fit the car model (:class:`reward_sdk.sim.car.CarParams`) to real Gazebo logs.

Method. Every logged step ``i`` of an episode with at least :data:`HISTORY_STEPS` earlier steps and
``horizon`` later ones is a *window*. From the logged pose at ``i`` (front point → origin), the car state is
estimated from the preceding rows (finite differences of position and yaw give the actual speed and, through the
bicycle model, the actual steering angle). The model then replays the logged commands ``i … i+horizon−1``
(plus the earlier ones still in the dead-time queue) and its front point and yaw are compared with the logged row
``i+horizon``. Parameters minimise a robust (soft-L1) sum of those errors on training episodes
(``scipy.optimize.least_squares`` when scipy is installed, else a coordinate search), heading errors weighted so that
each error counts relative to its target (0.10 m ↔ 4°); the error table is computed on held-out episodes.

Step durations. The model integrates each logged step over its real duration when the logs record it: in the
DeepRacer-on-AWS 2026 logs ``tstamp`` is the sim time of the pose and a longer step covers more ground
(:func:`tstamp_agreement` 0.6); in the 2022 community logs it is not (0.25), and every step counts as 1/15 s
(``step_time="auto"`` picks, see :func:`arrays_from_frame`).

Results (held-out, 1-s median): DeepRacer-on-AWS 2026 logs 0.077 m / 3.72°; 2022 DRfC/console logs 0.091 m / 5.45°.
Diagnostics for judging the heading error: :func:`travel_deviation` (how far the logged yaw strays from the path)
and :func:`floor_errors` (the heading error of a reference that knows the true distances driven and forecasts the
unexplained yaw from its recent history). On the 2022 logs the fitted model matches that reference (≈ 5.5°):
what is left there is yaw-rate noise of the simulated car (≈ 0.19 /m of curvature per step, correlated over
≈ 0.4 s), which neither the commands nor the history predict; the 2026 car's faster steering leaves the same
noise far less correlated (lag-1 0.3 instead of 0.8), so it accumulates less over a second.

Input: a DataFrame with one row per step, sorted by step within each episode, with the columns
:data:`REQUIRED_COLUMNS` — ``x``, ``y`` (front point, m), ``heading`` (or ``yaw``, deg), ``steering_angle`` (deg)
and ``speed`` (m/s), the commanded action — plus, optionally, ``episode_status`` and episode identifiers
(``unique_episode``, else any of :data:`EPISODE_COLUMNS`). ``replay.read_logs(...).steps`` has them all.
``episode_status == "prepare"`` rows are kept as history with a standstill command (the real PREPARE step sends
zero speed). Episodes must come from the same physics (Gazebo at ~15 Hz); 2019 logs in radians do not fit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reward_sdk.sim.car import (
    FRONT_OFFSET_M,
    MAX_SPEED_CMD,
    MAX_STEERING_DEG,
    MIN_SPEED_CMD,
    REAR_AXLE_M,
    TIME_STEP_S,
    CarParams,
    advance,
    latency_split,
    path_curvature,
    wheel_angle_for_curvature,
)

HORIZON_STEPS = 15  # steps predicted ahead (≈ 1 s at 15 Hz)
HISTORY_STEPS = 5  # logged steps needed before a window start (finite differences + dead-time queue)
REQUIRED_COLUMNS = ("x", "y", "heading", "steering_angle", "speed")  # m, m, deg, deg, m/s (commanded)
HEADING_ALIASES = ("heading", "yaw")  # the heading column may be called either
EPISODE_COLUMNS = ("source", "file", "worker", "iteration", "episode")  # those present identify an episode
UNIQUE_EPISODE_COLUMN = "unique_episode"  # used alone when present (replay.read_logs)
MAX_STEP_M = 0.5  # m, longest plausible logged step (4 m/s for 1/15 s is 0.27 m); longer = glitch
MIN_DT_S, MAX_DT_S = 0.02, 0.15  # s, plausible range of one logged step (outside: use TIME_STEP_S)
SPEED_SMOOTHING = 0.25  # weight of the older of the last two step speeds in the initial-speed estimate
MIN_SPEED_FOR_STEER = 0.3  # m/s, below this the steering estimate from the yaw rate is unreliable: use 0

# (field, lower bound, upper bound) of the parameters fitted by default
FIT_BOUNDS: tuple[tuple[str, float, float], ...] = (
    ("wheelbase", 0.08, 0.4),
    ("speed_gain", 0.4, 1.5),
    ("speed_tau", 0.0, 1.0),
    ("max_accel", 0.5, 20.0),
    ("max_decel", 0.5, 20.0),
    ("steer_tau", 0.0, 0.8),
    ("steer_rate", 0.5, 20.0),
    ("latency", 0.0, 0.2),
    ("understeer", -0.2, 0.5),
    ("steer_offset", -0.05, 0.05),
    ("lat_accel", 1.0, 40.0),
    ("lat_accel_sharpness", 1.0, 8.0),
    ("slip_tau", 0.02, 2.0),
)


@dataclass(frozen=True)
class LogArrays:
    """Episodes concatenated into flat arrays (index = global row).

    :param x: origin x in m. :param y: origin y in m. :param yaw: yaw in rad (unwrapped within each episode).
    :param steer_cmd: issued steering in rad (clipped; 0 on PREPARE rows).
    :param speed_cmd: issued speed in m/s (clipped; 0 on PREPARE rows).
    :param episode: episode number 0..E-1 of each row. :param first: global row of each row's episode start.
    :param dt: duration in s of the step from each row to the next: nominal 1/15 s, or from ``tstamp``. The pose
        of a row is the one cached before its action (PARAMS.md §3), sampled one ``tstamp`` earlier, so step
        ``k → k+1`` lasted ``tstamp[k] − tstamp[k−1]`` (outside [:data:`MIN_DT_S`, :data:`MAX_DT_S`]: nominal).
    :param step_time: ``"tstamp"`` or ``"nominal"``, which of the two ``dt`` holds.
    :param tstamp_agreement: :func:`tstamp_agreement` of the logs (NaN without ``tstamp``).
    """

    x: np.ndarray
    y: np.ndarray
    yaw: np.ndarray
    steer_cmd: np.ndarray
    speed_cmd: np.ndarray
    episode: np.ndarray
    first: np.ndarray
    dt: np.ndarray
    step_time: str = "nominal"
    tstamp_agreement: float = math.nan

    @property
    def n_episodes(self) -> int:
        return int(self.episode.max()) + 1 if len(self.episode) else 0


STEP_TIMES = ("auto", "tstamp", "nominal")  # how long each logged step lasted: see arrays_from_frame
# correlation of per-step distance with the tstamp step above which tstamp is taken as the step's duration: the
# DeepRacer-on-AWS 2026 logs give 0.63 (their tstamp is the sim time of the pose), the 2022 DRfC/console logs 0.25
TSTAMP_AGREEMENT_MIN = 0.45


def arrays_from_frame(frame: pd.DataFrame, step_time: str = "auto") -> LogArrays:
    """Turn a per-step log DataFrame (see module doc) into :class:`LogArrays`.

    :param step_time: duration of each logged step: ``"nominal"`` (1/15 s), ``"tstamp"`` (differences of the
        ``tstamp`` column, implausible ones replaced by 1/15 s) or ``"auto"``: ``tstamp`` when it tracks the motion
        (:func:`tstamp_agreement` ≥ :data:`TSTAMP_AGREEMENT_MIN`), else nominal. Without ``tstamp``: nominal.
    :raises ValueError: a required column is missing, the frame is empty or ``step_time`` is unknown.
    """
    if step_time not in STEP_TIMES:
        raise ValueError(f"step_time must be one of {', '.join(STEP_TIMES)}, got {step_time!r}")
    if "heading" not in frame.columns and "yaw" in frame.columns:
        frame = frame.rename(columns={"yaw": "heading"})
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"log frame lacks column(s) {', '.join(missing)}")
    if UNIQUE_EPISODE_COLUMN in frame.columns:
        keys = [UNIQUE_EPISODE_COLUMN]
    else:
        keys = [c for c in EPISODE_COLUMNS if c in frame.columns]
    groups = frame.groupby(keys, sort=False, observed=True) if keys else [(0, frame)]
    parts: list[dict[str, np.ndarray]] = []
    for number, (_, group) in enumerate(groups):
        heading = np.radians(group["heading"].to_numpy(dtype=float))
        prepare = (
            group["episode_status"].astype(str).to_numpy() == "prepare"
            if "episode_status" in group.columns
            else np.zeros(len(group), dtype=bool)
        )
        steer = np.radians(
            np.clip(group["steering_angle"].to_numpy(dtype=float), -MAX_STEERING_DEG, MAX_STEERING_DEG)
        )
        speed = np.clip(group["speed"].to_numpy(dtype=float), MIN_SPEED_CMD, MAX_SPEED_CMD)
        stamp_dt = np.full(len(group), np.nan)
        if "tstamp" in group.columns and len(group) > 1:
            stamps = pd.to_numeric(group["tstamp"], errors="coerce").to_numpy(dtype=float)
            stamp_dt[1:] = np.diff(stamps)
            stamp_dt[~((stamp_dt >= MIN_DT_S) & (stamp_dt <= MAX_DT_S))] = np.nan
        parts.append(
            {
                "stamp_dt": stamp_dt,
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
    stamp_dt = cat.pop("stamp_dt")
    agreement = tstamp_agreement(cat["x"], cat["y"], cat["episode"], stamp_dt)
    use_stamps = step_time == "tstamp" or (step_time == "auto" and agreement >= TSTAMP_AGREEMENT_MIN)
    dt = np.where(use_stamps & np.isfinite(stamp_dt), stamp_dt, TIME_STEP_S)
    starts = np.concatenate([[0], np.cumsum([len(p["x"]) for p in parts])[:-1]])
    return LogArrays(
        first=starts[cat["episode"]],
        dt=dt,
        step_time="tstamp" if use_stamps else "nominal",
        tstamp_agreement=agreement,
        **cat,
    )


def tstamp_agreement(x: np.ndarray, y: np.ndarray, episode: np.ndarray, stamp_dt: np.ndarray) -> float:
    """How well the logged ``tstamp`` steps track the motion: a correlation in [−1, 1] (NaN without tstamps).

    Correlation, over moving steps, of each step's distance relative to the mean of the five steps centred on it
    with the step's ``tstamp`` duration (``stamp_dt[k]`` for the step ``k → k+1``, NaN where not plausible).
    Where ``tstamp`` is the simulation time of the pose, a step that lasted longer covers more ground and the
    correlation is high; where the pose is sampled at other instants, it is low.
    """
    dist = np.hypot(np.diff(x), np.diff(y))
    same = episode[1:] == episode[:-1]
    dist = np.where(same, dist, np.nan)
    window = 5
    padded = np.concatenate([np.full(window // 2, np.nan), dist, np.full(window // 2, np.nan)])
    local = np.lib.stride_tricks.sliding_window_view(padded, window)
    local_mean = local.mean(axis=1)  # NaN when the five steps leave the episode
    step_dt = stamp_dt[:-1]
    ok = np.isfinite(local_mean) & (local_mean > MIN_SPEED_FOR_STEER * TIME_STEP_S) & np.isfinite(step_dt)
    if ok.sum() < 30:
        return math.nan
    ratio = dist[ok] / local_mean[ok]
    if np.std(ratio) == 0.0 or np.std(step_dt[ok]) == 0.0:
        return math.nan
    return float(np.corrcoef(ratio, step_dt[ok])[0, 1])


def window_starts(
    logs: LogArrays, horizon: int = HORIZON_STEPS, episodes: np.ndarray | None = None
) -> np.ndarray:
    """Global rows that can start a window: enough history before and ``horizon`` rows after, same episode.

    Windows whose span (history included) holds a logged step longer than :data:`MAX_STEP_M` are skipped: such a
    jump is a simulator glitch (e.g. a 1.8 m teleport after a 1.8 s pause of the sim clock), not car motion.
    """
    rows = np.arange(len(logs.x))
    ok = rows - logs.first >= HISTORY_STEPS
    ahead = rows + horizon
    ok &= ahead < len(logs.x)
    ok[ok] &= logs.episode[ahead[ok]] == logs.episode[rows[ok]]
    step = np.hypot(np.diff(logs.x), np.diff(logs.y))
    jump = np.append((step > MAX_STEP_M) & (logs.episode[1:] == logs.episode[:-1]), False)
    jumps_before = np.concatenate([[0], np.cumsum(jump)])  # jumps among the steps starting before each row
    span_start = np.maximum(rows - HISTORY_STEPS, 0)
    span_end = np.minimum(ahead, len(logs.x) - 1)
    ok &= jumps_before[span_end] == jumps_before[span_start]
    if episodes is not None:
        ok &= np.isin(logs.episode, episodes)
    return np.asarray(rows[ok])


def commanded_steer(logs: LogArrays, params: CarParams) -> np.ndarray:
    """Actual steering (rad) at every row as the model makes it from the episode's commands (from standstill).

    All episodes advance together, one logged step at a time, through :func:`advance` itself.
    """
    whole, frac = latency_split(params)
    bounds = _episode_bounds(logs)
    firsts = np.array([b for b, _ in bounds])
    lengths = np.array([e - b for b, e in bounds])
    out = np.zeros(len(logs.x))
    steer = np.zeros(len(bounds))
    zeros = np.zeros(len(bounds))

    def command(k: int) -> np.ndarray:
        rows = firsts + np.clip(k, 0, lengths - 1)
        return np.where((k >= 0) & (k < lengths), logs.steer_cmd[rows], 0.0)

    for k in range(int(lengths.max())):
        alive = k < lengths
        out[firsts[alive] + k] = steer[alive]
        pose = (zeros, zeros, zeros, zeros, steer, zeros)
        steer = advance(
            pose, (command(k - whole - 1), zeros), (command(k - whole), zeros), frac, params, vectorised=True
        )[4]
    return out


def _episode_bounds(logs: LogArrays) -> list[tuple[int, int]]:
    firsts = np.unique(logs.first)
    ends = np.append(firsts[1:], len(logs.x))
    return list(zip(firsts.tolist(), ends.tolist(), strict=True))


def initial_state(
    logs: LogArrays, starts: np.ndarray, params: CarParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actual ``(speed m/s, steer rad, slip rad)`` at each window start, estimated from the preceding rows.

    Speed: distance per step over the last two steps, weighted :data:`SPEED_SMOOTHING` towards the older one
    (extrapolating to the start row instead amplifies the step-to-step jitter and predicts worse). Steering: the
    model's own replay of the episode's commands. Slip: the steering offset that makes the replay match the
    curvature actually driven over the last ``HISTORY_STEPS − 1`` steps, each observation aged by the slip decay.
    """
    dist1 = np.hypot(logs.x[starts] - logs.x[starts - 1], logs.y[starts] - logs.y[starts - 1])
    dist2 = np.hypot(logs.x[starts - 1] - logs.x[starts - 2], logs.y[starts - 1] - logs.y[starts - 2])
    v1, v2 = dist1 / logs.dt[starts - 1], dist2 / logs.dt[starts - 2]
    speed = np.maximum((1.0 - SPEED_SMOOTHING) * v1 + SPEED_SMOOTHING * v2, 0.0)
    replay = commanded_steer(logs, params)
    decay = 0.0 if params.slip_tau <= 1e-9 else math.exp(-TIME_STEP_S / params.slip_tau)
    total = np.zeros(len(starts))
    weight = np.zeros(len(starts))
    v = np.maximum(speed, MIN_SPEED_FOR_STEER)
    for j in range(1, HISTORY_STEPS):
        a, b = starts - j, starts - j + 1
        dist = np.hypot(logs.x[b] - logs.x[a], logs.y[b] - logs.y[a])
        curv = (logs.yaw[b] - logs.yaw[a]) / np.maximum(dist, 1e-3)
        observed = wheel_angle_for_curvature(curv, v, params)
        moving = np.where(dist > MIN_SPEED_FOR_STEER * TIME_STEP_S, 1.0, 0.0)
        estimate = (observed - 0.5 * (replay[a] + replay[b]) - params.steer_offset) * decay ** (
            j - 0.5
        )  # aged to the start row
        w = moving * decay ** (2 * j - 1)  # older observations carry more accumulated innovation
        total += w * estimate
        weight += w
    slip = np.where(weight > 0.0, total / np.maximum(weight, 1e-12), 0.0)
    return speed, replay[starts], slip


def _issued(logs: LogArrays, rows: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Issued ``(steer rad, speed m/s)`` at global ``rows``; a standstill for rows before their episode's
    ``first`` row (the car was commanded to stand still before the first action)."""
    before = rows < first
    safe = np.where(before, first, rows)
    return np.where(before, 0.0, logs.steer_cmd[safe]), np.where(before, 0.0, logs.speed_cmd[safe])


def predict(
    logs: LogArrays, starts: np.ndarray, params: CarParams, horizon: int = HORIZON_STEPS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted front point ``(x, y)`` in m and yaw in rad (unwrapped) ``horizon`` steps after each start."""
    speed, steer, slip = initial_state(logs, starts, params)
    pose = (logs.x[starts], logs.y[starts], logs.yaw[starts], speed, steer, slip)
    whole, frac = latency_split(params)

    def command(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _issued(logs, rows, logs.first[starts])

    for k in range(horizon):
        rows = starts + k
        pose = advance(
            pose,
            command(rows - whole - 1),
            command(rows - whole),
            frac,
            params,
            logs.dt[rows],
            vectorised=True,
        )
    x, y, yaw = pose[0], pose[1], pose[2]
    return x + FRONT_OFFSET_M * np.cos(yaw), y + FRONT_OFFSET_M * np.sin(yaw), yaw


def errors(
    logs: LogArrays, starts: np.ndarray, params: CarParams, horizon: int = HORIZON_STEPS
) -> tuple[np.ndarray, np.ndarray]:
    """Per-window ``(position error m, heading error deg)`` of the ``horizon``-step prediction."""
    gap_x, gap_y, gap_yaw = _gaps(logs, starts, params, horizon)
    return np.hypot(gap_x, gap_y), np.degrees(np.abs(gap_yaw))


def _gaps(
    logs: LogArrays, starts: np.ndarray, params: CarParams, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted minus logged front point (m, m) and yaw (rad, wrapped) ``horizon`` steps after each start."""
    fx, fy, yaw = predict(logs, starts, params, horizon)
    end = starts + horizon
    lx = logs.x[end] + FRONT_OFFSET_M * np.cos(logs.yaw[end])
    ly = logs.y[end] + FRONT_OFFSET_M * np.sin(logs.yaw[end])
    return fx - lx, fy - ly, wrap_angle(yaw - logs.yaw[end])


def slip_noise_estimate(logs: LogArrays, params: CarParams, min_step_m: float = 0.05) -> float:
    """The :attr:`~reward_sdk.sim.car.CarParams.slip_noise_deg` (degrees per step) that matches the logs' noise.

    For every moving step the slip state at its start is solved from the logged yaw change: the model advances one
    step from the replayed steering at the step's logged speed, once with no slip and once with a small one, and
    the yaw the commands do not explain is divided by that sensitivity. Slip follows ``s' = decay · s + kick``
    (``decay = exp(−dt / slip_tau)``), so its lag-1 covariance is ``decay · var(s)`` and the kick's variance is
    ``var(s) · (1 − decay²)``. Using the lag-1 covariance rather than the spread keeps independent per-step noise
    (of the yaw change) out of the figure; noise on the logged pose itself lowers it. Values beyond 5 robust
    standard deviations are clipped. Returns NaN when fewer than 30 consecutive moving steps are available or the
    model has no slip memory (``slip_tau`` ≈ 0). On logs the simulator wrote with a known ``slip_noise_deg`` it
    returns that value within a few percent.
    """
    if params.slip_tau <= 1e-9:
        return math.nan
    n = len(logs.x) - 1
    rows = np.arange(n)
    dist = np.hypot(np.diff(logs.x), np.diff(logs.y))
    moving = (dist >= min_step_m) & (logs.episode[1:] == logs.episode[:-1])
    speed = dist / logs.dt[:-1]
    hold = speed / params.speed_gain  # a command that keeps the logged speed through the step
    replay = commanded_steer(logs, params)
    whole, frac = latency_split(params)

    def steer_issued(back: int) -> np.ndarray:
        return _issued(logs, rows - back, logs.first[rows])[0]

    def yaw_change(slip: np.ndarray) -> np.ndarray:
        zeros = np.zeros(n)
        pose = (zeros, zeros, zeros, speed, replay[:-1], slip)
        old, new = (steer_issued(whole + 1), hold), (steer_issued(whole), hold)
        return np.asarray(advance(pose, old, new, frac, params, logs.dt[:-1], vectorised=True)[2])

    probe = 1e-3  # rad
    explained = yaw_change(np.zeros(n))
    unexplained = np.diff(logs.yaw) - explained
    sensitivity = (yaw_change(np.full(n, probe)) - explained) / probe
    usable = moving & (np.abs(sensitivity) > 1e-3)
    pairs = usable[:-1] & usable[1:]
    if pairs.sum() < 30:
        return math.nan
    slip = np.where(usable, unexplained / np.where(usable, sensitivity, 1.0), 0.0)
    centre = float(np.median(slip[usable]))
    spread = 1.4826 * float(np.median(np.abs(slip[usable] - centre)))
    slip = np.clip(slip - centre, -5.0 * spread, 5.0 * spread)
    decay = math.exp(-float(np.mean(logs.dt[:-1][usable])) / params.slip_tau)
    lag1 = float(np.mean(slip[1:][pairs] * slip[:-1][pairs]))
    return math.degrees(math.sqrt(max(lag1 / decay, 0.0) * (1.0 - decay * decay)))


def yaw_residuals(logs: LogArrays, params: CarParams) -> np.ndarray:
    """Per-step yaw change in rad that the model's steering does not explain, given the distance actually driven.

    For the step from row ``k`` to ``k+1``: logged yaw change minus ``d · cos β · κ``, where ``d`` (m) is the
    logged origin distance and ``κ`` (1/m) the model's path curvature from its replayed steering
    (:func:`commanded_steer`, plus the trim) at the speed ``d / dt``. 0 on the last row of each episode.
    """
    replay = commanded_steer(logs, params)
    dist = np.hypot(np.diff(logs.x), np.diff(logs.y))
    speed = dist / logs.dt[:-1]
    delta = 0.5 * (replay[:-1] + replay[1:]) + params.steer_offset
    curvature = path_curvature(delta, speed, params)
    explained = dist * np.cos(np.arctan(REAR_AXLE_M * curvature)) * curvature
    same = logs.episode[1:] == logs.episode[:-1]
    return np.append(np.where(same, np.diff(logs.yaw) - explained, 0.0), 0.0)


def travel_deviation(logs: LogArrays, min_step_m: float = 0.05) -> np.ndarray:
    """How far the logged yaw strays from the direction of travel, in degrees, one value per moving step.

    For each step of at least ``min_step_m`` within an episode: direction of the origin's chord minus the
    mid-step yaw and minus the kinematic side-slip of the origin, ``atan(REAR_AXLE_M · Δyaw / d)`` (no tyre slip
    at the rear axle). Small values mean the logged yaw is locked to the path: heading errors then come from the
    path itself, not from noise in the yaw or sliding.
    """
    dx, dy, dyaw = np.diff(logs.x), np.diff(logs.y), np.diff(logs.yaw)
    dist = np.hypot(dx, dy)
    moving = (dist >= min_step_m) & (logs.episode[1:] == logs.episode[:-1])
    chord = np.arctan2(dy[moving], dx[moving])
    expected = (
        logs.yaw[:-1][moving] + 0.5 * dyaw[moving] + np.arctan(REAR_AXLE_M * dyaw[moving] / dist[moving])
    )
    return np.asarray(np.degrees(np.abs(wrap_angle(chord - expected))))


def floor_errors(
    logs: LogArrays,
    train_starts: np.ndarray,
    starts: np.ndarray,
    params: CarParams,
    horizon: int = HORIZON_STEPS,
    order: int = HISTORY_STEPS - 1,
) -> np.ndarray:
    """Heading error in degrees, ``horizon`` steps after each of ``starts``, of a better-informed reference predictor.

    The reference knows the distance actually driven in every future step (so speed errors vanish) and forecasts
    the model's unexplained yaw per step (:func:`yaw_residuals`) with the best linear autoregression of ``order``
    on the residuals observed before the start (least squares on the steps of the ``train_starts`` windows). What
    remains is the yaw change that neither the commands (through the model) nor the recent history predict: a
    reference floor for this model family, to judge how far a heading target is from the data's own noise.
    """
    u = yaw_residuals(logs, params)
    rows = np.unique((train_starts[:, None] + np.arange(horizon)[None, :]).ravel())
    lags = np.stack([u[rows - j] for j in range(1, order + 1)], axis=1)
    coef = np.linalg.lstsq(lags, u[rows], rcond=None)[0]
    history = [u[starts - j] for j in range(1, order + 1)]  # most recent first
    error = np.zeros(len(starts))
    for k in range(horizon):
        forecast = sum((c * h for c, h in zip(coef, history, strict=True)), np.zeros(len(starts)))
        error += u[starts + k] - forecast
        history = [forecast, *history[:-1]]
    return np.degrees(np.abs(error))


def closest_profile(
    logs: LogArrays, starts: np.ndarray, profiles: Mapping[str, CarParams], horizon: int = HORIZON_STEPS
) -> str:
    """Name of the profile whose ``horizon``-step predictions on ``starts`` have the smallest robust fit cost.

    The fit starts there: the simulator's car changed between releases (:data:`~reward_sdk.sim.car.PHYSICS_PROFILES`)
    and a local optimiser started from the wrong one can settle in the other's basin.
    """
    costs = {
        name: float(np.sum(_soft_l1(_residuals(logs, starts, params, horizon))))
        for name, params in profiles.items()
    }
    return min(costs, key=costs.__getitem__)


def split_episodes(logs: LogArrays, holdout_every: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """``(train, holdout)`` episode numbers: every ``holdout_every``-th episode is held out."""
    numbers = np.arange(logs.n_episodes)
    held = numbers % holdout_every == holdout_every - 1
    return numbers[~held], numbers[held]


SPEED_BINS_MPS = (0.0, 1.0, 1.5, 2.0, math.inf)  # initial-speed bins of the error table
# m of position error equivalent to 1 rad of heading error in the fit: the ratio of the two targets (0.10 m, 4°),
# so each error counts relative to its own target
HEADING_WEIGHT_M_PER_RAD = 0.10 / math.radians(4.0)
ROBUST_SCALE_M = 0.05  # m, soft-L1 transition of the fit's loss


def _residuals(logs: LogArrays, starts: np.ndarray, params: CarParams, horizon: int) -> np.ndarray:
    gap_x, gap_y, gap_yaw = _gaps(logs, starts, params, horizon)
    return np.concatenate([gap_x, gap_y, HEADING_WEIGHT_M_PER_RAD * gap_yaw])


def fit(
    logs: LogArrays,
    starts: np.ndarray,
    initial: CarParams | None = None,
    bounds: Sequence[tuple[str, float, float]] = FIT_BOUNDS,
    horizon: int = HORIZON_STEPS,
    max_evaluations: int = 400,
) -> CarParams:
    """Parameters minimising the robust 1-s prediction error on the windows ``starts``.

    Uses ``scipy.optimize.least_squares`` (trust region, soft-L1 loss) when scipy is installed, otherwise
    :func:`coordinate_search`. Fields not named in ``bounds`` keep their value from ``initial``.
    """
    base = initial or CarParams()
    names = [b[0] for b in bounds]
    low = np.array([b[1] for b in bounds])
    high = np.array([b[2] for b in bounds])
    x0 = np.clip([getattr(base, n) for n in names], low, high)

    def make(values: np.ndarray) -> CarParams:
        return base.with_values(**{n: float(v) for n, v in zip(names, values, strict=True)})

    def cost(values: np.ndarray) -> np.ndarray:
        return _residuals(logs, starts, make(values), horizon)

    try:
        from scipy.optimize import least_squares
    except ImportError:  # pragma: no cover - scipy is optional
        return coordinate_search(
            lambda v: float(np.sum(_soft_l1(cost(v)))), x0, low, high, make, max_evaluations
        )
    result = least_squares(
        cost,
        x0,
        bounds=(low, high),
        loss="soft_l1",
        f_scale=ROBUST_SCALE_M,
        x_scale=high - low,
        diff_step=1e-3,
        max_nfev=max_evaluations,
    )
    return make(result.x)


def _soft_l1(residuals: np.ndarray) -> np.ndarray:
    z = (residuals / ROBUST_SCALE_M) ** 2
    return np.asarray(2.0 * (np.sqrt(1.0 + z) - 1.0))


def coordinate_search(
    objective: object, x0: np.ndarray, low: np.ndarray, high: np.ndarray, make: object, max_evaluations: int
) -> CarParams:
    """Derivative-free fallback: try ± a step on each coordinate, halve the steps when nothing improves."""
    assert callable(objective) and callable(make)
    best = np.array(x0, dtype=float)
    best_cost = objective(best)
    steps = (high - low) / 8.0
    evaluations = 1
    while evaluations < max_evaluations and np.max(steps / (high - low)) > 1e-3:
        improved = False
        for i in range(len(best)):
            for sign in (1.0, -1.0):
                trial = best.copy()
                trial[i] = np.clip(trial[i] + sign * steps[i], low[i], high[i])
                trial_cost = objective(trial)
                evaluations += 1
                if trial_cost < best_cost:
                    best, best_cost, improved = trial, trial_cost, True
                    break
        if not improved:
            steps /= 2.0
    result = make(best)
    assert isinstance(result, CarParams)
    return result


@dataclass(frozen=True)
class ErrorRow:
    """One line of the error table: windows whose initial speed is in ``[low, high)`` m/s."""

    label: str
    windows: int
    position_median_m: float
    position_p90_m: float
    heading_median_deg: float
    heading_p90_deg: float


def error_table(
    logs: LogArrays, starts: np.ndarray, params: CarParams, horizon: int = HORIZON_STEPS
) -> list[ErrorRow]:
    """Median/p90 position (m) and heading (deg) errors of the ``horizon``-step prediction, by initial speed."""
    position, heading = errors(logs, starts, params, horizon)
    speed = initial_state(logs, starts, params)[0]
    rows = [_row("all", position, heading)]
    for low, high in itertools.pairwise(SPEED_BINS_MPS):
        chosen = (speed >= low) & (speed < high)
        label = f"{low:.1f}-{high:.1f} m/s" if math.isfinite(high) else f">= {low:.1f} m/s"
        if chosen.any():
            rows.append(_row(label, position[chosen], heading[chosen]))
    return rows


def wrap_angle(radians: np.ndarray) -> np.ndarray:
    """Angles in rad wrapped to (−π, π] (signed difference of two headings)."""
    return np.asarray(np.angle(np.exp(1j * radians)))


def median_p90(values: np.ndarray) -> tuple[float, float]:
    """Median and 90th percentile of ``values`` (the two figures every error report gives)."""
    return float(np.median(values)), float(np.percentile(values, 90))


def _row(label: str, position: np.ndarray, heading: np.ndarray) -> ErrorRow:
    return ErrorRow(label, len(position), *median_p90(position), *median_p90(heading))
