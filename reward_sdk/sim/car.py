"""The car model: a kinematic bicycle with actuator dynamics, calibrated against Gazebo training logs.

State (SI units, world frame of the track): ``x, y`` of the car model **origin** (midway between the axles; the
reward point is :data:`FRONT_OFFSET_M` ahead of it), ``yaw`` (rad, counter-clockwise from +x), ``speed`` (m/s, the
actual speed, not the command) and ``steer`` (rad, the actual front-wheel angle, + = left).

One environment step lasts :data:`TIME_STEP_S` and is integrated in :data:`SUBSTEPS` sub-steps:

1. The command in effect is the action issued ``latency`` seconds ago: a dead time of ``m + f`` steps feeds the
   command of step ``k - m - 1`` for the first fraction ``f`` of step ``k`` and that of step ``k - m`` afterwards.
2. Commands are clipped like the real service clips what it sends to Gazebo: steering to ±30°, speed to
   [0.1, 4.0] m/s. Before the first action (PREPARE step) the command in effect is a standstill.
3. Steering follows the command with a first-order lag ``steer_tau``; speed follows ``speed_gain · command`` with a
   first-order lag ``speed_tau`` whose rate is limited to ``max_accel`` / ``max_decel``.
4. Kinematic bicycle with no slip at the rear axle: path curvature ``κ = κ₀ / (1 + |κ₀ v² / a|^p)^(1/p)`` with
   ``κ₀ = tan(δ + slip + trim) / (L · (1 + K · v²))`` (effective wheelbase ``L``, understeer coefficient ``K``,
   steering trim :attr:`CarParams.steer_offset`; the tyres saturate smoothly at the lateral acceleration
   ``a`` = :attr:`CarParams.lat_accel` with sharpness ``p``, see :func:`path_curvature`), yaw rate
   ``v · cos β · κ`` and side-slip of the origin ``β = atan(REAR_AXLE_M · κ)``, the origin being
   :data:`REAR_AXLE_M` ahead of the rear axle. (The 2022 logs agree: the origin's direction of travel is the yaw
   plus ``atan(0.078 m · κ)``, within 0.13° median per step; in the 2026 logs the two differ by 0.8° median,
   unrelated to the lateral acceleration: pose noise, not sliding.)

Which car: the simulator's car changed between releases; :data:`PHYSICS_PROFILES` holds one calibration per
release and the defaults are the newest (DeepRacer-on-AWS, 2026).

The same formulas serve one car (:func:`step`, plain floats, fast) and many cars at once
(:func:`advance` with numpy arrays, used by calibration): both go through :func:`advance`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from reward_sdk.geometry import FRONT_OFFSET, WHEEL_OFFSETS

TIME_STEP_S = 1.0 / 15.0  # seconds between environment steps (camera frame rate of the real car)
SUBSTEPS = 4  # integration sub-steps per environment step
FRONT_OFFSET_M = (
    FRONT_OFFSET  # m, reward point ahead of the model origin along the body x-axis (PARAMS.md §2.0)
)
WHEELBASE_M = float(
    WHEEL_OFFSETS[2, 0] - WHEEL_OFFSETS[0, 0]
)  # m, URDF axle distance (0.164, PARAMS.md §2.1)
REAR_AXLE_M = float(-WHEEL_OFFSETS[0, 0])  # m, model origin ahead of the rear axle (0.0817, PARAMS.md §2.1)
MAX_STEERING_DEG = 30.0  # deg, Gazebo steering command clip
MIN_SPEED_CMD = 0.1  # m/s, Gazebo speed command clip (lower)
MAX_SPEED_CMD = 4.0  # m/s, Gazebo speed command clip (upper)

Num = Any  # a float, or a numpy array for the vectorised path


@dataclass(frozen=True)
class CarParams:
    """Parameters of the car model; the defaults are the calibrated ``droa-2026`` ones (see
    :data:`PHYSICS_PROFILES` and :data:`CALIBRATION_SOURCES`).

    :param wheelbase: effective wheelbase ``L`` in m.
    :param speed_gain: steady-state actual speed per commanded m/s (wheel slip, controller droop).
    :param speed_tau: time constant of the speed lag in s (0 = instantaneous).
    :param max_accel: largest speed increase in m/s².
    :param max_decel: largest speed decrease in m/s² (positive number).
    :param steer_tau: time constant of the steering lag in s.
    :param steer_rate: largest steering rate in rad/s (the hinge controller's effort limit).
    :param latency: dead time between issuing an action and its taking effect, in s.
    :param understeer: understeer coefficient ``K`` in s²/m² (yaw rate divided by ``1 + K v²``).
    :param steer_offset: steering trim in rad (+ = left) added to the actual wheel angle. The 2022 Gazebo car
        curves slightly left with straight commands: in its logs the curvature not explained by the commands
        averages +0.07 /m (≈ 0.8° of steering), alike for left and right turns, every heading, place and source.
    :param lat_accel: lateral acceleration in m/s² at which the tyres saturate: the curvature asked for,
        ``κ₀``, is reduced to ``κ₀ / (1 + |κ₀ v² / lat_accel|^p)^(1/p)`` (``math.inf`` = off). On the
        DeepRacer-on-AWS logs this law beats a pure ``K v²`` understeer (which then fits to ≈ 0): the loss of
        turning grows with the lateral acceleration demanded (grip ≈ 1 g), not with the speed alone.
    :param lat_accel_sharpness: the exponent ``p`` of that saturation (large = a hard limit).
    :param slip_tau: time constant in s of the slip state, a steering-angle offset the logs show persisting for
        a few steps (tyre slip, hinge-controller error); it decays towards zero.
    :param slip_noise_deg: standard deviation in degrees of the slip state's random kick per step (0 = off).
        ``reward sim calibrate`` prints the value that matches the logs (``calibrate.slip_noise_estimate``):
        ≈ 3.6° on the DeepRacer-on-AWS 2026 logs, ≈ 1.4° on the 2022 ones.
    :param speed_noise: relative standard deviation of multiplicative speed noise per step (0 = off).
    :param steer_noise_deg: standard deviation of additive steering noise per step in degrees (0 = off).
    """

    wheelbase: float = 0.2259
    speed_gain: float = 0.9962
    speed_tau: float = 0.00484
    max_accel: float = 15.00
    max_decel: float = 10.20
    steer_tau: float = 0.1839
    steer_rate: float = 19.72
    latency: float = 0.01634
    understeer: float = -0.00371
    steer_offset: float = 0.00488
    lat_accel: float = 9.681
    lat_accel_sharpness: float = 1.532
    slip_tau: float = 0.08279
    slip_noise_deg: float = 0.0
    speed_noise: float = 0.0
    steer_noise_deg: float = 0.0

    def with_values(self, **values: float) -> CarParams:
        """A copy with some fields replaced (unknown names raise ``TypeError``)."""
        return replace(self, **values)

    def as_dict(self) -> dict[str, float]:
        """Field name → value, in declaration order."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


DEFAULT_PHYSICS = "droa-2026"
"""The physics profile :class:`CarParams` defaults to: the newest real simulator in the logs."""

PHYSICS_PROFILES: dict[str, CarParams] = {
    "droa-2026": CarParams(),
    "drfc-2022": CarParams(
        wheelbase=0.2167,
        speed_gain=0.9861,
        speed_tau=0.1653,
        max_accel=17.91,
        max_decel=17.63,
        steer_tau=0.4364,
        steer_rate=1.277,
        latency=0.01357,
        understeer=-0.000286,
        steer_offset=0.01378,
        lat_accel=12.85,
        lat_accel_sharpness=1.011,
        slip_tau=0.4240,
    ),
}
"""Calibrated car models by the Gazebo simulator they were fitted to (see :data:`CALIBRATION_SOURCES`). The
simulator's car changed between releases: in the 2022 community simapp the steering follows its command with a
0.43 s lag limited to 1.3 rad/s; in DeepRacer-on-AWS 2026 it takes 0.18 s."""

CALIBRATION_SOURCES: dict[str, str] = {
    "droa-2026": (
        "reward sim calibrate on the DeepRacer-on-AWS training logs of deepracer-utils (aws-deepracer-community, "
        "MIT-0, commit 262e3fe3): sample-continous-action-logs.tar.gz (continuous actions, reInvent2019_wide "
        "clockwise and counter-clockwise, 300 episodes, March 2026) and sample-droa-solution-logs (discrete "
        "actions up to 2.5 m/s, Spain_track); step durations from tstamp (the sim time); every 4th episode held "
        "out (1742 windows): 1-s error median 0.077 m / 3.72 deg, p90 0.186 m / 10.5 deg (lateral-acceleration "
        "saturation; with the plain K v² law 0.083 m / 3.96 deg)"
    ),
    "drfc-2022": (
        "reward sim calibrate on the Gazebo training simtraces of deepracer-utils (aws-deepracer-community, "
        "MIT-0, commit 262e3fe3): sample-drfc-1-logs/training-simtrace, sample-drfc-3-logs/{0,1,2}/"
        "training-simtrace, sample-console-logs/sim-trace/training/training-simtrace (58 CSVs, 860 episodes, "
        "reinvent_base, discrete actions at 1 and 2 m/s, 2022); every 4th episode held out (4402 windows): 1-s "
        "error median 0.091 m / 5.45 deg, p90 0.203 m / 13.2 deg (reference predictor of the heading with the "
        "true distances driven: 5.6 deg)"
    ),
}
"""Where each profile of :data:`PHYSICS_PROFILES` comes from (logs, method, held-out error)."""

CALIBRATION_SOURCE = CALIBRATION_SOURCES[DEFAULT_PHYSICS]
"""Where the defaults of :class:`CarParams` come from."""


def physics_profile(name: str) -> CarParams:
    """The calibrated :class:`CarParams` called ``name`` (a key of :data:`PHYSICS_PROFILES`).

    :raises ValueError: unknown name (the message lists the known ones).
    """
    try:
        return PHYSICS_PROFILES[name]
    except KeyError:
        known = ", ".join(PHYSICS_PROFILES)
        raise ValueError(f"unknown physics profile {name!r}: choose one of {known}") from None


PLAIN_KINEMATIC = CarParams(
    wheelbase=0.164,
    speed_gain=1.0,
    speed_tau=0.0,
    max_accel=1e6,
    max_decel=1e6,
    steer_tau=0.0,
    steer_rate=1e6,
    latency=0.0,
    understeer=0.0,
    steer_offset=0.0,
    lat_accel=math.inf,
    slip_tau=0.0,
)
"""The uncalibrated reference: a kinematic bicycle with the geometric wheelbase that obeys every command at
once (the baseline row of the calibration table)."""


@dataclass
class CarState:
    """One car: origin pose, actual speed/steering and the queue of issued commands (for the dead time).

    :param x: origin x in m. :param y: origin y in m. :param yaw: heading in rad.
    :param speed: actual speed in m/s. :param steer: actual steering angle in rad.
    :param slip: slip state in rad (an offset added to the steering angle, decaying with ``slip_tau``).
    :param history: recent issued commands ``(steer_rad, speed_mps)``, oldest first.
    """

    x: float
    y: float
    yaw: float
    speed: float = 0.0
    steer: float = 0.0
    slip: float = 0.0
    history: list[tuple[float, float]] = field(default_factory=list)

    @property
    def front(self) -> tuple[float, float]:
        """The reward point (params ``x``, ``y``) in m."""
        return (
            self.x + FRONT_OFFSET_M * math.cos(self.yaw),
            self.y + FRONT_OFFSET_M * math.sin(self.yaw),
        )


def clip_command(steer_deg: float, speed: float) -> tuple[float, float]:
    """Clip an action like the real service does before sending it to Gazebo: returns ``(steer_rad, speed)``."""
    steer = min(max(steer_deg, -MAX_STEERING_DEG), MAX_STEERING_DEG)
    return math.radians(steer), min(max(speed, MIN_SPEED_CMD), MAX_SPEED_CMD)


def latency_split(params: CarParams, dt: float = TIME_STEP_S) -> tuple[int, float]:
    """The dead time as ``(m, f)``: whole steps ``m`` and the fraction ``f`` of a step (both ≥ 0)."""
    steps = max(params.latency, 0.0) / dt
    whole = math.floor(steps)
    return whole, steps - whole


class _MathOps:
    exp = staticmethod(math.exp)
    cos = staticmethod(math.cos)
    sin = staticmethod(math.sin)
    tan = staticmethod(math.tan)
    atan = staticmethod(math.atan)

    @staticmethod
    def clip(value: float, low: float, high: float) -> float:
        return min(max(value, low), high)


class _NumpyOps:
    exp = staticmethod(np.exp)
    cos = staticmethod(np.cos)
    sin = staticmethod(np.sin)
    tan = staticmethod(np.tan)
    atan = staticmethod(np.arctan)
    clip = staticmethod(np.clip)


def _lag_factor(tau: float, h: Num, ops: Any) -> Num:
    """Exact discretisation of a first-order lag over ``h`` seconds (1 = no lag)."""
    return 1.0 if tau <= 1e-9 else 1.0 - ops.exp(-h / tau)


Pose = tuple[Num, Num, Num, Num, Num, Num]  # (x m, y m, yaw rad, speed m/s, steer rad, slip rad)


def path_curvature(angle: Num, speed: Num, params: CarParams, ops: Any = _NumpyOps) -> Num:
    """Path curvature in 1/m for the effective wheel angle ``angle`` (rad, trim and slip included) at ``speed``.

    ``κ₀ = tan(angle) / (L (1 + K v²))``, saturated at the lateral acceleration :attr:`CarParams.lat_accel`:
    ``κ₀ / (1 + |κ₀ v² / lat_accel|^p)^(1/p)`` with ``p`` = :attr:`CarParams.lat_accel_sharpness`.
    """
    base = ops.tan(angle) / (params.wheelbase * (1.0 + params.understeer * speed * speed))
    if params.lat_accel == math.inf:  # no saturation (the 2022 profile): skip the powers
        return base
    sharpness = params.lat_accel_sharpness
    return base / (1.0 + abs(base * speed * speed / params.lat_accel) ** sharpness) ** (1.0 / sharpness)


def wheel_angle_for_curvature(curvature: np.ndarray, speed: np.ndarray, params: CarParams) -> np.ndarray:
    """The effective wheel angle (rad) whose :func:`path_curvature` at ``speed`` is ``curvature`` (arrays).

    Curvatures beyond the saturation (lateral acceleration ≥ 95 % of the limit) are treated as at 95 %.
    """
    sharpness = params.lat_accel_sharpness
    ratio = np.minimum(np.abs(curvature * speed * speed / params.lat_accel), 0.95) ** sharpness
    base = curvature / (1.0 - ratio) ** (1.0 / sharpness)
    return np.asarray(np.arctan(base * params.wheelbase * (1.0 + params.understeer * speed * speed)))


def advance(
    pose: Pose,
    old_cmd: tuple[Num, Num],
    new_cmd: tuple[Num, Num],
    old_fraction: float,
    params: CarParams,
    dt: Num = TIME_STEP_S,
    vectorised: bool = False,
) -> Pose:
    """Integrate one step of ``dt`` seconds.

    :param pose: ``(x, y, yaw, speed, steer, slip)`` at the start of the step (floats, or equal-shape arrays).
    :param old_cmd: ``(steer_rad, speed)`` in effect for the first ``old_fraction`` of the step (already clipped).
    :param new_cmd: ``(steer_rad, speed)`` in effect afterwards.
    :param old_fraction: fraction of the step in [0, 1] still driven by ``old_cmd`` (the dead time).
    :param dt: step length in s (a float, or an array of per-car lengths when vectorised).
    :param vectorised: use numpy functions (arrays) instead of :mod:`math` (floats).
    :returns: the pose at the end of the step.
    """
    ops: Any = _NumpyOps if vectorised else _MathOps
    x, y, yaw, v, delta, slip = pose
    h = dt / SUBSTEPS
    k_steer = _lag_factor(params.steer_tau, h, ops)
    k_speed = _lag_factor(params.speed_tau, h, ops)
    keep_slip = 1.0 - _lag_factor(params.slip_tau, h, ops)
    up, down = params.max_accel * h, -params.max_decel * h
    turn = params.steer_rate * h
    offset = params.steer_offset
    for j in range(SUBSTEPS):
        w_old = min(max(old_fraction * SUBSTEPS - j, 0.0), 1.0)
        steer_cmd = w_old * old_cmd[0] + (1.0 - w_old) * new_cmd[0]
        speed_cmd = w_old * old_cmd[1] + (1.0 - w_old) * new_cmd[1]
        delta = delta + ops.clip(k_steer * (steer_cmd - delta), -turn, turn)
        slip = slip * keep_slip
        v_new = v + ops.clip(k_speed * (params.speed_gain * speed_cmd - v), down, up)
        v_mid = 0.5 * (v + v_new)
        v = v_new
        curvature = path_curvature(delta + slip + offset, v_mid, params, ops)
        beta = ops.atan(REAR_AXLE_M * curvature)
        yaw_rate = v_mid * ops.cos(beta) * curvature
        course = yaw + 0.5 * yaw_rate * h + beta
        x = x + v_mid * ops.cos(course) * h
        y = y + v_mid * ops.sin(course) * h
        yaw = yaw + yaw_rate * h
    return x, y, yaw, v, delta, slip


def step(
    state: CarState,
    steer_deg: float,
    speed: float,
    params: CarParams,
    rng: np.random.Generator | None = None,
    dt: float = TIME_STEP_S,
) -> CarState:
    """Issue an action (degrees, m/s; clipped like the real service) and advance one step, in place.

    With ``rng`` and non-zero noise parameters the command actually applied is perturbed and the slip state
    gets a random kick. Returns ``state`` for chaining. (The PREPARE step issues no action: the car stands still
    and the queue stays empty.)
    """
    steer_cmd, speed_cmd = clip_command(steer_deg, speed)
    if rng is not None:
        if params.speed_noise > 0.0:
            speed_cmd *= max(0.0, 1.0 + params.speed_noise * float(rng.standard_normal()))
        if params.steer_noise_deg > 0.0:
            steer_cmd += math.radians(params.steer_noise_deg * float(rng.standard_normal()))
        if params.slip_noise_deg > 0.0:
            state.slip += math.radians(params.slip_noise_deg * float(rng.standard_normal()))
    whole, frac = latency_split(params, dt)
    history = state.history
    history.append((steer_cmd, speed_cmd))
    keep = whole + 2
    if len(history) > keep:
        del history[: len(history) - keep]

    def issued(back: int) -> tuple[float, float]:
        # the command issued `back` steps ago; before the first action the car was commanded to stand still
        return history[-1 - back] if back < len(history) else (0.0, 0.0)

    pose = advance(
        (state.x, state.y, state.yaw, state.speed, state.steer, state.slip),
        issued(whole + 1),
        issued(whole),
        frac,
        params,
        dt,
    )
    state.x, state.y, yaw, state.speed, state.steer, state.slip = pose
    state.yaw = math.atan2(math.sin(yaw), math.cos(yaw))
    return state
