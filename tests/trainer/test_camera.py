"""Camera policies: the channel-first camera observation, rewards that rewrite params, evaluation on frames,
DAgger distillation from a features teacher end to end, and ``reward train --obs camera``'s bad inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reward_sdk.sim import camera
from reward_sdk.sim.actions import discrete_grid
from reward_sdk.tracks import resolve_track
from trainer.env import RaceCarEnv
from trainer.evaluation import evaluate
from trainer.vec_env import RaceCarVecEnv


def _cheat(params: dict[str, Any]) -> float:
    """A (trusted, in-process) reward that claims the lap is done and the car is off the track."""
    params["progress"] = 100.0
    params["is_offtrack"] = True
    params["all_wheels_on_track"] = False
    return 1.0


def test_env_camera_observation_is_channel_first_uint8() -> None:
    env = RaceCarEnv(track="oval", observation="camera", reward=lambda p: 1.0)
    assert env.observation_space.shape == (1, 120, 160) and env.observation_space.dtype == np.uint8
    obs, _ = env.reset(seed=0)
    assert obs.shape == (1, 120, 160) and obs.dtype == np.uint8
    x, y = env.race.car.front
    assert np.array_equal(obs[0], camera.render(env.track, x, y, env.race.car.yaw))
    obs, *_ = env.step(2)
    assert obs.shape == (1, 120, 160) and env.observation_space.contains(obs)
    assert len(np.unique(obs)) >= 3  # road, grass, lines: a real picture, not a constant
    env.close()


def test_env_reward_that_rewrites_params_changes_neither_info_nor_episode_end() -> None:
    env = RaceCarEnv(track="oval", reward=_cheat)
    env.reset(seed=0)
    for _ in range(20):
        _, reward, terminated, truncated, info = env.step(4)  # straight on at 1 m/s
        assert reward == 1.0 and not (terminated or truncated)
        assert info["status"] == "in_progress" and not info["is_success"]
        assert info["progress"] == env.race.progress < 10.0
    env.close()


def test_vec_env_reward_that_rewrites_params_changes_neither_info_nor_episode_end() -> None:
    env = RaceCarVecEnv("oval", _cheat, num_envs=3, seed=0)
    env.reset()
    for _ in range(20):
        _, rewards, dones, infos = env.step(np.full(3, 4))
        assert not dones.any() and np.all(rewards == 1.0)
        for race, info in zip(env.races, infos, strict=True):
            assert info["status"] == "in_progress" and info["progress"] == race.progress < 30.0
    env.close()


def test_vec_env_camera_frames_match_the_single_env_and_auto_reset() -> None:
    env = RaceCarVecEnv("oval", lambda p: 1.0, num_envs=2, seed=0, observation="camera")
    assert env.observation_space.shape == (1, 120, 160) and env.observation_space.dtype == np.uint8
    obs = env.reset()
    assert obs.shape == (2, 1, 120, 160) and obs.dtype == np.uint8
    for i, race in enumerate(env.races):
        x, y = race.car.front
        assert np.array_equal(obs[i, 0], camera.render(env.track, x, y, race.car.yaw))
    assert not np.array_equal(obs[0], obs[1])  # the cars start half a lap apart
    for _ in range(200):  # hard right at 2 m/s: the cars leave the road and restart
        obs, _, dones, infos = env.step(np.ones(2, dtype=np.int64))
        if dones.any():
            i = int(np.flatnonzero(dones)[0])
            assert infos[i]["terminal_observation"].shape == (1, 120, 160)
            assert infos[i]["status"] == "off_track"
            break
    else:
        pytest.fail("no car left the road")
    assert obs.shape == (2, 1, 120, 160)
    env.close()


def test_evaluate_gives_camera_frames_to_the_policy() -> None:
    track = resolve_track("oval")
    seen: list[tuple[tuple[int, ...], Any]] = []

    def predict(obs: np.ndarray) -> np.ndarray:
        seen.append((obs.shape, obs.dtype))
        return np.full(len(obs), 2)

    result = evaluate(predict, track, discrete_grid(), laps=2, observation="camera")
    assert seen[0] == ((2, 1, 120, 160), np.dtype(np.uint8))
    assert result.laps == 2 and all(0.0 < p < 100.0 for p in result.progress)
    with pytest.raises(ValueError, match="observation"):
        evaluate(predict, track, discrete_grid(), observation="lidar")


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data
