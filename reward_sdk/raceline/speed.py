"""Speed profile of a racing line from the calibrated car's limits, and the lap time it predicts.

Limits, from :class:`~reward_sdk.sim.car.CarParams`:

* top speed: the largest speed command (:data:`~reward_sdk.sim.car.MAX_SPEED_CMD`, 4 m/s) times ``speed_gain``;
* lateral: :attr:`CarParams.lat_accel` is where the tyres *saturate* (the curvature asked for is cut by
  ``(1 + |κ₀ v²/a|^p)^(-1/p)``), not a grip a driver can use: at ``lat_accel`` itself the car already turns at
  ``2^(-1/p)`` (≈ 64 % for the 2026 car) of what its steering asks. The usable limit is
  ``lateral_share · lat_accel`` (default :data:`LATERAL_SHARE`), where the loss is at most
  ``1 − (1 + share^p)^(-1/p)``; the steering also bounds the curvature at each speed
  (:func:`steering_limited_speed`: the wheel angle :func:`~reward_sdk.sim.car.wheel_angle_for_curvature` gives
  must stay within :data:`STEERING_SHARE` of the 30° clip);
* longitudinal: ``max_accel`` and ``max_decel`` (m/s²), shared with the lateral demand on a friction ellipse:
  the longitudinal share left at lateral acceleration ``a_y`` is ``sqrt(1 − (a_y / a_lat)²)``.

The profile is the pointwise minimum of the lateral limit and two passes: forward (accelerate as allowed from
each point to the next) and backward (brake as allowed). Loops run each pass over two laps so the start joins the
end. Speeds in m/s, distances in m, times in s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reward_sdk.raceline.corridor import FloatArray
from reward_sdk.sim.car import MAX_SPEED_CMD, MAX_STEERING_DEG, CarParams, wheel_angle_for_curvature

LATERAL_SHARE = 0.45  # share of CarParams.lat_accel the profile uses in corners
STEERING_SHARE = 0.8  # share of the 30° steering clip the profile may ask for
MIN_SPEED_MPS = 0.5  # m/s, the slowest target speed


@dataclass(frozen=True)
class Limits:
    """The car's limits the profile respects.

    :param top_speed: m/s. :param lateral: usable lateral acceleration, m/s². :param accel: m/s².
    :param decel: m/s² (positive). :param min_speed: slowest target speed, m/s.
    :param steering_deg: largest wheel angle a corner may need, degrees.
    """

    top_speed: float
    lateral: float
    accel: float
    decel: float
    min_speed: float = MIN_SPEED_MPS
    steering_deg: float = STEERING_SHARE * MAX_STEERING_DEG

    @classmethod
    def of(
        cls, car: CarParams, lateral_share: float = LATERAL_SHARE, top_speed: float | None = None
    ) -> Limits:
        """The limits of ``car`` (see the module docstring); ``top_speed`` caps the top speed further."""
        top = MAX_SPEED_CMD * car.speed_gain
        lateral = lateral_share * car.lat_accel if math.isfinite(car.lat_accel) else 0.5 * 9.81
        return cls(min(top, top_speed or top), lateral, car.max_accel, car.max_decel)


def steering_limited_speed(curvature: FloatArray, car: CarParams, limits: Limits) -> FloatArray:
    """(N,) the fastest speed in m/s at which each curvature needs at most ``limits.steering_deg`` of steering
    (bisection on :func:`~reward_sdk.sim.car.wheel_angle_for_curvature`; the top speed where it never does)."""
    wanted = math.radians(limits.steering_deg)
    low = np.zeros(len(curvature))
    high = np.full(len(curvature), limits.top_speed)
    fits = np.abs(wheel_angle_for_curvature(curvature, high, car)) <= wanted
    for _ in range(30):
        middle = 0.5 * (low + high)
        ok = np.abs(wheel_angle_for_curvature(curvature, middle, car)) <= wanted
        low = np.where(ok, middle, low)
        high = np.where(ok, high, middle)
    return np.where(fits, limits.top_speed, low)


def speed_profile(
    curvature: FloatArray, steps: FloatArray, car: CarParams, limits: Limits, is_loop: bool
) -> FloatArray:
    """(N,) target speeds in m/s at each point of a line.

    :param curvature: (N,) curvature of each point, 1/m.
    :param steps: (N,) distance from each point to the next one, m (the last is the closing step of a loop and
        unused for open lines).
    """
    bend = np.maximum(np.abs(curvature), 1e-9)
    cap = np.minimum(np.sqrt(limits.lateral / bend), limits.top_speed)
    cap = np.minimum(cap, steering_limited_speed(curvature, car, limits))
    cap = np.maximum(cap, limits.min_speed)
    # a loop starts both passes at its slowest point, whose speed no pass can change; an open line starts at rest
    first = int(np.argmin(cap)) if is_loop else 0
    forward = _sweep(cap, steps, bend, limits.accel, limits, first, 1, cap[first] if is_loop else 0.0)
    last = first if is_loop else len(cap) - 1
    backward = _sweep(forward, steps, bend, limits.decel, limits, last, -1, forward[last])
    return np.maximum(backward, limits.min_speed)


def _sweep(
    cap: FloatArray,
    steps: FloatArray,
    bend: FloatArray,
    accel: float,
    limits: Limits,
    start: int,
    direction: int,
    start_speed: float,
) -> FloatArray:
    """One pass of :func:`speed_profile`: from ``start`` in ``direction`` (+1 forward, -1 backward), each point's
    speed is at most what ``accel`` (m/s², on the friction ellipse) reaches from the previous point; the speed at
    ``start`` is ``start_speed``."""
    n = len(cap)
    out = cap.copy()
    speed = min(float(cap[start]), float(start_speed))
    out[start] = speed
    for count in range(1, n):
        i = (start + direction * count) % n
        before = (i - direction) % n
        step = float(steps[before] if direction > 0 else steps[i])
        k = float(bend[before])
        lateral = min(speed * speed * k / limits.lateral, 1.0)
        reach = speed * speed + 2.0 * accel * math.sqrt(1.0 - lateral * lateral) * step
        speed = min(float(cap[i]), math.sqrt(reach))
        out[i] = speed
    return out


def lap_time(speeds: FloatArray, steps: FloatArray, is_loop: bool) -> float:
    """Seconds to drive the line at ``speeds`` (mean speed over each step); open lines skip the last step."""
    following = np.roll(speeds, -1)
    used = slice(None) if is_loop else slice(0, len(speeds) - 1)
    mean = 0.5 * (speeds[used] + following[used])
    return float(np.sum(steps[used] / np.maximum(mean, 1e-9)))
