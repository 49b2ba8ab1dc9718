"""The exported actor is SB3's deterministic policy: argmax of its logits (discrete PPO), its clipped mean
(continuous PPO) and tanh(mu) (SAC) equal ``model.predict(obs, deterministic=True)``; ONNX → OpenVINO keeps it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

from edge import ir
from edge.onnx_export import export_onnx
from edge.policy import DeterministicActor, torch_outputs


class _Spaces(gym.Env[np.ndarray, Any]):
    def __init__(self, action_space: spaces.Space[Any]) -> None:
        self.observation_space = spaces.Box(-3.0, 3.0, (10,), np.float32)
        self.action_space = action_space

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        return np.zeros(10, np.float32), {}

    def step(self, action: Any) -> Any:
        return np.zeros(10, np.float32), 0.0, True, False, {}


def _model(kind: str) -> Any:
    from stable_baselines3 import PPO, SAC

    if kind == "sac":
        return SAC("MlpPolicy", _Spaces(spaces.Box(-1.0, 1.0, (2,), np.float32)), device="cpu", seed=1)
    if kind == "ppo-continuous":
        return PPO("MlpPolicy", _Spaces(spaces.Box(-1.0, 1.0, (2,), np.float32)), device="cpu", seed=1)
    return PPO("MlpPolicy", _Spaces(spaces.Discrete(7)), device="cpu", seed=1)


@pytest.mark.parametrize("kind", ["ppo-discrete", "ppo-continuous", "sac"])
def test_actor_and_its_ir_are_sb3_predict(kind: str, tmp_path: Path) -> None:
    model = _model(kind)
    if kind == "ppo-continuous":  # a mean beyond the bounds for the steering: SB3 clips it to 1
        model.policy.action_net.bias.data[:] = torch.tensor([1.5, 0.2])
    discrete = kind == "ppo-discrete"
    actor = DeterministicActor(model, "sac" if kind == "sac" else "ppo", discrete)
    obs = np.random.default_rng(0).uniform(-3, 3, (300, 10)).astype(np.float32)
    expected = model.predict(obs, deterministic=True)[0]
    out = torch_outputs(actor, obs)
    if discrete:
        assert out.shape == (300, 7) and np.array_equal(out.argmax(axis=1), expected)
    else:
        assert np.allclose(out, expected, atol=1e-6)
        assert out.min() >= -1.0 and out.max() <= 1.0
        if kind == "ppo-continuous":
            assert np.all(out[:, 0] == 1.0)
    onnx = export_onnx(actor, obs, tmp_path / "model.onnx")
    compiled = ir.IRModel(ir.convert_onnx(onnx), (10,))
    assert np.max(np.abs(compiled.outputs(obs) - out)) < 1e-5
