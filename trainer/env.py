"""The gymnasium environment: a DeepRacer car on a track, rewarded by the user's function in the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from reward_sdk import geometry
from reward_sdk.sim import camera
from reward_sdk.sim.actions import (
    ActionSpace,
    ContinuousActionSpace,
    DiscreteActionSpace,
    discrete_grid,
    load_model_metadata,
)
from reward_sdk.sim.car import CarParams, physics_profile
from reward_sdk.sim.episode import IN_PROGRESS, TIME_UP, Race, RaceConfig
from reward_sdk.sim.observe import FEATURE_CLIP, FEATURE_NAMES, features
from reward_sdk.sim.trackline import Cursor, TrackLine
from reward_sdk.tracks import Track, resolve_track
from trainer.scoring import CONSTANT_KEYS, reward_source

DEFAULT_MAX_STEPS = 3_000  # step cap of one episode (≈ 200 s at 15 Hz), status ``time_up``


class RaceCarEnv(gym.Env[np.ndarray, Any]):
    """
    ## Description

    An AWS DeepRacer car on a track, like the real training service but as a light kinematic model
    (``reward_sdk.sim``): a bicycle model at 15 steps/s calibrated against Gazebo logs, the real service's episode
    rules, and reward-function inputs computed by ``reward_sdk.geometry`` exactly as the simulator computes them.
    The reward is the user's ``reward_function(params)`` run in the sandbox.

    ## Action Space

    ``discrete`` (default): ``Discrete(n)``; action *i* is entry *i* of the action list, a
    ``(steering_angle deg, speed m/s)`` pair (default grid: steering −30, −15, 0, 15, 30 × speed 1, 2).
    ``continuous``: ``Box(-1, 1, (2,), float32)``; ``[a_steer, a_speed]`` is clipped to [−1, 1] and mapped
    linearly onto the steering range (deg) and speed range (m/s). Both can be read from a DeepRacer
    ``model_metadata.json``. The params dict carries the commanded values; the car model clips them to ±30° and
    [0.1, 4.0] m/s.

    ## Observation Space

    ``features`` (default): ``Box(-3, 3, (10,), float32)``

    | Num | Observation        | Min | Max | Unit / scale                                     |
    |-----|--------------------|-----|-----|--------------------------------------------------|
    | 0   | lateral offset     | -3  | 3   | origin's distance from the centre line / (width/2), + = left |
    | 1   | sin heading error  | -1  | 1   | car yaw − track direction                         |
    | 2   | cos heading error  | -1  | 1   |                                                   |
    | 3   | speed              | 0   | ~1  | actual speed / 4 m/s                              |
    | 4   | steering           | -1  | 1   | actual steering angle / 30°                       |
    | 5-9 | curvature ahead    | -3  | 3   | centre-line curvature 0.5, 1, 1.5, 2, 3 m ahead / (3 1/m) |

    ``camera``: ``Box(0, 255, (1, 120, 160), uint8)``, a grayscale front view (the real camera's 160×120),
    rasterised from the track geometry; channel-first, so SB3's ``CnnPolicy`` takes it without a transpose and
    the edge exporter sees the same shape.

    ## Rewards

    ``reward_function(params)`` of the user's file, called in a sandbox worker on every RUN step with the
    27-key params dict of the **pre-action** pose and the chosen action's commanded steering/speed. The
    PREPARE step (inside :meth:`reset`) gets 0.0 and does not call the function.

    ## Starting State

    The car origin on the centre line, facing the next waypoint, at rest. Episode *k* starts
    ``k · start_spacing`` of a lap after the first start (round robin, default 5 %); ``reset(options=
    {"start_ndist": f})`` overrides; a seeded reset restarts the round robin. :meth:`reset` runs the PREPARE step (``steps = 1``), so the first
    :meth:`step` has ``params["steps"] == 2.0``.

    ## Episode End

    Termination (checked on the pre-action pose, in this priority):

    1. ``lap_complete``: progress reaches 100.
    2. ``off_track``: no wheel centre on the road.
    3. ``immobilized``: the car did not move for 15 steps.
    4. ``reversed``: progress decreased on 15 consecutive steps.

    Truncation: ``time_up`` when ``params["steps"]`` reaches ``max_steps``.

    ## Info

    ``info`` always carries ``status`` (``prepare``, ``in_progress``, ``off_track``, ``reversed``,
    ``lap_complete``, ``immobilized``, ``time_up``), ``progress`` (%), ``lap_time`` (s), ``episode_index`` (the
    0-based episode counter of this env) and ``is_success`` (the lap was completed). These come from the
    simulator's own state, never from the params dict after the reward call, so a reward function that rewrites
    ``params`` cannot change them or the episode's end. With ``info_params=True`` it also carries ``params``:
    the params dict of the step as the reward function received it (waypoints included; a trusted callable may
    have changed it). It is left out by default because vector envs deep-copy ``info`` every step. (``info["episode"]`` is not used: Stable-Baselines3
    reserves it for ``Monitor``'s episode summary dict.)

    ## Arguments

    * ``track``: built-in name (``oval``, ``club``, ``technical``), ``.npy`` path, file stem in ``tracks_dir``,
      or a :class:`~reward_sdk.tracks.Track`. ``reverse=True`` drives it the other way round.
    * ``reward``: path of a reward file, its source text, or a trusted Python callable (tests); ``None`` = the
      console's default centre-line function (in the sandbox).
    * ``actions``: ``"discrete"``, ``"continuous"``, a ``model_metadata.json`` path or an action space.
    * ``observation``: ``"features"`` or ``"camera"``.
    * ``max_steps``, ``start_spacing``: episode rules. ``car``: car-model parameters, or the name of a calibrated
      physics profile (``"droa-2026"``, the default, or ``"drfc-2022"``: ``reward_sdk.sim.car.PHYSICS_PROFILES``).
    * ``simtrace``: path of a SIM_TRACE_LOG file to write every step to (17-field format; with
      ``simtrace_csv`` also the simtrace CSV); written atomically when the env is closed.
    * ``render_mode``: ``"rgb_array"`` renders the camera view as an RGB array.
    * ``info_params``: put the step's full params dict in ``info["params"]`` (off by default: it is large).

    ## Example

    >>> import gymnasium as gym, trainer
    >>> env = gym.make("reward-sdk/RaceCar-v0", track="oval", info_params=True)
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape, info["params"]["steps"], info["episode_index"]
    ((10,), 1.0, 0)
    >>> env.close()
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 15}  # noqa: RUF012 (gymnasium declares it)

    def __init__(
        self,
        track: str | Path | Track = "oval",
        reward: str | Path | Callable[[dict[str, Any]], float] | None = None,
        actions: str | Path | ActionSpace = "discrete",
        observation: str = "features",
        max_steps: int = DEFAULT_MAX_STEPS,
        start_spacing: float = 0.05,
        car: CarParams | str | None = None,
        tracks_dir: str | Path | None = None,
        reverse: bool = False,
        simtrace: str | Path | None = None,
        simtrace_csv: str | Path | None = None,
        render_mode: str | None = None,
        info_params: bool = False,
    ) -> None:
        base = track if isinstance(track, Track) else resolve_track(track, tracks_dir)
        self.track = base.reversed() if reverse else base
        self.actions = action_space_of(actions)
        if observation not in ("features", "camera"):
            raise ValueError(f"observation must be 'features' or 'camera', got {observation!r}")
        self.observation_mode = observation
        self.render_mode = render_mode
        self.info_params = info_params
        self._sandbox: Any = None
        self._reward = self._reward_function(reward)
        car_params = physics_profile(car) if isinstance(car, str) else car or CarParams()
        config = RaceConfig(start_spacing=start_spacing, max_steps=max_steps, car=car_params)
        self.race = Race(self.track, self.actions, self._reward, config, record_rows=simtrace is not None)
        self._cursor = Cursor(TrackLine.of(self.track))
        self._half_width = 0.5 * self.track.width
        self.action_space = (
            spaces.Discrete(len(self.actions))
            if isinstance(self.actions, DiscreteActionSpace)
            else spaces.Box(-1.0, 1.0, (2,), np.float32)
        )
        if observation == "features":
            n = len(FEATURE_NAMES)
            self.observation_space = spaces.Box(-FEATURE_CLIP, FEATURE_CLIP, (n,), np.float32)
        else:
            shape = (1, camera.HEIGHT_PX, camera.WIDTH_PX)
            self.observation_space = spaces.Box(0, 255, shape, np.uint8)
        self._writer: Any = None
        self._simtrace = (simtrace, simtrace_csv)

    # -- reward ------------------------------------------------------------------------------------------------------
    def _reward_function(
        self, reward: str | Path | Callable[[dict[str, Any]], float] | None
    ) -> Callable[[dict[str, Any]], float]:
        if callable(reward):
            return reward
        from sandbox import RewardSandbox

        source, filename = reward_source(reward)
        self._sandbox = RewardSandbox(source, filename=filename)
        self._sandbox.set_constants(geometry.track_constants(self.track))
        score = self._sandbox.score

        def sandboxed(params: dict[str, Any]) -> float:
            return float(score({k: v for k, v in params.items() if k not in CONSTANT_KEYS}))

        return sandboxed

    # -- gymnasium API -----------------------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        if seed is not None:  # a seeded reset restarts the round robin, so it is reproducible
            self.race.rng = np.random.default_rng(seed)
            self.race.episode = -1
            self.race.start_ndist = self.race.config.first_start % 1.0
        options = options or {}
        result = self.race.reset(start_ndist=options.get("start_ndist"))
        self._cursor.index = -1
        self._log(result.row)
        return self._observe(), self._info(result.params, result.status)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        result = self.race.step(action)
        self._log(result.row)
        truncated = result.status == TIME_UP
        terminated = result.done and not truncated
        return self._observe(), result.reward, terminated, truncated, self._info(result.params, result.status)

    def render(self) -> np.ndarray | None:
        if self.render_mode != "rgb_array":
            return None
        gray = self._camera()
        return np.repeat(gray[:, :, None], 3, axis=2)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.__exit__(None, None, None)
            self._writer = None
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
        super().close()

    # -- helpers -----------------------------------------------------------------------------------------------------
    def _observe(self) -> np.ndarray:
        if self.observation_mode == "camera":
            return self._camera()[None]
        return features(self.race.car, self._cursor, self._half_width)

    def _camera(self) -> np.ndarray:
        car = self.race.car
        x, y = car.front
        return camera.render(self.track, x, y, car.yaw)

    def _info(self, params: dict[str, Any], status: str) -> dict[str, Any]:
        info: dict[str, Any] = {
            "status": status,
            "progress": float(self.race.progress),
            "lap_time": self.race.lap_time,
            "episode_index": self.race.episode,
            "is_success": status == "lap_complete",
        }
        if self.info_params:
            info["params"] = params
        return info

    def _log(self, row: dict[str, Any]) -> None:
        log_path, csv_path = self._simtrace
        if log_path is None or not row:
            return
        if self._writer is None:
            from reward_sdk.simtrace import SimTraceWriter

            header = [f" * /WORLD_NAME: {self.track.name}", f" * /REVERSE_DIR: {self.track.is_reversed}"]
            self._writer = SimTraceWriter(log_path, csv_path=csv_path, header_lines=header).__enter__()
        self._writer.write(row)


def action_space_of(actions: str | Path | ActionSpace) -> ActionSpace:
    """The action space named by ``actions`` (``"discrete"``: the default grid, ``"continuous"``: the default
    ranges, else a ``model_metadata.json`` path); an :data:`ActionSpace` is returned as is."""
    if not isinstance(actions, str | Path):
        return actions
    if str(actions) == "discrete":
        return discrete_grid()
    if str(actions) == "continuous":
        return ContinuousActionSpace()
    return load_model_metadata(actions).action_space


def episode_is_running(info: dict[str, Any]) -> bool:
    """True while ``info["status"]`` is ``in_progress``."""
    return bool(info.get("status") == IN_PROGRESS)
