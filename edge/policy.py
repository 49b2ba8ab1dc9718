"""Load a run's SB3 checkpoint and wrap its deterministic actor as a plain torch module.

:func:`load_run_policy` reads ``runs/NAME`` (shared layout: ``run.json`` "algo", ``model_metadata.json``
"observation" and action space, ``checkpoints/best.zip`` or ``last.zip``) and checks that the checkpoint's
observation and action spaces are the ones the metadata promises.

:class:`DeterministicActor` is what gets exported; its output is:

* discrete PPO: the action logits ``(n, A)`` (argmax outside the graph gives SB3's deterministic action);
* continuous PPO: the Gaussian mean clipped to the action space bounds (SB3 ``predict`` clips the same way);
* SAC: ``tanh(mu)`` rescaled from [−1, 1] to the action space bounds (SB3 ``predict``'s ``unscale_action``).

Continuous outputs are policy outputs in [−1, 1]²; :meth:`~reward_sdk.sim.actions.ContinuousActionSpace.command`
maps them to degrees and m/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from edge.simdrive import observation_shape
from reward_sdk.errors import UserError
from reward_sdk.sim.actions import ActionSpace, DiscreteActionSpace, load_model_metadata
from reward_sdk.sim.car import CarParams, physics_profile
from reward_sdk.tracks import Track, resolve_track
from trainer.runs import RunDir, find_run

ALGOS = ("ppo", "sac")


@dataclass
class RunPolicy:
    """A loaded run: its files, spaces, track, car and the SB3 model (``model``)."""

    run: RunDir
    info: dict[str, Any]
    algo: str
    observation: str
    actions: ActionSpace
    checkpoint: Path
    model: Any
    track: Track
    car: CarParams

    @property
    def discrete(self) -> bool:
        return isinstance(self.actions, DiscreteActionSpace)

    def actor(self) -> DeterministicActor:
        """The deterministic actor of :attr:`model` (eval mode, no gradients)."""
        return DeterministicActor(self.model, self.algo, self.discrete)


def load_run_policy(
    run_path: str | Path,
    checkpoint: str = "best",
    runs_dir: Path = Path("runs"),
    tracks_dir: Path | None = None,
) -> RunPolicy:
    """Load run ``run_path`` (a folder or a name in ``runs_dir``); ``best`` falls back to ``last`` if absent.

    :raises UserError: not a run, unknown algo, missing/corrupt checkpoint or metadata, or a checkpoint whose
        observation/action spaces differ from ``model_metadata.json``'s.
    """
    run = find_run(run_path, runs_dir)
    info = run.read_info()
    algo = str(info.get("algo", "")).lower()
    if algo not in ALGOS:
        raise UserError(f'{run.run_json}: "algo" must be ppo or sac, got {info.get("algo")!r}')
    if not run.metadata_json.is_file():
        raise UserError(f"{run.metadata_json}: missing (every run folder has one)")
    actions = load_model_metadata(run.metadata_json).action_space
    observation = run.observation()
    path = run.checkpoint(checkpoint)
    if checkpoint == "best" and not path.is_file():
        path = run.checkpoint("last")
    if not path.is_file():
        raise UserError(f"{path}: no such checkpoint (train the run first)")
    from stable_baselines3 import PPO, SAC

    torch.set_num_threads(1)
    cls: Any = PPO if algo == "ppo" else SAC
    try:
        model = cls.load(path, device="cpu")
    except Exception as exc:
        raise UserError(f"{path}: cannot load the checkpoint ({type(exc).__name__}: {exc})") from None
    _check_spaces(model, observation, actions, path)
    track = resolve_track(str(info.get("track", "")), tracks_dir)
    if info.get("reverse"):
        track = track.reversed()
    try:
        car = physics_profile(str(info.get("physics", "droa-2026")))
    except ValueError as exc:
        raise UserError(f"{run.run_json}: {exc}") from None
    return RunPolicy(run, info, algo, observation, actions, path, model, track, car)


def _check_spaces(model: Any, observation: str, actions: ActionSpace, path: Path) -> None:
    want = observation_shape(observation)
    got = tuple(getattr(model.observation_space, "shape", ()) or ())
    if got != want:
        raise UserError(
            f"{path}: the policy's observation shape {got} does not match the metadata's {observation!r} "
            f"observation {want}"
        )
    n = getattr(model.action_space, "n", None)
    if isinstance(actions, DiscreteActionSpace):
        if n is None or int(n) != len(actions):
            raise UserError(f"{path}: the policy has {n} actions, model_metadata.json lists {len(actions)}")
    elif n is not None or tuple(model.action_space.shape) != (2,):
        raise UserError(
            f"{path}: the policy's actions do not match the continuous action space of the metadata"
        )


class DeterministicActor(nn.Module):
    """The deterministic part of an SB3 policy, ``obs -> logits | action`` (see the module docstring).

    Input: a float32 features batch ``(n, 10)`` or a uint8 camera batch ``(n, 1, 120, 160)`` (pixels are divided
    by 255 inside, as SB3 does).
    """

    def __init__(self, model: Any, algo: str, discrete: bool) -> None:
        super().__init__()
        self.policy = model.policy
        self.algo = algo
        self.discrete = discrete
        space = model.action_space
        low = np.zeros(1) if discrete else np.asarray(space.low, dtype=np.float32)
        high = np.ones(1) if discrete else np.asarray(space.high, dtype=np.float32)
        self.register_buffer("low", torch.as_tensor(low, dtype=torch.float32))
        self.register_buffer("high", torch.as_tensor(high, dtype=torch.float32))
        self.eval()

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        low, high = self.get_buffer("low"), self.get_buffer("high")
        if self.algo == "sac":
            squashed: torch.Tensor = self.policy.actor(obs, deterministic=True)
            return low + 0.5 * (squashed + 1.0) * (high - low)
        features = self.policy.extract_features(obs)
        latent = self.policy.mlp_extractor.forward_actor(features)
        out: torch.Tensor = self.policy.action_net(latent)
        if self.discrete:
            return out
        return torch.maximum(torch.minimum(out, high), low)


def torch_outputs(actor: DeterministicActor, obs: np.ndarray, batch: int = 256) -> np.ndarray:
    """Raw actor outputs (logits or actions, float32) for an observation array, in batches of ``batch``."""
    outs = []
    with torch.inference_mode():
        for begin in range(0, len(obs), batch):
            outs.append(actor(torch.as_tensor(obs[begin : begin + batch])).numpy())
    return np.concatenate(outs).astype(np.float32)


def torch_predict(actor: DeterministicActor) -> Any:
    """A ``predict`` for :func:`edge.simdrive.drive`: argmax of the logits (discrete) or the actions."""

    def predict(obs: np.ndarray) -> np.ndarray:
        out = torch_outputs(actor, obs)
        return out.argmax(axis=1) if actor.discrete else out

    return predict
