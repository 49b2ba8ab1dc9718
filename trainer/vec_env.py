"""``RaceCarVecEnv``: K cars stepped in this process, their rewards scored in one batched sandbox call per step.

The gymnasium :class:`~trainer.env.RaceCarEnv` makes one sandbox round trip per step; here every
:meth:`RaceCarVecEnv.step_wait` first advances all K simulators (params on the pre-action pose, episode rules, car
model — each :class:`~reward_sdk.sim.episode.Race` is given a reward function that only records its params),
then scores the K params dicts with one ``RewardSandbox.score_many`` call (:class:`~trainer.scoring.BatchScorer`).
The reward does not influence the motion, so deferring it changes nothing but the cost.

Semantics are those of SB3's ``DummyVecEnv`` over K ``RaceCarEnv``:

* observations ``(K, 10)`` float32 (``observation="features"``, :mod:`reward_sdk.sim.observe`) or
  ``(K, 1, 120, 160)`` uint8 channel-first gray frames (``observation="camera"``, :mod:`reward_sdk.sim.camera`,
  rendered for all K cars in one batched call); actions ``(K,)`` indices (discrete) or ``(K, 2)`` in [−1, 1]
  (continuous);
* auto-reset: when car *i*'s episode ends, ``infos[i]["terminal_observation"]`` is its last observation,
  ``infos[i]["TimeLimit.truncated"]`` is True for ``time_up`` only, and ``obs[i]`` is the first observation of
  its next episode;
* ``infos[i]`` always has ``status`` and ``progress`` (%), both from the simulator's state (never read back from
  the params dict the reward received, which a trusted callable reward could rewrite); at the end of an episode also ``lap_time`` (s),
  ``is_success``, ``episode_index`` (per car) and ``episode_reward``;
* starts: car *i*'s first episode starts ``i / K`` of a lap after the start line, later ones advance by
  ``start_spacing`` (round robin per car); :meth:`seed` (or ``seed=``) makes the next :meth:`reset` restart it.

Episode records: with ``on_episode`` set, every finished episode's SIM_TRACE_LOG rows (rewards filled in) are
handed to it as ``on_episode(car_index, rows, info)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvStepReturn

from reward_sdk.sim import camera
from reward_sdk.sim.actions import ActionSpace, DiscreteActionSpace
from reward_sdk.sim.car import CarParams, physics_profile
from reward_sdk.sim.episode import TIME_UP, Race, RaceConfig
from reward_sdk.sim.observe import FEATURE_CLIP, FEATURE_NAMES, features
from reward_sdk.sim.trackline import Cursor, TrackLine
from reward_sdk.tracks import Track, resolve_track
from trainer.env import DEFAULT_MAX_STEPS, action_space_of
from trainer.scoring import BatchScorer, RewardInput

EpisodeSink = Callable[[int, list[dict[str, Any]], dict[str, Any]], None]


class RaceCarVecEnv(VecEnv):
    """K DeepRacer cars on one track, rewarded in one batched sandbox call per step.

    :param track: built-in name, ``.npy`` path, stem in ``tracks_dir`` or a Track.
    :param reward: reward file path, source text, ``None`` (centre-line example) or a trusted callable (tests).
    :param num_envs: K, the number of cars.
    :param actions: ``"discrete"``, ``"continuous"``, a ``model_metadata.json`` path or an action space.
    :param max_steps: step cap per episode (``time_up``); ``start_spacing``: round-robin advance per episode.
    :param car: car-model parameters or a physics profile name.
    :param on_error: ``"raise"`` or ``"skip"`` for reward failures (:mod:`trainer.scoring`).
    :param on_episode: receives the SIM_TRACE_LOG rows of every finished episode (rows are only built when set).
    :param seed: seed of the first :meth:`reset` (car *i* gets ``seed + i``).
    :param observation: ``"features"`` (``(K, 10)`` float32) or ``"camera"`` (``(K, 1, 120, 160)`` uint8).
    """

    def __init__(
        self,
        track: str | Path | Track = "oval",
        reward: RewardInput = None,
        num_envs: int = 8,
        actions: str | Path | ActionSpace = "discrete",
        max_steps: int = DEFAULT_MAX_STEPS,
        start_spacing: float = 0.05,
        car: CarParams | str | None = None,
        tracks_dir: str | Path | None = None,
        reverse: bool = False,
        on_error: str = "raise",
        on_episode: EpisodeSink | None = None,
        seed: int | None = None,
        observation: str = "features",
    ) -> None:
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        if observation not in ("features", "camera"):
            raise ValueError(f"observation must be 'features' or 'camera', got {observation!r}")
        self.observation_mode = observation
        base = track if isinstance(track, Track) else resolve_track(track, tracks_dir)
        self.track = base.reversed() if reverse else base
        self.actions = action_space_of(actions)
        self.render_mode: str | None = None
        self.scorer = BatchScorer(self.track, reward, on_error)
        car_params = physics_profile(car) if isinstance(car, str) else car or CarParams()
        config = RaceConfig(start_spacing=start_spacing, max_steps=max_steps, car=car_params)
        self._pending: list[dict[str, Any]] = []
        record = self._pending.append

        def deferred(params: dict[str, Any]) -> float:
            record(params)
            return 0.0

        self.on_episode = on_episode
        self.races = [
            Race(self.track, self.actions, deferred, config, on_episode is not None) for _ in range(num_envs)
        ]
        line = TrackLine.of(self.track)
        self._cursors = [Cursor(line) for _ in range(num_envs)]
        self._half_width = 0.5 * self.track.width
        self._rows: list[list[dict[str, Any]]] = [[] for _ in range(num_envs)]
        self._returns = np.zeros(num_envs)
        self._first_starts = [i / num_envs for i in range(num_envs)]
        self._actions: np.ndarray | None = None
        self._discrete = isinstance(self.actions, DiscreteActionSpace)
        action_space: spaces.Space[Any] = (
            spaces.Discrete(len(self.actions))
            if isinstance(self.actions, DiscreteActionSpace)
            else spaces.Box(-1.0, 1.0, (2,), np.float32)
        )
        observation_space: spaces.Box
        if observation == "camera":
            observation_space = spaces.Box(0, 255, (1, camera.HEIGHT_PX, camera.WIDTH_PX), np.uint8)
        else:
            n = len(FEATURE_NAMES)
            observation_space = spaces.Box(-FEATURE_CLIP, FEATURE_CLIP, (n,), np.float32)
        super().__init__(num_envs, observation_space, action_space)
        if seed is not None:
            self.seed(seed)

    # -- VecEnv API ---------------------------------------------------------------------------------------------
    def reset(self) -> np.ndarray:
        """Start a new episode on every car (seeded cars restart their round robin); return the ``(K, ...)``
        observation."""
        for i, race in enumerate(self.races):
            seed = self._seeds[i]
            if seed is not None or race.episode < 0:
                race.rng = np.random.default_rng(seed)
                race.episode = -1
                race.start_ndist = self._first_starts[i]
            self._start(i)
            self.reset_infos[i] = {"status": race.status, "progress": race.prev_progress}
        self._reset_seeds()
        self._reset_options()
        return self._observe_all()

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        """Advance every car one step, score all K rewards in one sandbox call, auto-reset finished cars."""
        actions = self._actions
        assert actions is not None, "step_async must come first"
        self._pending.clear()
        results = []
        for i, race in enumerate(self.races):
            action = int(actions[i]) if self._discrete else actions[i]
            results.append(race.step(action))
        rewards = self.scorer.score(self._pending)
        self._returns += rewards
        obs = self._observe_all()
        dones = np.zeros(self.num_envs, dtype=bool)
        infos: list[dict[str, Any]] = []
        for i, result in enumerate(results):
            info: dict[str, Any] = {"status": result.status, "progress": self.races[i].progress}
            if self.on_episode is not None and result.row:
                result.row["reward"] = float(rewards[i])
                self._rows[i].append(result.row)
            if result.done:
                dones[i] = True
                race = self.races[i]
                info.update(
                    terminal_observation=obs[i].copy(),
                    lap_time=race.lap_time,
                    is_success=result.status == "lap_complete",
                    episode_index=race.episode,
                    episode_reward=float(self._returns[i]),
                )
                info["TimeLimit.truncated"] = result.status == TIME_UP
                if self.on_episode is not None:
                    self.on_episode(i, self._rows[i], info)
                self._start(i)
                obs[i] = self._observe(i)
            infos.append(info)
        return obs, rewards.astype(np.float32), dones, infos

    def close(self) -> None:
        self.scorer.close()

    def seed(self, seed: int | None = None) -> Sequence[int | None]:
        """Seed the next :meth:`reset`: car *i* gets ``seed + i`` (``None`` = a random base seed)."""
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        self._seeds = [seed + i for i in range(self.num_envs)]
        return self._seeds

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """``getattr`` on each selected car's :class:`Race`, else on this env (``render_mode``, ``track``...)."""
        out = []
        for i in self._get_indices(indices):
            race = self.races[i]
            out.append(getattr(race, attr_name) if hasattr(race, attr_name) else getattr(self, attr_name))
        return out

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """``setattr`` on each selected car's :class:`Race`."""
        for i in self._get_indices(indices):
            setattr(self.races[i], attr_name, value)

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **method_kwargs: Any
    ) -> list[Any]:
        """Call a method of each selected car's :class:`Race` (e.g. ``env_method("reset", start_ndist=0.5)``
        to restart a car elsewhere — its next observation then comes from :meth:`observe`)."""
        return [
            getattr(self.races[i], method_name)(*method_args, **method_kwargs)
            for i in self._get_indices(indices)
        ]

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]

    def observe(self) -> np.ndarray:
        """The current ``(K, 10)`` or ``(K, 1, 120, 160)`` observation (after an ``env_method`` that moved
        cars)."""
        return self._observe_all()

    def observe_as(self, observation: str) -> np.ndarray:
        """The current state of every car as the given observation kind, whatever this env's own kind:
        ``"features"`` → ``(K, 10)`` float32, ``"camera"`` → ``(K, 1, 120, 160)`` uint8 (distillation labels
        each camera frame with a features teacher's action on the same state). :raises ValueError: other kinds.
        """
        if observation == "camera":
            return self._frames(range(self.num_envs))
        if observation == "features":
            return np.stack(
                [
                    features(race.car, cursor, self._half_width)
                    for race, cursor in zip(self.races, self._cursors, strict=True)
                ]
            )
        raise ValueError(f"observation must be 'features' or 'camera', got {observation!r}")

    # -- helpers -------------------------------------------------------------------------------------------------
    def _start(self, i: int) -> None:
        result = self.races[i].reset()
        self._cursors[i].index = -1
        self._returns[i] = 0.0
        self._rows[i] = [result.row] if self.on_episode is not None and result.row else []

    def _observe(self, i: int) -> np.ndarray:
        if self.observation_mode == "camera":
            frame: np.ndarray = self._frames([i])[0]
            return frame
        return features(self.races[i].car, self._cursors[i], self._half_width)

    def _observe_all(self) -> np.ndarray:
        return self.observe_as(self.observation_mode)

    def _frames(self, cars: Sequence[int] | range) -> np.ndarray:
        """``(len(cars), 1, 120, 160)`` uint8 camera frames of the given cars, rendered in one batch."""
        poses = np.array([(*self.races[i].car.front, self.races[i].car.yaw) for i in cars], dtype=np.float64)
        frames: np.ndarray = camera.render_batch(self.track, poses[:, 0], poses[:, 1], poses[:, 2])
        return frames[:, None]
