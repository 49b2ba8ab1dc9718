"""A camera run for the edge tests (until ``reward train --obs camera`` lands): an SB3 PPO ``CnnPolicy`` on
``Box(0, 255, (1, 120, 160), uint8)`` frames with the default discrete action grid, taught by behaviour cloning
of the centre-line pure-pursuit driver (with DART-style noise: the car sometimes executes a perturbed action, the
label stays the driver's), saved into a run folder with the shared layout (``run.json``, ``model_metadata.json``
with ``"observation": "camera"``, ``checkpoints/best.zip``).

A few thousand frames and a few epochs are enough for the policy to lap the oval; its logits are then confident
enough that quantisation changes few argmaxes (an untrained CNN's near-uniform logits would not be a fair test).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from reward_sdk.builtin_tracks import builtin_track
from reward_sdk.sim import camera, drivers
from reward_sdk.sim.actions import ModelMetadata, discrete_grid, nearest_action
from reward_sdk.sim.episode import Race, RaceConfig

FRAME_SHAPE = (1, camera.HEIGHT_PX, camera.WIDTH_PX)


class _FrameEnv(gym.Env[np.ndarray, np.int64]):
    """Spaces only: SB3 needs an env to build a policy; the policy is trained by cloning, not by RL here."""

    def __init__(self, actions: int) -> None:
        self.observation_space = spaces.Box(0, 255, FRAME_SHAPE, np.uint8)
        self.action_space = spaces.Discrete(actions)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        return np.zeros(FRAME_SHAPE, np.uint8), {}

    def step(self, action: Any) -> Any:
        return np.zeros(FRAME_SHAPE, np.uint8), 0.0, True, False, {}


def clone_frames(
    track_name: str = "oval", starts: int = 6, speed: float = 1.5, noise: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Frames ``(m, 1, 120, 160)`` uint8 and expert action indices from driving ``starts`` laps with the
    centre-line driver; with probability ``noise`` a step executes a random neighbouring action instead."""
    track = builtin_track(track_name)
    space = discrete_grid()
    rng = np.random.default_rng(seed)
    frames: list[np.ndarray] = []
    labels: list[int] = []
    for k in range(starts):
        race = Race(track, space, None, RaceConfig(start_spacing=0.0, max_steps=400), record_rows=False)
        race.reset(start_ndist=k / starts)
        pilot = drivers.centre_line(speed)
        for _ in range(400):
            x, y = race.car.front
            frames.append(camera.render(track, x, y, race.car.yaw)[None])
            command, speed_cmd = pilot(race)
            # the driver leads its command to beat the steering lag (command = steer + 2 (wanted - steer));
            # a single frame shows the geometry behind ``wanted``, not the wheels' angle: label with ``wanted``
            wanted = 0.5 * (command + math.degrees(race.car.steer))
            expert = nearest_action(space, wanted, speed_cmd)
            labels.append(expert)
            action = expert
            if rng.random() < noise:
                action = int(np.clip(expert + rng.choice([-2, 2]), 0, len(space) - 1))
            if race.step(action).done:
                break
    return np.stack(frames), np.asarray(labels)


def build_camera_run(
    root: Path, name: str = "cam", seed: int = 0, starts: int = 4, ridge: float = 30.0, scale: float = 10.0
) -> Path:
    """Create ``root/name`` (a camera run, PPO CnnPolicy, cloned on the oval); returns its path."""
    import torch
    from stable_baselines3 import PPO

    torch.manual_seed(seed)
    space = discrete_grid()
    model = PPO("CnnPolicy", _FrameEnv(len(space)), n_steps=64, batch_size=64, device="cpu", seed=seed)
    frames, labels = clone_frames(starts=starts, seed=seed)
    policy = model.policy
    with torch.no_grad():  # convolutions and the dense layer keep their initialisation; the head is fitted
        feats = torch.cat(
            [
                policy.extract_features(torch.as_tensor(frames[b : b + 256]))
                for b in range(0, len(frames), 256)
            ]
        ).double()
        design = torch.cat([feats, torch.ones(len(feats), 1, dtype=torch.float64)], dim=1)
        target = torch.nn.functional.one_hot(torch.as_tensor(labels), len(space)).double() * scale
        gram = design.T @ design + ridge * torch.eye(design.shape[1], dtype=torch.float64)
        solution = torch.linalg.solve(gram, design.T @ target)
        policy.action_net.weight.copy_(solution[:-1].T.float())
        policy.action_net.bias.copy_(solution[-1].float())
    policy.eval()
    run = root / name
    (run / "checkpoints").mkdir(parents=True)
    model.save(run / "checkpoints" / "best.zip")
    meta = ModelMetadata(
        action_space=space,
        sensor=("FRONT_FACING_CAMERA",),
        neural_network="DEEP_CONVOLUTIONAL_NETWORK_SHALLOW",
        training_algorithm="clipped_ppo",
    )
    (run / "model_metadata.json").write_text(
        json.dumps({**meta.to_json(), "observation": "camera"}, indent=2)
    )
    info = {
        "schema_version": 1,
        "name": name,
        "track": "oval",
        "reverse": False,
        "algo": "ppo",
        "actions": "discrete",
        "envs": 1,
        "physics": "droa-2026",
        "best": {"completion_pct": 0.0, "lap_time": None, "steps": 0},
    }
    (run / "run.json").write_text(json.dumps(info, indent=2))
    return run
