"""Evaluating a policy: deterministic laps from evenly spaced starts, with the real service's episode rules.

:func:`evaluate` drives ``laps`` cars at once (car *i* starts ``i / laps`` of a lap after the start line, so the
first one starts on it), asks the policy for all running cars in one call per step, and returns an
:class:`EvalResult`. Evaluation does not call the reward function (the SIM_TRACE_LOG it can write has reward 0.0).

Observations: ``"features"`` gives the policy ``(n, 10)`` float32 feature rows (:mod:`reward_sdk.sim.observe`);
``"camera"`` gives ``(n, 1, 120, 160)`` uint8 channel-first gray frames (:mod:`reward_sdk.sim.camera`, the real
car's camera), the layout SB3's ``CnnPolicy`` takes without a transpose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reward_sdk.sim import camera
from reward_sdk.sim.actions import ActionSpace, DiscreteActionSpace
from reward_sdk.sim.car import CarParams
from reward_sdk.sim.episode import LAP_COMPLETE, OFF_TRACK, Race, RaceConfig
from reward_sdk.sim.observe import features
from reward_sdk.sim.trackline import Cursor, TrackLine
from reward_sdk.tracks import Track

EVAL_MAX_STEPS = 1_500  # step cap of an evaluation episode (100 s at 15 Hz): a crawling policy is cut off
OBSERVATIONS = ("features", "camera")  # the observation kinds a policy can take
Predict = Callable[[np.ndarray], np.ndarray]  # (n, 10) features or (n, 1, 120, 160) frames -> n actions


def cnn_threads() -> int:
    """Torch CPU threads for a camera CNN: 2 (both cores of the target machine) when the 1-minute load average
    leaves a core idle, else 1. Measured on the shared 2-core box: a NatureCNN forward of 8 frames takes 19 ms on
    one thread but 150–350 ms on two OpenMP threads when other processes keep the cores busy (spinning threads
    wait for a descheduled partner)."""
    import os

    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    return 2 if cores >= 2 and load <= cores - 1.0 else 1


def camera_frame(race: Race) -> np.ndarray:
    """The ``(1, 120, 160)`` uint8 channel-first camera frame of ``race``'s car (seen from its front point)."""
    car = race.car
    x, y = car.front
    return camera.render(race.track, x, y, car.yaw)[None]


@dataclass
class EvalResult:
    """Outcome of one evaluation.

    :param statuses: final status of each lap attempt (``lap_complete``, ``off_track``, ...).
    :param progress: final progress of each attempt, %.
    :param lap_times: lap time of each attempt, s (also for incomplete ones: time driven).
    :param starts: start of each attempt as a fraction of the lap.
    """

    statuses: list[str] = field(default_factory=list)
    progress: list[float] = field(default_factory=list)
    lap_times: list[float] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)

    @property
    def laps(self) -> int:
        return len(self.statuses)

    @property
    def completed(self) -> int:
        return sum(status == LAP_COMPLETE for status in self.statuses)

    @property
    def completion_pct(self) -> float:
        """Mean progress of the attempts, % (100 = every lap completed)."""
        return float(np.mean(self.progress)) if self.progress else 0.0

    @property
    def off_track(self) -> int:
        return sum(status == OFF_TRACK for status in self.statuses)

    @property
    def best_lap_time(self) -> float | None:
        """Fastest completed lap, s (None when no lap was completed)."""
        done = [t for t, s in zip(self.lap_times, self.statuses, strict=True) if s == LAP_COMPLETE]
        return min(done) if done else None

    @property
    def mean_lap_time(self) -> float | None:
        """Mean time of the completed laps, s (None when none was completed)."""
        done = [t for t, s in zip(self.lap_times, self.statuses, strict=True) if s == LAP_COMPLETE]
        return float(np.mean(done)) if done else None

    def rank(self) -> tuple[float, float]:
        """Sort key, larger is better: completion first, then the mean lap time of the completed laps (so a
        faster policy that completes as many laps wins over a slower one)."""
        mean = self.mean_lap_time
        return (round(self.completion_pct, 6), -mean if mean is not None else -1e9)

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON summary (lists and the derived figures)."""
        return {
            **asdict(self),
            "laps": self.laps,
            "completed": self.completed,
            "completion_pct": self.completion_pct,
            "off_track": self.off_track,
            "best_lap_time": self.best_lap_time,
            "mean_lap_time": self.mean_lap_time,
        }


def evaluate(
    predict: Predict,
    track: Track,
    actions: ActionSpace,
    laps: int = 3,
    car: CarParams | None = None,
    max_steps: int = EVAL_MAX_STEPS,
    simtrace: str | Path | None = None,
    observation: str = "features",
) -> EvalResult:
    """Drive ``laps`` deterministic episodes with ``predict`` and return the result.

    :param predict: maps a batch of observations of the running cars (``(n, 10)`` float32 features, or
        ``(n, 1, 120, 160)`` uint8 frames with ``observation="camera"``) to ``n`` actions (indices or
        ``[-1, 1]²`` pairs).
    :param simtrace: write every step of every attempt to this SIM_TRACE_LOG file (17 fields; episodes numbered
        by attempt), atomically.
    :param observation: ``"features"`` or ``"camera"``. :raises ValueError: another value.
    """
    if observation not in OBSERVATIONS:
        raise ValueError(f"observation must be 'features' or 'camera', got {observation!r}")
    config = RaceConfig(start_spacing=0.0, max_steps=max_steps, car=car or CarParams())
    record = simtrace is not None
    races = [Race(track, actions, None, config, record_rows=record) for _ in range(laps)]
    line = TrackLine.of(track)
    cursors = [Cursor(line) for _ in range(laps)]
    half_width = 0.5 * track.width
    rows: list[list[dict[str, Any]]] = [[] for _ in range(laps)]
    result = EvalResult()
    for i, race in enumerate(races):
        race.episode = i - 1  # simtrace episode numbers 0..laps-1
        first = race.reset(start_ndist=i / laps)
        rows[i].append(first.row)
        result.starts.append(race.start_ndist)
    running = list(range(laps))
    final: dict[int, tuple[str, float, float]] = {}
    discrete = isinstance(actions, DiscreteActionSpace)
    while running:
        if observation == "camera":
            obs = np.stack([camera_frame(races[i]) for i in running])
        else:
            obs = np.stack([features(races[i].car, cursors[i], half_width) for i in running])
        chosen = predict(obs)
        still = []
        for k, i in enumerate(running):
            action = int(chosen[k]) if discrete else np.asarray(chosen[k], dtype=np.float64)
            step = races[i].step(action)
            if record:
                rows[i].append(step.row)
            if step.done:
                final[i] = (step.status, races[i].progress, races[i].lap_time)
            else:
                still.append(i)
        running = still
    for i in range(laps):
        status, progress, lap_time = final[i]
        result.statuses.append(status)
        result.progress.append(progress)
        result.lap_times.append(lap_time)
    if simtrace is not None:
        from reward_sdk.simtrace import SimTraceWriter

        header = [f" * /WORLD_NAME: {track.name}", f" * /REVERSE_DIR: {track.is_reversed}"]
        with SimTraceWriter(simtrace, header_lines=header) as writer:
            for episode_rows in rows:
                writer.write_many(episode_rows)
    return result


def evaluate_run(
    run_path: str | Path,
    laps: int = 3,
    track: str | None = None,
    checkpoint: str = "best",
    tracks_dir: str | Path | None = None,
    runs_dir: str | Path = "runs",
) -> dict[str, Any]:
    """Evaluate a run's checkpoint (``reward evaluate``): ``laps`` deterministic laps on ``track`` (default: the
    run's own), writing ``logs/evaluation-<checkpoint>-<track>-<k>.log`` in the run folder. The policy sees the
    observation named in the run's ``model_metadata.json`` (``"features"``, or ``"camera"`` frames).

    :returns: :meth:`EvalResult.to_json` plus ``run``, ``checkpoint``, ``track``, ``steps`` (of the checkpoint) and
        ``simtrace`` (the log's path). :raises UserError: unknown run/track/checkpoint, ``laps`` < 1.
    """
    from reward_sdk.errors import UserError
    from reward_sdk.sim.actions import load_model_metadata
    from reward_sdk.sim.car import physics_profile
    from reward_sdk.tracks import resolve_track
    from trainer.runs import CHECKPOINTS, find_run

    if laps < 1:
        raise UserError("--laps must be >= 1")
    if checkpoint not in CHECKPOINTS:
        raise UserError(f"--checkpoint must be best or last, got {checkpoint!r}")
    run = find_run(run_path, Path(runs_dir))
    info = run.read_info()
    path = run.checkpoint(checkpoint)
    if not path.is_file():
        raise UserError(f"{path}: no such checkpoint (the run has not been evaluated or saved yet)")
    the_track = resolve_track(track or info["track"], tracks_dir)
    if track is None and info.get("reverse"):
        the_track = the_track.reversed()
    actions = load_model_metadata(run.metadata_json).action_space
    observation = run.observation()
    import torch
    from stable_baselines3 import PPO, SAC

    torch.set_num_threads(cnn_threads() if observation == "camera" else 1)
    cls: Any = PPO if info.get("algo") == "ppo" else SAC
    try:
        model = cls.load(path, device="cpu")
    except Exception as exc:
        raise UserError(f"{path}: cannot load the checkpoint ({type(exc).__name__}: {exc})") from None
    number = len(list(run.logs.glob(f"evaluation-{checkpoint}-{the_track.name}-*.log")))
    log = run.logs / f"evaluation-{checkpoint}-{the_track.name}-{number}.log"

    def predict(obs: np.ndarray) -> np.ndarray:
        return np.asarray(model.predict(obs, deterministic=True)[0])

    result = evaluate(
        predict,
        the_track,
        actions,
        laps=laps,
        car=physics_profile(info.get("physics", "droa-2026")),
        simtrace=log,
        observation=observation,
    )
    extra = run.checkpoint_info(checkpoint)
    return {
        "run": run.name,
        "checkpoint": checkpoint,
        "track": the_track.name,
        "steps": extra.get("steps"),
        "observation": observation,
        **result.to_json(),
        "simtrace": str(log),
    }
