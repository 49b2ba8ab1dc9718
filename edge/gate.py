"""The accuracy gate an exported model must pass (numpy only).

1. **Agreement** on held-out observations (a drive from starts the calibration never saw): the exported model's
   action equals the torch policy's action on at least ``threshold`` (default 99 %) of them. Discrete: same
   argmax. Continuous: after clipping to [−1, 1] and mapping to the action space's units, |Δsteering| ≤ 1° and
   |Δspeed| ≤ 0.05 m/s.
2. **Laps**: driving the same starts with torch and with the exported model completes the same set of laps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reward_sdk.sim.actions import ActionSpace, ContinuousActionSpace

DEFAULT_MAX_DROP = 0.01  # the gate's threshold is 1 - max_drop of agreement (99 %)


@dataclass(frozen=True)
class Tolerance:
    """Continuous tolerance in the action space's units; ``*_per_unit`` convert a policy output difference of 1
    into degrees / m/s (half the range)."""

    steer_deg: float = 1.0
    speed_mps: float = 0.05
    steer_per_unit: float = 30.0
    speed_per_unit: float = 1.25

    @classmethod
    def of(cls, actions: ActionSpace) -> Tolerance:
        """The tolerance for ``actions`` (the unit conversions of a continuous space; unused for discrete)."""
        if isinstance(actions, ContinuousActionSpace):
            return cls(
                steer_per_unit=0.5 * (actions.steering_high - actions.steering_low),
                speed_per_unit=0.5 * (actions.speed_high - actions.speed_low),
            )
        return cls()


@dataclass(frozen=True)
class Agreement:
    """How often two models choose the same action.

    :param rate: fraction of observations in agreement (1.0 = all). :param count: observations compared.
    :param max_abs_diff: largest |Δ| of the raw outputs (logits or policy outputs).
    :param max_steer_deg: largest |Δsteering| in degrees (continuous; 0 for discrete).
    :param max_speed_mps: largest |Δspeed| in m/s (continuous; 0 for discrete).
    """

    rate: float
    count: int
    max_abs_diff: float
    max_steer_deg: float = 0.0
    max_speed_mps: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement": self.rate,
            "observations": self.count,
            "max_abs_diff": self.max_abs_diff,
            "max_steer_deg": self.max_steer_deg,
            "max_speed_mps": self.max_speed_mps,
        }


def agreement(outputs: np.ndarray, reference: np.ndarray, discrete: bool, tolerance: Tolerance) -> Agreement:
    """Compare raw outputs ``(n, k)`` of a candidate with the ``reference`` ones (see the module docstring)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if outputs.shape != reference.shape:
        raise ValueError(f"outputs {outputs.shape} and reference {reference.shape} differ in shape")
    count = len(outputs)
    if count == 0:
        return Agreement(1.0, 0, 0.0)
    max_abs = float(np.max(np.abs(outputs - reference)))
    if discrete:
        same = outputs.argmax(axis=1) == reference.argmax(axis=1)
        return Agreement(float(same.mean()), count, max_abs)
    delta = np.abs(np.clip(outputs, -1.0, 1.0) - np.clip(reference, -1.0, 1.0))
    steer = delta[:, 0] * tolerance.steer_per_unit
    speed = delta[:, 1] * tolerance.speed_per_unit
    same = (steer <= tolerance.steer_deg) & (speed <= tolerance.speed_mps)
    return Agreement(float(same.mean()), count, max_abs, float(steer.max()), float(speed.max()))


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict: agreement, threshold, and the completed laps of torch and of the candidate."""

    agreement: Agreement
    threshold: float
    torch_complete: frozenset[float]
    model_complete: frozenset[float]
    laps: int

    @property
    def agreement_ok(self) -> bool:
        return self.agreement.rate >= self.threshold

    @property
    def laps_ok(self) -> bool:
        return self.torch_complete == self.model_complete

    @property
    def passed(self) -> bool:
        return self.agreement_ok and self.laps_ok

    def reason(self) -> str:
        """One line saying why the gate failed ('' when it passed)."""
        parts = []
        if not self.agreement_ok:
            parts.append(
                f"actions agree on {100 * self.agreement.rate:.2f}% of {self.agreement.count} held-out "
                f"observations (< {100 * self.threshold:.2f}%)"
            )
        if not self.laps_ok:
            parts.append(
                f"laps completed differ: torch {len(self.torch_complete)}/{self.laps}, "
                f"exported {len(self.model_complete)}/{self.laps}"
            )
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.agreement.to_json(),
            "threshold": self.threshold,
            "laps": self.laps,
            "torch_laps_completed": len(self.torch_complete),
            "model_laps_completed": len(self.model_complete),
            "same_laps_complete": self.laps_ok,
            "passed": self.passed,
        }
