"""The DAgger loop's working parts (:mod:`trainer.distill` drives them): the loaded features teacher, and
:class:`Dagger` — the camera vector env the cars drive in, the student PPO ``CnnPolicy``, the aggregated dataset of
(camera frame, teacher action) pairs and the supervised training of the student's policy network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reward_sdk.errors import UserError
from reward_sdk.sim.actions import DiscreteActionSpace, ModelMetadata, load_model_metadata
from reward_sdk.tracks import Track, resolve_track
from trainer import hyperparams
from trainer.evaluation import evaluate
from trainer.runs import DEFAULT_RUNS_DIR, RunDir, find_run

if TYPE_CHECKING:
    from trainer.distill import DistillConfig

DATASET_CAP = 16_384  # frames kept (uint8 1×120×160: ~315 MB when full)
STUDENT_ROLLOUT = 8  # PPO n_steps of the student (its float32 rollout buffer is never filled by distillation)
BETA_ROUNDS = 4  # rounds in which the teacher may drive (β = 0.5**k), the student alone afterwards


@dataclass
class Teacher:
    """A loaded features teacher: its run, info, SB3 model, action space, track and physics."""

    run: RunDir
    info: dict[str, Any]
    model: Any
    metadata: ModelMetadata
    track: Track
    checkpoint: Path

    def act(self, features: np.ndarray) -> np.ndarray:
        """Deterministic actions for a ``(n, 10)`` features batch (indices, or ``[-1, 1]²`` pairs)."""
        return np.asarray(self.model.predict(features, deterministic=True)[0])


def load_teacher(path: Path, runs_dir: Path = DEFAULT_RUNS_DIR, tracks_dir: Path | None = None) -> Teacher:
    """Load the teacher run. :raises UserError: not a run, a camera run, no checkpoint, unloadable checkpoint."""
    run = find_run(path, runs_dir)
    info = run.read_info()
    if run.observation() != "features" or info.get("observation", "features") != "features":
        raise UserError(f"{run.path}: the teacher must be a features run (this one drives from the camera)")
    algo = info.get("algo")
    if algo not in hyperparams.ALGOS:
        raise UserError(f"{run.run_json}: unknown algo {algo!r}")
    metadata = load_model_metadata(run.metadata_json)
    if algo == "sac" and isinstance(metadata.action_space, DiscreteActionSpace):
        raise UserError(f"{run.path}: a SAC teacher needs continuous actions, its metadata is discrete")
    checkpoint = run.checkpoint("best") if run.checkpoint("best").is_file() else run.checkpoint("last")
    if not checkpoint.is_file():
        raise UserError(f"{run.path}: the teacher has no checkpoint (checkpoints/best.zip or last.zip)")
    from stable_baselines3 import PPO, SAC

    cls: Any = PPO if algo == "ppo" else SAC
    try:
        model = cls.load(checkpoint, device="cpu")
    except Exception as exc:
        raise UserError(f"{checkpoint}: cannot load the teacher ({type(exc).__name__}: {exc})") from None
    if model.observation_space.shape != (10,):
        raise UserError(f"{checkpoint}: the teacher's observation is {model.observation_space}, not features")
    track = resolve_track(info["track"], tracks_dir)
    if info.get("reverse"):
        track = track.reversed()
    return Teacher(run, info, model, metadata, track, checkpoint)


def _no_reward(params: dict[str, Any]) -> float:
    """Distillation calls no reward: the teacher's actions are the signal."""
    return 0.0


class Dagger:
    """The DAgger loop's state: the camera vector env, the student PPO, the aggregated dataset, the optimiser.

    :param config: the options; ``teacher``: the loaded teacher; ``car``: car-model parameters (the teacher's).
    :raises UserError: the student's action space differs from the teacher model's.
    """

    def __init__(self, config: DistillConfig, teacher: Teacher, car: Any) -> None:
        import torch
        from stable_baselines3 import PPO

        from trainer.vec_env import RaceCarVecEnv

        self.config, self.teacher, self.car = config, teacher, car
        self.actions = teacher.metadata.action_space
        self.discrete = isinstance(self.actions, DiscreteActionSpace)
        self.env = RaceCarVecEnv(
            teacher.track,
            _no_reward,
            num_envs=config.envs,
            actions=self.actions,
            max_steps=config.max_episode_steps,
            car=car,
            seed=config.seed,
            observation="camera",
        )
        self.student: Any = PPO(
            "CnnPolicy",
            self.env,
            n_steps=STUDENT_ROLLOUT,
            batch_size=STUDENT_ROLLOUT * config.envs,
            learning_rate=config.lr,
            seed=config.seed,
            device="cpu",
        )
        if self.student.action_space != teacher.model.action_space:
            raise UserError(f"{teacher.checkpoint}: the teacher's action space does not match its metadata")
        self.optimizer = torch.optim.Adam(self.student.policy.parameters(), lr=config.lr)
        self.rng = np.random.default_rng(config.seed)
        self.frames = np.empty((DATASET_CAP, *self.env.observation_space.shape), dtype=np.uint8)  # type: ignore[misc]
        self.labels = (
            np.empty(DATASET_CAP, dtype=np.int64)
            if self.discrete
            else np.empty((DATASET_CAP, 2), dtype=np.float32)
        )
        self.size = 0
        self.steps = 0
        self.rounds = 0
        self.obs = self.env.reset()

    def student_act(self, frames: np.ndarray) -> np.ndarray:
        """The student's deterministic actions for a ``(n, 1, 120, 160)`` uint8 batch."""
        return np.asarray(self.student.policy.predict(frames, deterministic=True)[0])

    def round(self, limit: int | None = None) -> dict[str, Any]:
        """One round: collect ``round_states`` states (at most ``limit``, rounded up to whole steps of the K
        cars), label, train, evaluate. Returns the metrics entry with the :class:`EvalResult` under
        ``"result"`` (the caller replaces it by its JSON)."""
        config, k = self.config, self.rounds
        target = config.round_states if limit is None else max(1, min(config.round_states, limit))
        beta = 0.5**k if k < BETA_ROUNDS else 0.0
        begin = time.perf_counter()
        collected = 0
        while collected < target:
            labels = self.teacher.act(self.env.observe_as("features"))
            self._add(self.obs, labels)
            chosen = labels
            if beta < 1.0:
                use_teacher = self.rng.random(self.env.num_envs) < beta
                student = self.student_act(self.obs)
                chosen = np.where(use_teacher if self.discrete else use_teacher[:, None], labels, student)
            self.obs = np.asarray(self.env.step(chosen)[0])
            collected += self.env.num_envs
        self.steps += collected
        collect_s = time.perf_counter() - begin
        updates = max(1, round(config.updates_per_state * collected / config.batch_size))
        loss, agreement = self._train(updates)
        train_s = time.perf_counter() - begin - collect_s
        result = evaluate(
            self.student_act,
            self.teacher.track,
            self.actions,
            config.eval_laps,
            self.car,
            observation="camera",
        )
        self.rounds += 1
        return {
            "iteration": k,
            "steps": self.steps,
            "dataset": self.size,
            "beta": beta,
            "loss": loss,
            "agreement": agreement,
            "collect_s": round(collect_s, 3),
            "train_s": round(train_s, 3),
            "eval_s": round(time.perf_counter() - begin - collect_s - train_s, 3),
            "steps_per_s": round(collected / max(collect_s, 1e-9), 1),
            "result": result,
        }

    def close(self) -> None:
        self.env.close()

    # -- helpers -------------------------------------------------------------------------------------------------
    def _add(self, frames: np.ndarray, labels: np.ndarray) -> None:
        """Append a batch to the dataset; past :data:`DATASET_CAP` each new entry replaces a random old one."""
        for frame, label in zip(frames, labels, strict=True):
            slot = self.size if self.size < DATASET_CAP else int(self.rng.integers(0, DATASET_CAP))
            self.frames[slot] = frame
            self.labels[slot] = label
            self.size = min(self.size + 1, DATASET_CAP)

    def _train(self, updates: int) -> tuple[float, float | None]:
        """``updates`` minibatch steps on the dataset; returns the mean loss and (discrete) the share of
        minibatch states where the student's most likely action is the teacher's."""
        import torch
        import torch.nn.functional as functional

        policy = self.student.policy
        policy.set_training_mode(True)
        losses, agree = [], []
        for _ in range(updates):
            index = self.rng.integers(0, self.size, size=min(self.config.batch_size, self.size))
            obs = torch.as_tensor(self.frames[index])
            target = torch.as_tensor(self.labels[index])
            dist = policy.get_distribution(obs).distribution
            if self.discrete:
                loss = functional.cross_entropy(dist.logits, target)
                agree.append(float((dist.logits.argmax(dim=1) == target).float().mean()))
            else:
                loss = functional.mse_loss(dist.mean, target)
            self.optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
            self.optimizer.step()
            losses.append(float(loss.detach()))
        policy.set_training_mode(False)
        return round(float(np.mean(losses)), 5), round(float(np.mean(agree)), 4) if agree else None
