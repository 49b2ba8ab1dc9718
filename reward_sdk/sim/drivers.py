"""Scripted drivers: steer the car without learning (tests, lint's incentive audit, baselines).

A driver is called before every RUN step with the :class:`~reward_sdk.sim.episode.Race` and returns a command
``(steering_angle deg, speed m/s)``; run it with a :class:`~reward_sdk.sim.actions.CommandSpace` race.

:class:`PurePursuit` follows a line parallel to the centre line (lateral ``offset`` m, + = left of the driving
direction, optionally weaving sinusoidally) by pure pursuit from the pose the car will reach once a new command
has taken effect (the calibrated steering lags ~0.45 s), with lead compensation of the steering command. The audit's
behaviours are presets of it (:func:`centre_line`, :func:`weaving`, :func:`hugging_border`, :func:`crawling`,
:func:`reverse`), plus :class:`Straight` (constant steering: heads off the track).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reward_sdk.sim.car import MAX_STEERING_DEG
from reward_sdk.sim.trackline import Cursor, TrackLine
from reward_sdk.tracks import Track

if TYPE_CHECKING:
    from reward_sdk.sim.episode import Race

LOOKAHEAD_BASE_M = 0.3  # m, pure-pursuit look-ahead beyond the predicted position
LOOKAHEAD_PER_MPS = 0.15  # s, extra look-ahead per m/s of commanded speed
PREDICT_S = 0.0  # s, prediction horizon added to the steering time constant
LEAD_GAIN = 2.0  # command = steer + gain · (wanted − steer): compensates the steering lag


@dataclass
class PurePursuit:
    """Follow the centre line (or a parallel line) at a set speed.

    :param speed: commanded speed in m/s.
    :param offset: lateral offset of the followed line in m (+ = left of the driving direction).
    :param weave_amplitude: amplitude in m of a sinusoidal weave around the followed line (0 = none).
    :param weave_period: distance in m along the track of one weave period.
    :param backwards: follow the line against the driving direction (start the car turned around).
    :param flick_deg: steering added on top of the pursuit command, alternating in sign every ``flick_steps``
        steps: the left-right flicking of a zig-zagging policy (0 = none).
    :param flick_steps: RUN steps between sign changes of the flick.
    """

    speed: float = 1.0
    offset: float = 0.0
    weave_amplitude: float = 0.0
    weave_period: float = 3.0
    backwards: bool = False
    flick_deg: float = 0.0
    flick_steps: int = 3
    _cursor: Cursor | None = field(default=None, repr=False)

    def __call__(self, race: Race) -> tuple[float, float]:
        if self._cursor is None or self._cursor.line.track_id != id(race.track):
            self._cursor = Cursor(TrackLine.of(race.track))
        line = self._cursor.line
        car, params = race.car, race.config.car
        wheelbase = params.wheelbase
        # where the car will be once a new command has mostly taken effect (the steering lags)
        horizon = PREDICT_S + params.steer_tau
        rate = car.speed * math.tan(car.steer + car.slip) / wheelbase
        yaw = car.yaw + rate * horizon
        mid = car.yaw + 0.5 * rate * horizon
        x = car.x + car.speed * horizon * math.cos(mid)
        y = car.y + car.speed * horizon * math.sin(mid)
        i = self._cursor.nearest(car.x, car.y)
        ahead = car.speed * horizon
        lookahead = LOOKAHEAD_BASE_M + LOOKAHEAD_PER_MPS * self.speed
        s = line.arc[i] + (-1.0 if self.backwards else 1.0) * (ahead + lookahead)
        j = self._index_at(line, s)
        lateral = self.offset
        if self.weave_amplitude:
            lateral += self.weave_amplitude * math.sin(2.0 * math.pi * line.arc[j] / self.weave_period)
        tx, ty = line.points[j] + lateral * line.normals[j]
        alpha = math.atan2(ty - y, tx - x) - yaw
        alpha = math.atan2(math.sin(alpha), math.cos(alpha))
        distance = max(math.hypot(tx - x, ty - y), 1e-3)
        wanted = math.atan(2.0 * wheelbase * math.sin(alpha) / distance)
        command = car.steer + LEAD_GAIN * (wanted - car.steer)  # lead compensation of the steering lag
        steer = math.degrees(command)
        if self.flick_deg:
            steer += self.flick_deg * (1.0 if (race.steps // max(1, self.flick_steps)) % 2 == 0 else -1.0)
        return max(-MAX_STEERING_DEG, min(MAX_STEERING_DEG, steer)), self.speed

    @staticmethod
    def _index_at(line: TrackLine, s: float) -> int:
        return line.index_at(s)


@dataclass
class Straight:
    """Constant command: with ``steering_angle = 0`` the car drives straight on and leaves at the first bend."""

    speed: float = 1.0
    steering_angle: float = 0.0

    def __call__(self, race: Race) -> tuple[float, float]:
        return self.steering_angle, self.speed


def centre_line(speed: float = 1.0) -> PurePursuit:
    """Follow the centre line at ``speed`` m/s."""
    return PurePursuit(speed=speed)


def weaving(
    speed: float = 1.0,
    amplitude: float = 0.2,
    period: float = 2.0,
    flick_deg: float = 15.0,
    flick_steps: int = 2,
) -> PurePursuit:
    """Zig-zag around the centre line: ± ``amplitude`` m every ``period`` m, with the steering flicked
    ± ``flick_deg`` every ``flick_steps`` steps as zig-zagging policies do (the steering lag of the calibrated car
    filters a pure path weave so much that it alone hardly shows in the logs)."""
    return PurePursuit(
        speed=speed,
        weave_amplitude=amplitude,
        weave_period=period,
        flick_deg=flick_deg,
        flick_steps=flick_steps,
    )


def hugging_border(track: Track, speed: float = 1.0, side: str = "left", margin: float = 0.1) -> PurePursuit:
    """Follow a line ``margin`` m inside the ``left``/``right`` border (wheels stay on the road)."""
    half = 0.5 * track.width - margin
    return PurePursuit(speed=speed, offset=half if side == "left" else -half)


def crawling(speed: float = 0.3) -> PurePursuit:
    """Follow the centre line very slowly."""
    return PurePursuit(speed=speed)


def reverse(speed: float = 1.0) -> PurePursuit:
    """Drive the lap the wrong way round (use with ``Race.reset(turned_around=True)``)."""
    return PurePursuit(speed=speed, backwards=True)


def off_track(speed: float = 1.5, steering_angle: float = 0.0) -> Straight:
    """Head off the track: a constant command that ignores the road."""
    return Straight(speed=speed, steering_angle=steering_angle)
