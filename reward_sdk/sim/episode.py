"""Episode rules of the real service (PARAMS.md §3), around the car model and ``reward_sdk.geometry``.

Lifecycle of one episode:

1. :meth:`Race.reset` places the car origin on the centre line at the next round-robin start (``start_spacing``
   of a lap after the previous episode's start), facing the next waypoint, at rest, and runs the **PREPARE** step:
   ``steps = 1``, reward 0.0, status ``prepare``, the car does not move.
2. Every :meth:`Race.step` (a RUN step): ``steps += 1``; params are computed on the **pre-action pose** with the
   commanded steering/speed of the new action; the termination rules run on that pose; the reward function is
   called on those params; then, unless the episode ended, the car executes the action for one step.
3. Rules, in the real priority order: ``lap_complete`` (progress ≥ 100) > ``off_track`` (no wheel centre on the
   road) > ``immobilized`` (origin moved ≤ 0.3 mm per step for 15 RUN steps) > ``time_up`` (step cap) >
   ``reversed`` (progress decreased on 15 consecutive RUN steps).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reward_sdk import geometry
from reward_sdk.sim.actions import ActionSpace, DiscreteActionSpace, discrete_grid
from reward_sdk.sim.car import TIME_STEP_S, CarParams, CarState, step
from reward_sdk.tracks import Track

PREPARE, IN_PROGRESS = "prepare", "in_progress"
OFF_TRACK, REVERSED, LAP_COMPLETE, TIME_UP, IMMOBILIZED = (
    "off_track",
    "reversed",
    "lap_complete",
    "time_up",
    "immobilized",
)
TERMINAL_STATUSES = (LAP_COMPLETE, OFF_TRACK, IMMOBILIZED, TIME_UP, REVERSED)  # priority order
ROUND_ROBIN_SPACING = 0.05  # fraction of a lap between consecutive episode starts (ROUND_ROBIN_ADVANCE_DIST)
REVERSE_STEPS = (
    15  # consecutive RUN steps of decreasing progress that end an episode (NUMBER_OF_REVERSE_COUNTS)
)
IMMOBILIZED_STEPS = 15  # RUN steps without moving that end an episode (NUM_STEPS_TO_CHECK_STUCK)
IMMOBILIZED_DISTANCE_M = 0.0003  # m per step below which the origin counts as not moving
DEFAULT_MAX_STEPS = 100_000  # hard cap of the real environment

RewardFn = Callable[[dict[str, Any]], float]


@dataclass(frozen=True)
class RaceConfig:
    """Episode settings.

    :param start_spacing: lap fraction between consecutive episode starts (0 = always the start line).
    :param first_start: lap fraction of the first episode's start.
    :param max_steps: step cap (status ``time_up``), counted like ``params['steps']``.
    :param car: car-model parameters (calibrated defaults).
    :param seed: seed of the car-model noise (used only when ``car`` has non-zero noise).
    """

    start_spacing: float = ROUND_ROBIN_SPACING
    first_start: float = 0.0
    max_steps: int = DEFAULT_MAX_STEPS
    car: CarParams = field(default_factory=CarParams)
    seed: int | None = None


@dataclass
class StepResult:
    """What one step produced: the params dict handed to the reward, the reward, status and the logged row.

    ``params`` is the very dict the reward function received: user code may have changed any of its keys (the
    sandbox hands it over without a copy), so nothing reported reads it after the call. The simulator's own
    figures are ``status``, ``row`` (built before the call) and the :class:`Race` attributes ``steps``,
    ``progress``, ``lap_time``.
    """

    params: dict[str, Any]
    reward: float
    status: str
    done: bool
    row: dict[str, Any]


class Race:
    """Episodes on one track with the real service's rules; no gymnasium, no sandbox.

    :param track: the track, already in the driving direction (use ``track.reversed()`` for the other way).
    :param action_space: how actions map to ``(steering_angle, speed)`` commands.
    :param reward: the reward function (called on RUN steps only); ``None`` gives reward 0.0.
    :param config: episode settings.
    :param record_rows: build the SIM_TRACE_LOG record of every step (``StepResult.row``; empty when False).
    """

    def __init__(
        self,
        track: Track,
        action_space: ActionSpace | None = None,
        reward: RewardFn | None = None,
        config: RaceConfig | None = None,
        record_rows: bool = True,
    ) -> None:
        self.track = track
        self.record_rows = record_rows
        self.action_space: ActionSpace = action_space or discrete_grid()
        self.reward_fn = reward
        self.config = config or RaceConfig()
        self.rng = np.random.default_rng(self.config.seed)
        self.episode = -1
        self.start_ndist = self.config.first_start % 1.0
        self.car = CarState(0.0, 0.0, 0.0)
        self.steps = 0
        self.progress = 0.0  # progress (%) of the last step, as the simulator computed it
        self.prev_progress = 0.0
        self.sim_time = 0.0
        self.status = PREPARE
        self._reverse_count = 0
        self._still_count = 0
        self.last_params: dict[str, Any] = {}

    # -- episode -------------------------------------------------------------------------------------------------
    def reset(self, start_ndist: float | None = None, turned_around: bool = False) -> StepResult:
        """Start the next episode (round-robin start unless ``start_ndist`` is given) and run its PREPARE step.

        ``turned_around`` faces the car against the driving direction (a test/audit facility; the real service
        always starts facing forward).
        """
        self.episode += 1
        if start_ndist is not None:
            self.start_ndist = start_ndist % 1.0
        elif self.episode > 0:
            self.start_ndist = (self.start_ndist + self.config.start_spacing) % 1.0
        x, y, heading = geometry.start_pose(self.track, self.start_ndist)
        yaw = math.radians(heading + (180.0 if turned_around else 0.0))
        self.car = CarState(x, y, math.atan2(math.sin(yaw), math.cos(yaw)))
        self.sim_time = 0.0
        self.steps = 1
        self.prev_progress = 0.0
        self._reverse_count = self._still_count = 0
        self.status = PREPARE
        default = self.action_space.default_action
        steer, speed = self.action_space.command(default)
        params = self._params(steer, speed)
        self.prev_progress = self.progress = float(params["progress"])
        row = self._row(params, default, 0.0, False, PREPARE)
        return StepResult(params, 0.0, PREPARE, False, row)

    def step(self, action: Any) -> StepResult:
        """One RUN step with ``action`` (index or policy output): reward on the pre-action pose, then move."""
        if self.status not in (PREPARE, IN_PROGRESS):
            raise RuntimeError("episode is over: call reset() first")
        self.steps += 1
        steer, speed = self.action_space.command(action)
        params = self._params(steer, speed)
        status = self._judge(params)
        done = status != IN_PROGRESS
        row = self._row(params, action, 0.0, done, status) if self.record_rows else {}
        progress = self.progress = float(params["progress"])
        # nothing is read from params after this call: the reward function may own (and mutate) the dict
        reward = float(self.reward_fn(params)) if self.reward_fn is not None else 0.0
        if row:
            row["reward"] = reward
        self.status = status
        self.prev_progress = 0.0 if progress >= 100.0 else progress
        if not done:
            before = (self.car.x, self.car.y)
            step(self.car, steer, speed, self.config.car, self.rng)
            moved = math.hypot(self.car.x - before[0], self.car.y - before[1])
            self._still_count = self._still_count + 1 if moved <= IMMOBILIZED_DISTANCE_M else 0
            self.sim_time += TIME_STEP_S
        return StepResult(params, reward, status, done, row)

    # -- helpers -------------------------------------------------------------------------------------------------
    def _params(self, steer: float, speed: float) -> dict[str, Any]:
        params = geometry.params_from_pose(
            self.track,
            self.car.x,
            self.car.y,
            math.degrees(self.car.yaw),
            speed=speed,
            steering_angle=steer,
            steps=float(self.steps),
            start_ndist=self.start_ndist,
            prev_progress=self.prev_progress,
            origin=True,
        )
        self.last_params = params  # also handed to the reward: trust it only until the reward call
        return params

    def _judge(self, params: dict[str, Any]) -> str:
        progress = float(params["progress"])
        self._reverse_count = self._reverse_count + 1 if progress < self.prev_progress else 0
        if progress >= 100.0:
            return LAP_COMPLETE
        if params["is_offtrack"]:
            return OFF_TRACK
        if self._still_count >= IMMOBILIZED_STEPS:
            return IMMOBILIZED
        if self.steps >= self.config.max_steps:
            return TIME_UP
        if self._reverse_count >= REVERSE_STEPS:
            return REVERSED
        return IN_PROGRESS

    def _row(
        self, params: dict[str, Any], action: Any, reward: float, done: bool, status: str
    ) -> dict[str, Any]:
        """The SIM_TRACE_LOG record of this step (17 fields)."""
        prev, nxt = params["closest_waypoints"]
        waypoints = self.track.center
        px, py = params["x"], params["y"]
        closest = min((prev, nxt), key=lambda i: (waypoints[i][0] - px) ** 2 + (waypoints[i][1] - py) ** 2)
        return {
            "episode": self.episode,
            "steps": params["steps"],
            "X": px,
            "Y": py,
            "yaw": params["heading"],
            "steer": params["steering_angle"],
            "throttle": params["speed"],
            "action": self.action_space.log_action(action),
            "reward": reward,
            "done": done,
            "all_wheels_on_track": params["all_wheels_on_track"],
            "progress": params["progress"],
            "closest_waypoint": int(closest),
            "track_len": params["track_length"],
            "tstamp": round(self.sim_time, 3),
            "episode_status": status,
            "pause_duration": 0.0,
        }

    @property
    def lap_time(self) -> float:
        """Seconds of simulated driving in the current episode (moves × :data:`TIME_STEP_S`)."""
        return self.sim_time


def is_discrete(space: ActionSpace) -> bool:
    return isinstance(space, DiscreteActionSpace)
