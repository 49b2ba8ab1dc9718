"""Scripted laps in the simulator: the racing line's driver against the best centre-line driver.

The racing line's lap is driven by :func:`reward_sdk.sim.drivers.racing_line` at the line's target speeds; the
reference is the centre-line driver (:func:`reward_sdk.sim.drivers.centre_line`) at the fastest constant speed
(on a 0.1 m/s grid) at which it still completes every lap. Both start from rest on the start line, like the
first lap of an evaluation. Times in s, speeds in m/s.
"""

from __future__ import annotations

from dataclasses import dataclass

from reward_sdk.raceline.build import RacingLine
from reward_sdk.sim import drivers
from reward_sdk.sim.car import MAX_SPEED_CMD, CarParams
from reward_sdk.sim.episode import LAP_COMPLETE, RaceConfig
from reward_sdk.sim.rollout import Driver, drive
from reward_sdk.tracks import Track

SPEED_GRID_MPS = 0.1  # m/s, resolution of the centre-line driver's speed search
SLOWEST_CENTRE_MPS = 0.5  # m/s, the slowest centre-line speed tried


@dataclass(frozen=True)
class LapResult:
    """Laps of one driver: ``lap_times`` (s) of the completed laps, ``statuses`` of every episode, and the
    commanded ``speed`` (m/s; the centre-line driver's constant speed, 0 for the racing line)."""

    lap_times: tuple[float, ...]
    statuses: tuple[str, ...]
    speed: float = 0.0

    @property
    def completed(self) -> bool:
        """Every episode completed its lap."""
        return bool(self.statuses) and all(status == LAP_COMPLETE for status in self.statuses)

    @property
    def best(self) -> float | None:
        """Fastest completed lap in s (None without one)."""
        return min(self.lap_times) if self.lap_times else None


def drive_laps(track: Track, driver: Driver, laps: int = 1, car: CarParams | None = None) -> LapResult:
    """Drive ``laps`` episodes from the start line (every one from rest at lap fraction 0)."""
    config = RaceConfig(car=car or CarParams(), start_spacing=0.0)
    episodes = drive(None, track, driver, laps, config, start_ndist=0.0)["episodes"]
    statuses = tuple(str(e["status"]) for e in episodes)
    times = tuple(float(e["lap_time"]) for e in episodes if e["status"] == LAP_COMPLETE)
    return LapResult(times, statuses)


def racing_line_laps(line: RacingLine, laps: int = 1, car: CarParams | None = None) -> LapResult:
    """The racing line driven by :func:`reward_sdk.sim.drivers.racing_line`."""
    return drive_laps(line.track, drivers.racing_line(line.track, line.points, line.speeds), laps, car)


def best_centre_laps(track: Track, laps: int = 1, car: CarParams | None = None) -> LapResult:
    """The centre-line driver at the fastest grid speed that completes every lap (bisection: a speed that
    completes is assumed to mean every slower one does)."""
    low, high = round(SLOWEST_CENTRE_MPS / SPEED_GRID_MPS), round(MAX_SPEED_CMD / SPEED_GRID_MPS)
    best = LapResult((), ("not tried",), 0.0)
    top = drive_laps(track, drivers.centre_line(high * SPEED_GRID_MPS), laps, car)
    if top.completed:
        return LapResult(top.lap_times, top.statuses, high * SPEED_GRID_MPS)
    while low < high:
        middle = (low + high) // 2
        speed = middle * SPEED_GRID_MPS
        result = drive_laps(track, drivers.centre_line(speed), laps, car)
        if result.completed:
            best = LapResult(result.lap_times, result.statuses, speed)
            low = middle + 1
        else:
            high = middle
    return best
