"""RaceCarVecEnv: same steps as K single envs, one batched sandbox call per step, SB3 auto-reset, reward errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from trainer.env import RaceCarEnv
from trainer.scoring import RewardFailedError
from trainer.vec_env import RaceCarVecEnv

SOURCE = (
    "def reward_function(params):\n    return float(params['distance_from_center'] + params['steps'] / 7.0)\n"
)


def _actions(n: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(5)
    # mostly straight-ish actions so some episodes last, some go off track
    return rng.choice([2, 3, 4, 5, 6, 7], size=(n, k))


def test_vec_env_matches_single_envs_step_for_step() -> None:
    k, n = 3, 120
    vec = RaceCarVecEnv("club", SOURCE, num_envs=k, seed=0, max_steps=60)
    singles = [RaceCarEnv("club", reward=SOURCE, max_steps=60) for _ in range(k)]
    obs = vec.reset()
    for i, env in enumerate(singles):
        first, _ = env.reset(seed=i, options={"start_ndist": i / k})
        np.testing.assert_array_equal(obs[i], first)
    ends = 0
    for actions in _actions(n, k):
        obs, rewards, dones, infos = vec.step(actions)
        for i, env in enumerate(singles):
            o, r, terminated, truncated, info = env.step(int(actions[i]))
            assert rewards[i] == pytest.approx(r, abs=1e-6) and dones[i] == (terminated or truncated)
            assert infos[i]["status"] == info["status"]
            if dones[i]:
                ends += 1
                np.testing.assert_array_equal(infos[i]["terminal_observation"], o)
                assert infos[i]["TimeLimit.truncated"] == truncated
                assert infos[i]["lap_time"] == info["lap_time"]
                o, _ = env.reset()
            np.testing.assert_array_equal(obs[i], o)
    assert ends >= 3
    vec.close()
    for env in singles:
        env.close()


def test_one_sandbox_call_per_step_for_all_cars() -> None:
    vec = RaceCarVecEnv("oval", SOURCE, num_envs=5, seed=1)
    vec.reset()
    calls: list[int] = []
    score_many = vec.scorer.sandbox.score_many

    def counting(columns: dict[str, Any], n: int | None = None) -> Any:
        calls.append(int(n or 0))
        assert "waypoints" not in columns and "track_length" not in columns  # sent once, as constants
        return score_many(columns, n=n)

    vec.scorer.sandbox.score_many = counting
    for _ in range(10):
        vec.step(np.full(5, 2))
    assert calls == [5] * 10
    vec.close()


def test_seeded_resets_are_reproducible() -> None:
    runs = []
    for _ in range(2):
        vec = RaceCarVecEnv("technical", lambda p: 1.0, num_envs=2, actions="continuous")
        vec.seed(7)
        out = [vec.reset()]
        for a in np.random.default_rng(0).uniform(-1, 1, size=(40, 2, 2)):
            out.append(vec.step(a)[0])
        runs.append(np.stack(out))
        vec.close()
    np.testing.assert_array_equal(runs[0], runs[1])


RAISES_WHEN_FAST = """
def reward_function(params):
    if params["speed"] > 1.5:
        return 1.0 / (params["steps"] - params["steps"])
    return 1.0
"""


def test_a_raising_reward_stops_with_the_minimal_params() -> None:
    vec = RaceCarVecEnv("oval", RAISES_WHEN_FAST, num_envs=3, seed=0)
    vec.reset()
    vec.step(np.array([0, 2, 4]))  # speed 1 m/s: fine
    with pytest.raises(RewardFailedError) as caught:
        vec.step(np.array([0, 3, 4]))  # action 3 = 0 deg, 2 m/s
    message = str(caught.value)
    assert "ZeroDivisionError" in message and "speed=2.0" in message
    assert "\n" not in message
    assert caught.value.params == {"speed": 2.0}  # every other key could be set to the plain car's value
    vec.close()


def test_skip_scores_failing_steps_zero_and_counts_them() -> None:
    vec = RaceCarVecEnv("oval", RAISES_WHEN_FAST, num_envs=3, seed=0, on_error="skip")
    vec.reset()
    _, rewards, _, _ = vec.step(np.array([3, 2, 3]))
    assert rewards.tolist() == [0.0, 1.0, 0.0] and vec.scorer.skipped == 2
    vec.close()


def test_a_nan_reward_stops_the_run() -> None:
    source = "def reward_function(params):\n    return float('nan') if params['steps'] > 3 else 1.0\n"
    vec = RaceCarVecEnv("oval", source, num_envs=2, seed=0)
    vec.reset()
    vec.step(np.array([2, 2]))
    vec.step(np.array([2, 2]))
    with pytest.raises(RewardFailedError, match=r"steps=4\.0"):
        vec.step(np.array([2, 2]))
    vec.close()
