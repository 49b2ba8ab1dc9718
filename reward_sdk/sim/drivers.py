"""Scripted drivers: steer the car without learning (tests, lint's incentive audit, baselines).

A driver is called before every RUN step with the :class:`~reward_sdk.sim.episode.Race` and returns a command
``(steering_angle deg, speed m/s)``; run it with a :class:`~reward_sdk.sim.actions.CommandSpace` race.

:class:`PurePursuit` follows a line parallel to the centre line (lateral ``offset`` m, + = left of the driving
direction, optionally weaving sinusoidally) by pure pursuit from the pose the car will reach once a new command
has taken effect (the calibrated steering lags ~0.45 s), with lead compensation of the steering command. The audit's
behaviours are presets of it (:func:`centre_line`, :func:`weaving`, :func:`hugging_border`, :func:`crawling`,
:func:`reverse`), plus :class:`Straight` (constant steering: heads off the track). :class:`LinePursuit`
(:func:`racing_line`) follows a given line, such as a racing line, with a target speed at each of its points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from reward_sdk.sim.car import MAX_STEERING_DEG
from reward_sdk.sim.trackline import SAMPLE_SPACING_M, Cursor, TrackLine
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


def _line_track(track: Track, points: np.ndarray) -> Track:
    """A stand-in track whose centre line is ``points`` (a loop without its closing point, or an open line), so
    :meth:`TrackLine.of` samples it like a centre line."""
    closed = np.vstack([points, points[:1]]) if track.is_loop else np.asarray(points, dtype=float)
    return Track(f"{track.name}:line", closed, closed, closed, track.is_loop)


@dataclass
class LinePursuit(PurePursuit):
    """Pure pursuit of a given line (a racing line) with a target speed at each of its points.

    The line replaces the centre line of :class:`PurePursuit` (offset, weave and flick stay available around
    it); the commanded speed is the lowest target speed over the next ``brake_lookahead_s`` seconds of driving
    at the current speed (the car has to be slow *before* the corner), times ``speed_scale``.

    :param points: (N, 2) line points in m, in the driving direction; a loop without its closing point.
    :param speeds: (N,) target speed at each point in m/s.
    :param speed_scale: factor on every target speed.
    :param brake_lookahead_s: seconds of driving ahead whose slowest target speed is commanded.
    """

    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    speeds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    speed_scale: float = 1.0
    brake_lookahead_s: float = 0.25
    lookahead_factor: float = 0.0
    _sample_speeds: np.ndarray | None = field(default=None, repr=False)

    def __call__(self, race: Race) -> tuple[float, float]:
        if self._cursor is None or self._cursor.line.track_id != id(race.track):
            stand_in = TrackLine.of(_line_track(race.track, np.asarray(self.points, dtype=float)))
            line = replace(stand_in, track_id=id(race.track))
            self._cursor = Cursor(line)
            self._sample_speeds = self._speeds_along(line)
        assert self._sample_speeds is not None
        line = self._cursor.line
        i = self._cursor.nearest(race.car.x, race.car.y)
        ahead = max(race.car.speed, 0.5) * self.brake_lookahead_s
        span = max(1, round(ahead / SAMPLE_SPACING_M))
        window = np.arange(i, i + span + 1)
        window = window % len(line.points) if line.is_loop else np.minimum(window, len(line.points) - 1)
        target = float(np.min(self._sample_speeds[window])) * self.speed_scale
        self.speed = target * self.lookahead_factor  # PurePursuit's look-ahead grows with self.speed
        steer, _ = super().__call__(race)
        self.speed = target
        return steer, target

    def _speeds_along(self, line: TrackLine) -> np.ndarray:
        """Target speeds at the samples of ``line`` (interpolated along the arc of the given points)."""
        points = np.asarray(self.points, dtype=float)
        closed = np.vstack([points, points[:1]]) if line.is_loop else points
        arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(closed, axis=0).T))])
        speeds = np.asarray(self.speeds, dtype=float)
        values = np.append(speeds, speeds[0]) if line.is_loop else speeds
        return np.asarray(np.interp(line.arc * (arc[-1] / line.length), arc, values), dtype=float)


def racing_line(
    track: Track,
    line: np.ndarray,
    speeds: np.ndarray,
    speed_scale: float = 1.0,
    brake_lookahead_s: float = 0.25,
) -> LinePursuit:
    """Follow ``line`` ((N, 2) points, m; a loop without its closing point) at the per-point target ``speeds``
    (m/s) on ``track`` — e.g. a :class:`reward_sdk.raceline.RacingLine`'s ``points`` and ``speeds``; see
    :class:`LinePursuit` for ``speed_scale`` and ``brake_lookahead_s``.

    :raises ValueError: fewer than 3 points, or not one speed per point."""
    if len(line) != len(speeds) or len(line) < 3:
        raise ValueError(
            f"racing line needs >= 3 points and one speed per point, got {len(line)}/{len(speeds)}"
        )
    del track  # the line is matched to the race's track when driving (the sandbox worker has its own copy)
    return LinePursuit(
        speed=float(speeds[0]),
        points=np.asarray(line, dtype=float),
        speeds=np.asarray(speeds, dtype=float),
        speed_scale=speed_scale,
        brake_lookahead_s=brake_lookahead_s,
    )
