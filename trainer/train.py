"""``reward train``'s logic: set up a run folder, build the vector env and the SB3 model, learn, checkpoint.

:func:`train` is the whole job; the CLI only parses options, shows the live display and prints the summary.
New run, ``resume`` (continue ``runs/NAME`` from ``last``) and ``clone`` (a new run ``X-V2`` starting from run X's
``best`` weights with a new reward and/or hyperparameters) share it. Ctrl-C (``KeyboardInterrupt``) and reward
failures save ``last`` and close the logs before the exception leaves :func:`train`.

``observation="camera"`` (``reward train --obs camera --from-scratch``) trains PPO with SB3's ``CnnPolicy``
(NatureCNN, DeepRacer's shallow network shape) on the ``(1, 120, 160)`` uint8 camera frames with the user's reward
— plain RL, much slower than distilling a features teacher (:mod:`trainer.distill`); evaluations drive on camera
frames too, and the run's ``model_metadata.json`` says ``"observation": "camera"``.
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
from reward_sdk.sim.actions import ContinuousActionSpace, ModelMetadata, load_model_metadata
from reward_sdk.sim.car import physics_profile
from reward_sdk.tracks import resolve_track
from trainer import hyperparams
from trainer.callbacks import Best, Budget, Reporter, TrainingMonitor
from trainer.env import DEFAULT_MAX_STEPS, action_space_of
from trainer.evaluation import EvalResult, cnn_threads, evaluate
from trainer.runs import DEFAULT_RUNS_DIR, RunDir, check_name, clone_name, find_run, now, read_json_object
from trainer.trace import TrainingTrace

TORCH_THREADS = 1  # small MLPs: one thread is fastest, and leaves the other core to the sandbox worker


@dataclass
class TrainConfig:
    """Options of one ``reward train`` call (see the CLI's help for each)."""

    reward: Path | None = None
    track: str | None = None
    algo: str | None = None
    actions: str | None = None
    steps: int | None = None
    minutes: float | None = None
    name: str | None = None
    runs_dir: Path = DEFAULT_RUNS_DIR
    tracks_dir: Path | None = None
    seed: int = 0
    envs: int | None = None
    hp: list[str] = field(default_factory=list)
    clone: Path | None = None
    resume: bool = False
    on_error: str = "raise"
    physics: str = "droa-2026"
    reverse: bool = False
    until_lap: bool = False
    eval_every: int | None = None
    eval_laps: int = 3
    checkpoint_every_s: float = 60.0
    max_episode_steps: int = DEFAULT_MAX_STEPS
    observation: str = "features"


@dataclass
class TrainResult:
    """What :func:`train` did: the run, steps, why it stopped, the best evaluation and the first lap."""

    run: RunDir
    steps: int
    stop_reason: str
    best: Best
    metrics: list[dict[str, Any]]
    skipped: int


class CameraMonitor(TrainingMonitor):
    """:class:`TrainingMonitor` whose evaluations feed the policy camera frames (camera runs)."""

    def evaluate(self) -> EvalResult:
        policy = self.model.policy

        def predict(obs: np.ndarray) -> np.ndarray:
            return np.asarray(policy.predict(obs, deterministic=True)[0])

        return evaluate(
            predict, self.track, self.actions, laps=self.eval_laps, car=self.car, observation="camera"
        )


class _Silent:
    def update(self, steps: int, elapsed_s: float, iteration: dict[str, Any] | None) -> None:
        pass


def default_envs(algo: str) -> int:
    """Cars per vector env: 8 for PPO (more samples per policy call), 4 for SAC (one gradient step per call)."""
    return 8 if algo == "ppo" else 4


def train(config: TrainConfig, reporter: Reporter | None = None) -> TrainResult:
    """Run (or continue) a training job; see the module docstring. :raises UserError: bad input (one line)."""
    started = time.perf_counter()
    plan = _plan(config)
    run: RunDir = plan["run"]
    info: dict[str, Any] = plan["info"]
    algo, envs = info["algo"], info["envs"]
    track = resolve_track(info["track"], config.tracks_dir)
    if info.get("reverse"):
        track = track.reversed()
    metadata = load_model_metadata(run.metadata_json)
    car = physics_profile(info["physics"])
    hp = hyperparams.resolve(algo, [], plan["hp"])
    observation = str(info.get("observation", "features"))

    import torch

    torch.set_num_threads(cnn_threads() if observation == "camera" else TORCH_THREADS)
    from stable_baselines3.common.vec_env import VecMonitor

    from trainer.vec_env import RaceCarVecEnv

    session = run.next_session()
    trace = TrainingTrace(run.logs / f"training-{session}.log", run.logs / f"training-{session}.csv", track)
    vec = RaceCarVecEnv(
        track,
        run.reward_file,
        num_envs=envs,
        actions=metadata.action_space,
        max_steps=config.max_episode_steps,
        car=car,
        on_error=config.on_error,
        on_episode=trace.episode,
        seed=config.seed + 1000 * session,
        observation=observation,
    )
    env = VecMonitor(vec)
    model = _model(algo, env, hp, run, config.seed, plan.get("load"), plan.get("weights"), observation)
    metrics = run.read_metrics()
    best = Best(
        rank=tuple(info["best"]["rank"]) if info.get("best", {}).get("rank") else (-1.0, -1e9),
        completion_pct=float(info.get("best", {}).get("completion_pct", 0.0)),
        lap_time=info.get("best", {}).get("lap_time"),
        steps=int(info.get("best", {}).get("steps", 0)),
        first_lap=info.get("first_lap"),
    )
    budget = Budget(
        steps=plan["target_steps"],
        seconds=None if config.minutes is None else 60.0 * config.minutes,
        until_lap=config.until_lap,
    )
    rollout = hp.get("n_steps", 256) * envs if algo == "ppo" else 2048
    monitor_class = CameraMonitor if observation == "camera" else TrainingMonitor
    monitor = monitor_class(
        run,
        track,
        metadata.action_space,
        car,
        budget,
        reporter or _Silent(),
        eval_every=config.eval_every or rollout,
        eval_laps=config.eval_laps,
        checkpoint_every_s=config.checkpoint_every_s,
        best=best,
        metrics=metrics,
        skipped=lambda: vec.scorer.skipped,
        started=started,
    )
    info.update(status="running", sessions=session + 1)
    run.write_info(info)
    status = "failed"
    try:
        with trace:
            try:
                model.learn(
                    total_timesteps=10**12, callback=monitor, reset_num_timesteps=False, progress_bar=False
                )
                status = "finished"
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            finally:
                with contextlib.suppress(Exception):
                    monitor.save_last()
                info.update(
                    status=status,
                    steps=int(model.num_timesteps),
                    best={
                        "rank": list(monitor.best.rank),
                        "completion_pct": monitor.best.completion_pct,
                        "lap_time": monitor.best.lap_time,
                        "steps": monitor.best.steps,
                    },
                    first_lap=monitor.best.first_lap,
                    reward_errors_skipped=int(info.get("reward_errors_skipped", 0)) + vec.scorer.skipped,
                )
                run.write_info(info)
    finally:
        env.close()
    return TrainResult(
        run, int(model.num_timesteps), monitor.stop_reason, monitor.best, metrics, vec.scorer.skipped
    )


# -- planning ------------------------------------------------------------------------------------------------------
def _plan(config: TrainConfig) -> dict[str, Any]:
    """Check the inputs, create/prepare the run folder; return ``run``, ``info``, ``hp``, ``target_steps`` and
    what to load (``load``: a checkpoint to continue, ``weights``: a checkpoint whose policy weights to copy)."""
    if config.steps is not None and config.steps < 1:
        raise UserError("--steps must be >= 1")
    if config.minutes is not None and config.minutes <= 0:
        raise UserError("--minutes must be > 0")
    if config.envs is not None and not 1 <= config.envs <= 256:
        raise UserError("--envs must be in 1..256")
    if config.observation not in ("features", "camera"):
        raise UserError(f"--obs must be features or camera, got {config.observation!r}")
    if config.resume:
        return _plan_resume(config)
    if config.reward is None:
        raise UserError("give the reward file to train with (reward train FILE ...)")
    from reward_sdk.reward_file import read_reward_source
    from sandbox.policy import compile_reward

    source = read_reward_source(config.reward)
    compile_reward(source, str(config.reward))  # RewardCompileError: one line, before anything is written
    parent: RunDir | None = None
    parent_info: dict[str, Any] = {}
    if config.clone is not None:
        parent = find_run(config.clone, config.runs_dir)
        parent_info = parent.read_info()
    algo = (config.algo or parent_info.get("algo") or "ppo").lower()
    if algo not in hyperparams.ALGOS:
        raise UserError(f"--algo must be ppo or sac, got {config.algo!r}")
    if parent is not None and parent_info.get("observation", "features") != config.observation:
        raise UserError(
            f"--clone keeps the parent's observation ({parent_info.get('observation', 'features')})"
        )
    if config.observation == "camera" and algo != "ppo":
        raise UserError("--obs camera trains PPO with a CNN: leave out --algo sac")
    track_name = config.track or parent_info.get("track")
    if track_name is None:
        raise UserError("give --track (a built-in name, a .npy path or a file stem in --tracks-dir)")
    resolve_track(track_name, config.tracks_dir)  # TrackError: one line
    try:
        physics_profile(config.physics)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if parent is not None:
        metadata = load_model_metadata(parent.metadata_json)
        if config.actions is not None:
            raise UserError("--clone keeps the parent's action space: leave out --actions")
        if algo != parent_info.get("algo"):
            raise UserError(
                f"--clone keeps the parent's algorithm ({parent_info.get('algo')}): leave out --algo"
            )
    else:
        actions = config.actions or ("discrete" if algo == "ppo" else "continuous")
        metadata = _metadata(actions)
    if algo == "sac" and not isinstance(metadata.action_space, ContinuousActionSpace):
        raise UserError(
            "--algo sac needs continuous actions (--actions continuous or a continuous model_metadata.json)"
        )
    base_hp = None
    if parent is not None:
        base_hp = hyperparams.check(
            algo, _json(parent.hyperparameters_json), str(parent.hyperparameters_json)
        )
    hp = hyperparams.resolve(algo, config.hp, base_hp)
    runs_dir = config.runs_dir
    name = check_name(config.name) if config.name else (clone_name(parent.path, runs_dir) if parent else None)
    if name is None:
        raise UserError("give --name NAME (the run goes to runs/NAME)")
    weights = None
    if parent is not None:
        weights = (
            parent.checkpoint("best") if parent.checkpoint("best").is_file() else parent.checkpoint("last")
        )
        if not weights.is_file():
            raise UserError(f"{parent.path}: no checkpoint to clone from")
    run = RunDir(runs_dir / name)
    if run.path.exists():
        raise UserError(f"{run.path} exists: use --resume to continue it, or another --name")
    run.path.mkdir(parents=True)
    shutil.copyfile(config.reward, run.reward_file)
    from trainer.runs import write_json

    training_algorithm = "clipped_ppo" if algo == "ppo" else "sac"
    if config.observation == "camera":
        from trainer.distill import camera_metadata

        write_json(run.metadata_json, camera_metadata(metadata))
    else:
        meta = ModelMetadata(
            action_space=metadata.action_space,
            sensor=("observation",),
            neural_network="MLP_FEATURES",
            training_algorithm=training_algorithm,
        )
        write_json(run.metadata_json, {**meta.to_json(), "observation": "features"})
    write_json(run.hyperparameters_json, hyperparams.deepracer_json(algo, hp))
    info = {
        "name": name,
        "track": str(track_name),
        "reverse": config.reverse,
        "algo": algo,
        "actions": metadata.action_space.kind,
        "reward_file": str(config.reward),
        "seed": config.seed,
        "envs": config.envs or default_envs(algo),
        "physics": config.physics,
        "steps": 0,
        "target_steps": config.steps,
        "status": "created",
        "best": {"completion_pct": 0.0, "lap_time": None, "steps": 0},
        "first_lap": None,
        "parent": str(parent.path) if parent else None,
        "observation": config.observation,
        "teacher": None,
        "created": now(),
    }
    return {"run": run, "info": info, "hp": hp, "target_steps": config.steps, "weights": weights}


def _plan_resume(config: TrainConfig) -> dict[str, Any]:
    if config.name is None:
        raise UserError("--resume needs --name NAME of the run to continue")
    run = find_run(config.name, config.runs_dir)
    info = run.read_info()
    if info.get("teacher"):
        raise UserError(f"{run.path} was distilled from {info['teacher']}: distil again with another --name")
    if config.reward is not None and Path(config.reward).resolve() != run.reward_file.resolve():
        source = Path(config.reward).read_text(encoding="utf-8") if Path(config.reward).is_file() else None
        if source != run.reward_file.read_text(encoding="utf-8"):
            raise UserError(
                "--resume trains with the run's own reward_function.py: use --clone for a new reward"
            )
    last = run.checkpoint("last")
    if not last.is_file():
        raise UserError(f"{run.path}: no checkpoints/last.zip to resume from")
    algo = info["algo"]
    hp = hyperparams.check(algo, _json(run.hyperparameters_json), str(run.hyperparameters_json))
    if config.hp:
        raise UserError("--resume keeps the run's hyperparameters: use --clone to change them")
    done = int(info.get("steps", 0))
    target = done + config.steps if config.steps is not None else info.get("target_steps")
    if config.envs is not None:
        info["envs"] = config.envs
    if target is None and config.minutes is None:
        raise UserError("--resume of a run trained by time needs --minutes M or --steps N")
    return {"run": run, "info": info, "hp": hp, "target_steps": target, "load": last}


def _metadata(actions: str) -> ModelMetadata:
    if actions in ("discrete", "continuous"):
        return ModelMetadata(action_space=action_space_of(actions))
    path = Path(actions)
    if not path.is_file():
        raise UserError(
            f"--actions must be discrete, continuous or a model_metadata.json file, got {actions!r}"
        )
    return load_model_metadata(path)


def _json(path: Path) -> dict[str, Any]:
    return read_json_object(path, f"{path}: unreadable", f"{path}: expected a JSON object")


# -- the model -----------------------------------------------------------------------------------------------------
def _model(
    algo: str,
    env: Any,
    hp: dict[str, Any],
    run: RunDir,
    seed: int,
    load: Path | None,
    weights: Path | None,
    observation: str = "features",
) -> Any:
    from stable_baselines3 import PPO, SAC

    tensorboard = str(run.tensorboard)
    cls: Any = PPO if algo == "ppo" else SAC
    if load is not None:
        model = cls.load(load, env=env, device="cpu", tensorboard_log=tensorboard)
        return model
    common: dict[str, Any] = {
        "learning_rate": hp["lr"],
        "batch_size": hp["batch_size"],
        "gamma": hp["discount_factor"],
        "seed": seed,
        "device": "cpu",
        "tensorboard_log": tensorboard,
        "policy_kwargs": {"net_arch": [hp["net_width"]] * 2},
    }
    if observation == "camera":  # NatureCNN (dense 512) straight into the action and value heads
        common["policy_kwargs"] = {}
    if algo == "ppo":
        model = PPO(
            "CnnPolicy" if observation == "camera" else "MlpPolicy",
            env,
            n_steps=hp["n_steps"],
            n_epochs=hp["num_epochs"],
            gae_lambda=hp["gae_lambda"],
            clip_range=hp["clip_range"],
            ent_coef=hp["beta_entropy"],
            **common,
        )
    else:
        alpha = hp["sac_alpha"]
        model = SAC(
            "MlpPolicy",
            env,
            ent_coef=alpha if alpha == "auto" else float(alpha),
            buffer_size=hp["buffer_size"],
            learning_starts=hp["learning_starts"],
            gradient_steps=hp["gradient_steps"],
            **common,
        )
    if weights is not None:
        parent = cls.load(weights, device="cpu")
        if parent.observation_space != model.observation_space or parent.action_space != model.action_space:
            raise UserError(f"{weights}: the parent's observation/action spaces differ from this run's")
        model.policy.load_state_dict(parent.policy.state_dict())
    return model
