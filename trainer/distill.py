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
No reward is called: the teacher's actions are the only signal. The loop's working parts (teacher, env, student,
dataset, supervised step) are in :mod:`trainer.dagger`; this module plans the run folder and drives the rounds.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reward_sdk.errors import UserError
from reward_sdk.sim.actions import ModelMetadata
from reward_sdk.sim.car import physics_profile
from trainer import hyperparams
from trainer.callbacks import Reporter
from trainer.dagger import Dagger, Teacher, load_teacher
from trainer.env import DEFAULT_MAX_STEPS
from trainer.evaluation import EvalResult, cnn_threads, evaluate
from trainer.runs import DEFAULT_RUNS_DIR, RunDir, check_name, now, write_json


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
            remaining = None if config.steps is None else config.steps - dagger.steps
            entry = dagger.round(remaining)
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
    from reward_sdk.reward_file import read_reward_source
    from sandbox.policy import compile_reward

    compile_reward(read_reward_source(reward), str(reward))  # one line on a broken file, before any write
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
