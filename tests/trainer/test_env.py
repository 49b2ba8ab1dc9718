"""RaceCarEnv: gymnasium's checker, registration, info contract, the sandboxed reward and the SIM_TRACE_LOG."""

from __future__ import annotations

import json
import math
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import trainer
from reward_sdk import geometry
from reward_sdk.sim import drivers
from reward_sdk.sim.actions import nearest_action
from trainer.env import RaceCarEnv


@pytest.mark.parametrize("observation", ["features", "camera"])
@pytest.mark.parametrize("actions", ["discrete", "continuous"])
def test_check_env_passes(observation: str, actions: str) -> None:
    env = RaceCarEnv(track="oval", observation=observation, actions=actions, reward=lambda p: 1.0)
    check_env(env, skip_render_check=True)
    env.close()


def test_registered_id_makes_the_env() -> None:
    env = gym.make(trainer.ENV_ID, track="club", reward=lambda p: 0.5, info_params=True)
    obs, info = env.reset(seed=3)
    assert obs.shape == (10,) and info["status"] == "prepare" and info["params"]["steps"] == 1.0
    env.close()


def test_info_params_equal_geometry_and_reward_comes_from_the_sandbox() -> None:
    source = "def reward_function(params):\n    return float(params['steps'])\n"
    env = RaceCarEnv(track="technical", reward=source, info_params=True)
    env.reset(seed=0)
    race = env.race
    for action in [2, 3, 7, 2, 5]:
        car, prev, steps = race.car, race.prev_progress, race.steps + 1
        pose = (car.x, car.y, math.degrees(car.yaw))
        _, reward, terminated, truncated, info = env.step(action)
        steer, speed = env.actions.command(action)
        expected = geometry.params_from_pose(
            env.track,
            *pose,
            speed=speed,
            steering_angle=steer,
            steps=float(steps),
            start_ndist=race.start_ndist,
            prev_progress=prev,
            origin=True,
        )
        assert info["params"] == expected
        assert reward == float(steps)
        assert not (terminated or truncated) and info["status"] == "in_progress"
    env.close()


def test_actions_from_model_metadata(tmp_path: Path) -> None:
    meta = {
        "action_space": {"steering_angle": {"low": -20, "high": 20}, "speed": {"low": 1, "high": 3}},
        "action_space_type": "continuous",
        "training_algorithm": "sac",
    }
    path = tmp_path / "model_metadata.json"
    path.write_text(json.dumps(meta))
    env = RaceCarEnv(track="oval", actions=path, reward=lambda p: 1.0, info_params=True)
    assert isinstance(env.action_space, gym.spaces.Box)
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.array([1.0, -1.0], dtype=np.float32))
    assert (info["params"]["steering_angle"], info["params"]["speed"]) == (20.0, 1.0)
    env.close()


def test_scripted_lap_through_the_env_writes_a_simtrace(tmp_path: Path) -> None:
    log = tmp_path / "robomaker.log"
    env = RaceCarEnv(track="oval", simtrace=log, reward=lambda p: 1.0, actions="discrete", info_params=True)
    driver = drivers.centre_line(1.0)
    env.reset(seed=0)
    info: dict = {}  # type: ignore[type-arg]
    done = False
    while not done:
        steer, speed = driver(env.race)
        _, _, terminated, truncated, info = env.step(nearest_action(env.actions, steer, speed))
        done = terminated or truncated
    env.close()
    assert info["status"] == "lap_complete" and info["progress"] == 100
    lines = [line for line in log.read_text().splitlines() if line.startswith("SIM_TRACE_LOG:")]
    assert len(lines) == int(info["params"]["steps"])
    fields = lines[-1].split(":", 1)[1].split(",")
    assert len(fields) == 17 and fields[15] == "lap_complete" and fields[9] == "True"


def test_info_is_small_by_default_and_leaves_episode_to_monitor() -> None:
    env = RaceCarEnv(track="oval", reward=lambda p: 1.0)
    _, info = env.reset(seed=0)
    assert "params" not in info and "episode" not in info and info["episode_index"] == 0
    _, _, _, _, info = env.step(2)
    assert set(info) == {"status", "progress", "lap_time", "episode_index", "is_success"}
    env.close()


def test_ppo_trains_through_the_registered_env() -> None:
    """SB3 reads ``info["episode"]`` as Monitor's dict: an int there crashed ``PPO.learn`` at its first log dump."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    vec = make_vec_env(
        trainer.ENV_ID,
        n_envs=2,
        seed=0,
        env_kwargs={"track": "oval", "reward": lambda p: 1.0, "max_steps": 40},
    )
    model = PPO("MlpPolicy", vec, n_steps=64, batch_size=64, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=256)  # several rollouts, each followed by a log dump with finished episodes
    assert model.num_timesteps >= 256
    assert len(model.ep_info_buffer) > 0 and all(isinstance(e, dict) for e in model.ep_info_buffer)
    vec.close()
