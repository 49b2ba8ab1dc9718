"""Distillation (DAgger): a camera policy for the real car learns to drive like a features teacher run.

The real car sees only its 160×120 gray camera. A features policy (``reward train``, observation ``Box(10,)``)
learns a lap in seconds; :func:`distill` turns it into a camera policy — an SB3 PPO ``CnnPolicy`` (NatureCNN, the
shape of DeepRacer's shallow network: conv 32·8×8/4, 64·4×4/2, 64·3×3/1, dense 512) with the teacher's action
space — by imitation with dataset aggregation (DAgger, Ross et al. 2011):

1. Round *k*: K cars drive in a camera :class:`~trainer.vec_env.RaceCarVecEnv` for ``round_states`` states. Each car
   takes the teacher's action with probability β_k = ``0.5 ** k`` (round 0: the teacher drives) and the
   student's deterministic action otherwise, so later rounds visit the states the *student* drives into.
2. Every visited state is labelled with the teacher's deterministic action on the features observation of the same
   state (:meth:`~trainer.vec_env.RaceCarVecEnv.observe_as`), and its camera frame is added to the dataset (all
   rounds kept, up to :data:`DATASET_CAP` frames; past it a random old entry is replaced).
3. The student's policy network is trained by supervised learning on minibatches drawn from the whole dataset:
   discrete actions — cross-entropy of ``policy.get_distribution(obs).distribution.logits`` against the teacher's
   action index; continuous — mean squared error of the Gaussian's mean against the teacher's action in [−1, 1]².
4. The deterministic student drives ``eval_laps`` laps from evenly spaced starts; the best evaluation (completion,
   then mean lap time — as ``reward train``) is saved as ``checkpoints/best.zip``, the current student as
   ``last.zip`` (every ``checkpoint_every_s``, on Ctrl-C and at the end).

The result is an ordinary run folder (:mod:`trainer.runs`): ``run.json`` with ``observation: "camera"``,
``teacher`` (its path), ``teacher_eval`` (the teacher's evaluation on the same starts), ``first_lap`` and
``all_laps`` (the first evaluation that completed one / every lap: ``steps``, ``wall_s`` since distillation
started, ``lap_time``), ``model_metadata.json`` (sensor ``FRONT_FACING_CAMERA``, network
``DEEP_CONVOLUTIONAL_NETWORK_SHALLOW``, ``clipped_ppo``), ``hyperparameters.json``, the teacher's reward copied as
``reward_function.py``, and one ``metrics.json`` entry per round. ``steps`` counts visited (labelled) states.
No reward is called: the teacher's actions are the only signal.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reward_sdk.errors import UserError
from reward_sdk.sim.actions import DiscreteActionSpace, ModelMetadata, load_model_metadata
from reward_sdk.sim.car import physics_profile
from reward_sdk.tracks import Track, resolve_track
from trainer import hyperparams
from trainer.callbacks import Reporter
from trainer.env import DEFAULT_MAX_STEPS
from trainer.evaluation import EvalResult, cnn_threads, evaluate
from trainer.runs import DEFAULT_RUNS_DIR, RunDir, check_name, find_run, now, write_json

DATASET_CAP = 16_384  # frames kept (uint8 1×120×160: ~315 MB when full)
STUDENT_ROLLOUT = 8  # PPO n_steps of the student (its float32 rollout buffer is never filled by distillation)
BETA_ROUNDS = 4  # rounds in which the teacher may drive (β = 0.5**k), the student alone afterwards


@dataclass
class DistillConfig:
    """Options of one distillation (``reward train --obs camera --teacher RUN``).

    :param teacher: the features run to imitate (path or name in ``runs_dir``); its ``best`` checkpoint (else
        ``last``) labels the states.
    :param reward: reward file copied into the run (default: the teacher's ``reward_function.py``).
    :param steps: budget of visited states; ``minutes``: wall-time budget (at least one must be set).
    :param envs: cars driving at once while collecting; ``round_states``: states collected per round.
    :param updates_per_state: minibatch samples trained per collected state (the training cost per round is fixed,
        while minibatches are drawn from the whole aggregated dataset).
    :param until_lap: stop after the first evaluation in which every lap is completed.
    :param stop_ratio: stop after the first evaluation in which every lap is completed with a mean lap time at
        most ``stop_ratio`` × the teacher's (on the same starts).
    :param torch_threads: torch CPU threads for the CNN (``None``: :func:`~trainer.evaluation.cnn_threads`, 2 when
        a core is idle, else 1).
    """

    teacher: Path
    name: str
    runs_dir: Path = DEFAULT_RUNS_DIR
    tracks_dir: Path | None = None
    reward: Path | None = None
    steps: int | None = None
    minutes: float | None = None
    seed: int = 0
    envs: int = 8
    round_states: int = 1024
    updates_per_state: float = 2.0
    batch_size: int = 64
    lr: float = 5e-4
    eval_laps: int = 4
    until_lap: bool = False
    stop_ratio: float | None = None
    torch_threads: int | None = None
    checkpoint_every_s: float = 60.0
    max_episode_steps: int = DEFAULT_MAX_STEPS


@dataclass
class DistillResult:
    """What :func:`distill` did: the run, states visited, rounds, why it stopped and the per-round metrics."""

    run: RunDir
    steps: int
    rounds: int
    stop_reason: str
    info: dict[str, Any]
    metrics: list[dict[str, Any]] = field(default_factory=list)


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


def distill(config: DistillConfig, reporter: Reporter | None = None) -> DistillResult:
    """Distil ``config.teacher`` into a camera student run ``runs_dir/name`` (module docstring).

    :raises UserError: bad options, teacher problems, an existing run name (one line, nothing written).
    """
    started = time.perf_counter()
    _check(config)
    teacher = load_teacher(config.teacher, config.runs_dir, config.tracks_dir)
    run = _create_run(config, teacher)
    import torch

    torch.set_num_threads(config.torch_threads or cnn_threads())
    car = physics_profile(teacher.info.get("physics", "droa-2026"))
    teacher_eval = evaluate(teacher.act, teacher.track, teacher.metadata.action_space, config.eval_laps, car)
    info = run.read_info()
    info.update(teacher_eval=teacher_eval.to_json(), status="running", sessions=1)
    run.write_info(info)
    dagger = Dagger(config, teacher, car)
    metrics: list[dict[str, Any]] = []
    best_rank: tuple[float, float] = (-1.0, -1e9)
    stop_reason, status = "", "failed"
    last_saved = time.perf_counter()
    try:
        while not stop_reason:
            entry = dagger.round()
            result: EvalResult = entry.pop("result")
            elapsed = time.perf_counter() - started
            if result.rank() > best_rank:
                best_rank = result.rank()
                info["best"] = {
                    "rank": list(best_rank),
                    "completion_pct": result.completion_pct,
                    "lap_time": result.mean_lap_time,
                    "steps": dagger.steps,
                }
                run.save_model(dagger.student, "best", {"steps": dagger.steps, "eval": result.to_json()})
            lap = {"steps": dagger.steps, "wall_s": elapsed, "unix_time": time.time()}
            if result.completed and info.get("first_lap") is None:
                info["first_lap"] = {**lap, "lap_time": result.best_lap_time}
            if result.completed == result.laps and info.get("all_laps") is None:
                info["all_laps"] = {**lap, "lap_time": result.mean_lap_time}
            ratio = _ratio(result, teacher_eval)
            entry.update(
                elapsed_s=round(elapsed, 3),
                eval=result.to_json(),
                lap_ratio=ratio,
                best_lap_time=info["best"]["lap_time"],
                best_completion_pct=info["best"]["completion_pct"],
            )
            metrics.append(entry)
            run.write_metrics(metrics)
            if reporter is not None:
                reporter.update(dagger.steps, elapsed, entry)
            if time.perf_counter() - last_saved >= config.checkpoint_every_s:
                run.save_model(dagger.student, "last", {"steps": dagger.steps})
                last_saved = time.perf_counter()
            stop_reason = _stop_reason(config, dagger.steps, elapsed, result, ratio)
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        with contextlib.suppress(Exception):
            run.save_model(dagger.student, "last", {"steps": dagger.steps})
        dagger.close()
        info.update(status=status, steps=dagger.steps, rounds=len(metrics))
        run.write_info(info)
    return DistillResult(run, dagger.steps, len(metrics), stop_reason, info, metrics)


def _ratio(student: EvalResult, teacher: EvalResult) -> float | None:
    """Student mean lap time / teacher mean lap time, when every student lap and a teacher lap completed."""
    mine, theirs = student.mean_lap_time, teacher.mean_lap_time
    if student.completed < student.laps or mine is None or theirs is None:
        return None
    return round(mine / theirs, 4)


def _stop_reason(
    config: DistillConfig, steps: int, elapsed: float, result: EvalResult, ratio: float | None
) -> str:
    if config.stop_ratio is not None and ratio is not None and ratio <= config.stop_ratio:
        return "ratio"
    if config.until_lap and result.completed == result.laps:
        return "lap"
    if config.steps is not None and steps >= config.steps:
        return "steps"
    if config.minutes is not None and elapsed >= 60.0 * config.minutes:
        return "time"
    return ""


def _check(config: DistillConfig) -> None:
    if config.steps is None and config.minutes is None:
        raise UserError("give --minutes M or --steps N")
    if config.steps is not None and config.steps < 1:
        raise UserError("--steps must be >= 1")
    if config.minutes is not None and config.minutes <= 0:
        raise UserError("--minutes must be > 0")
    if not 1 <= config.envs <= 256:
        raise UserError("--envs must be in 1..256")
    if config.eval_laps < 1 or config.round_states < 1 or config.batch_size < 1:
        raise UserError("eval laps, states per round and batch size must be >= 1")
    check_name(config.name)


def _create_run(config: DistillConfig, teacher: Teacher) -> RunDir:
    """Create ``runs_dir/name`` with run.json, the reward copy, model_metadata.json and hyperparameters.json."""
    run = RunDir(config.runs_dir / config.name)
    if run.path.exists():
        raise UserError(f"{run.path} exists: choose another --name")
    reward = config.reward if config.reward is not None else teacher.run.reward_file
    if not Path(reward).is_file():
        raise UserError(f"{reward}: no such reward file")
    run.path.mkdir(parents=True)
    shutil.copyfile(reward, run.reward_file)
    write_json(run.metadata_json, camera_metadata(teacher.metadata))
    hp = hyperparams.resolve("ppo", [f"lr={config.lr}", f"batch_size={config.batch_size}"])
    write_json(run.hyperparameters_json, hyperparams.deepracer_json("ppo", hp))
    info = teacher.info
    run.write_info(
        {
            "name": config.name,
            "track": info["track"],
            "reverse": bool(info.get("reverse", False)),
            "algo": "ppo",
            "actions": teacher.metadata.action_space.kind,
            "reward_file": str(reward),
            "seed": config.seed,
            "envs": config.envs,
            "physics": info.get("physics", "droa-2026"),
            "steps": 0,
            "target_steps": config.steps,
            "status": "created",
            "best": {"completion_pct": 0.0, "lap_time": None, "steps": 0},
            "first_lap": None,
            "all_laps": None,
            "parent": None,
            "observation": "camera",
            "teacher": str(teacher.run.path),
            "teacher_checkpoint": str(teacher.checkpoint),
            "method": "dagger",
            "created": now(),
        }
    )
    return run


def camera_metadata(metadata: ModelMetadata) -> dict[str, Any]:
    """``model_metadata.json`` of a camera PPO run with ``metadata``'s action space (DeepRacer format + our
    ``"observation": "camera"``)."""
    meta = ModelMetadata(
        action_space=metadata.action_space,
        sensor=("FRONT_FACING_CAMERA",),
        neural_network="DEEP_CONVOLUTIONAL_NETWORK_SHALLOW",
        training_algorithm="clipped_ppo",
    )
    return {**meta.to_json(), "observation": "camera"}


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

    def round(self) -> dict[str, Any]:
        """One round: collect, label, train, evaluate. Returns the metrics entry with the :class:`EvalResult`
        under ``"result"`` (the caller replaces it by its JSON)."""
        config, k = self.config, self.rounds
        beta = 0.5**k if k < BETA_ROUNDS else 0.0
        begin = time.perf_counter()
        collected = 0
        while collected < config.round_states:
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
