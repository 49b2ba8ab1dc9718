"""Drive the simulator with any deterministic ``predict`` from chosen starts; no torch, no SB3.

The loop is :func:`trainer.evaluation.evaluate`'s (the same :class:`~reward_sdk.sim.episode.Race` rules and
observations, all cars asked in one ``predict`` call per step; a test checks both give the same laps) with two
additions the edge stage needs: explicit start positions (so calibration, held-out and gate drives use different
starts) and the recording of every observation. Every observation fed to
``predict`` can be recorded (the calibration and held-out sets of :mod:`edge.export`).

Observations (the shared run format):

* ``features``: ``(n, 10)`` float32, :func:`reward_sdk.sim.observe.features`;
* ``camera``: ``(n, 1, 120, 160)`` uint8, channel-first gray frames of :func:`reward_sdk.sim.camera.render` seen
  from the car's front point.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from reward_sdk.errors import UserError
from reward_sdk.sim import camera
from reward_sdk.sim.actions import ActionSpace, DiscreteActionSpace
from reward_sdk.sim.car import CarParams
from reward_sdk.sim.episode import Race, RaceConfig
from reward_sdk.sim.observe import FEATURE_NAMES, features
from reward_sdk.sim.trackline import Cursor, TrackLine
from reward_sdk.tracks import Track
from trainer.evaluation import EVAL_MAX_STEPS, EvalResult, camera_frame

OBSERVATIONS = ("features", "camera")
FEATURES_SHAPE: tuple[int, ...] = (len(FEATURE_NAMES),)
CAMERA_SHAPE: tuple[int, ...] = (1, camera.HEIGHT_PX, camera.WIDTH_PX)
Predict = Callable[[np.ndarray], np.ndarray]


def observation_shape(kind: str) -> tuple[int, ...]:
    """Shape of one observation of ``kind`` (without the batch axis). :raises UserError: unknown kind."""
    if kind == "features":
        return FEATURES_SHAPE
    if kind == "camera":
        return CAMERA_SHAPE
    raise UserError(f"observation must be one of {', '.join(OBSERVATIONS)}, got {kind!r}")


def observation_dtype(kind: str) -> type[np.generic]:
    """``float32`` for features, ``uint8`` for camera frames."""
    observation_shape(kind)
    return np.float32 if kind == "features" else np.uint8


def observe(kind: str, race: Race, cursor: Cursor, half_width: float) -> np.ndarray:
    """One observation of ``kind`` for ``race``'s car (shape :func:`observation_shape`), exactly as
    :func:`trainer.evaluation.evaluate` and the training environments build it."""
    if kind == "features":
        return features(race.car, cursor, half_width)
    return camera_frame(race)


def spread_starts(count: int, offset: float = 0.0) -> list[float]:
    """``count`` evenly spaced starts (fractions of a lap), the first at ``offset``."""
    return [(offset + i / count) % 1.0 for i in range(count)]


@dataclass
class Drive:
    """Outcome of :func:`drive`.

    :param result: per attempt status, progress, lap time and start (as :func:`trainer.evaluation.evaluate`).
    :param observations: every observation given to ``predict`` (``(m, *shape)``), or None when not recorded.
    :param predict_calls: ``predict`` calls made. :param predict_s: seconds spent inside ``predict``.
    """

    result: EvalResult
    observations: np.ndarray | None = None
    predict_calls: int = 0
    predict_s: float = 0.0
    frames: int = field(default=0)

    @property
    def complete_starts(self) -> frozenset[float]:
        """Starts whose attempt completed the lap (the gate compares these sets)."""
        return frozenset(
            round(start, 9)
            for start, status in zip(self.result.starts, self.result.statuses, strict=True)
            if status == "lap_complete"
        )


def drive(
    predict: Predict,
    track: Track,
    actions: ActionSpace,
    starts: Sequence[float],
    observation: str = "features",
    car: CarParams | None = None,
    max_steps: int = EVAL_MAX_STEPS,
    record: bool = False,
) -> Drive:
    """Drive one deterministic attempt per start (fraction of a lap) with ``predict``.

    :param predict: maps an ``(n, *shape)`` observation batch to ``n`` actions (discrete indices, or ``[-1, 1]²``
        policy outputs for continuous spaces).
    :param max_steps: step cap of an attempt (the evaluation default: 100 s at 15 Hz).
    :param record: keep every observation (memory: 19 kB per camera frame).
    :raises UserError: unknown observation kind, no starts.
    """
    observation_shape(observation)
    if not starts:
        raise UserError("give at least one start to drive from")
    config = RaceConfig(start_spacing=0.0, max_steps=max_steps, car=car or CarParams())
    races = [Race(track, actions, None, config, record_rows=False) for _ in starts]
    line = TrackLine.of(track)
    cursors = [Cursor(line) for _ in starts]
    half_width = 0.5 * track.width
    result = EvalResult()
    for race, start in zip(races, starts, strict=True):
        race.reset(start_ndist=start)
        result.starts.append(race.start_ndist)
    discrete = isinstance(actions, DiscreteActionSpace)
    running = list(range(len(starts)))
    final: dict[int, tuple[str, float, float]] = {}
    seen: list[np.ndarray] = []
    out = Drive(result)
    while running:
        obs = np.stack([observe(observation, races[i], cursors[i], half_width) for i in running])
        if record:
            seen.append(obs)
        began = time.perf_counter()
        chosen = np.asarray(predict(obs))
        out.predict_s += time.perf_counter() - began
        out.predict_calls += 1
        out.frames += len(running)
        still = []
        for k, i in enumerate(running):
            action = int(chosen[k]) if discrete else np.asarray(chosen[k], dtype=np.float64)
            step = races[i].step(action)
            if step.done:
                final[i] = (step.status, float(step.params["progress"]), races[i].lap_time)
            else:
                still.append(i)
        running = still
    for i in range(len(starts)):
        status, progress, lap_time = final[i]
        result.statuses.append(status)
        result.progress.append(progress)
        result.lap_times.append(lap_time)
    if record:
        out.observations = np.concatenate(seen) if seen else None
    return out
