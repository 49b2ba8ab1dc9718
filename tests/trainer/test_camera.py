"""Camera policies: the channel-first camera observation, rewards that rewrite params, evaluation on frames,
DAgger distillation from a features teacher end to end, and ``reward train --obs camera``'s bad inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces

from reward_sdk.cli import main
from reward_sdk.examples import example_path
from reward_sdk.sim import camera
from reward_sdk.sim.actions import discrete_grid
from reward_sdk.tracks import resolve_track
from trainer.env import RaceCarEnv
from trainer.evaluation import evaluate
from trainer.vec_env import RaceCarVecEnv

REWARD = str(example_path("follow_center_line"))


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


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runs folder with ``teacher`` (features PPO, 512 steps on the oval) and ``cam`` distilled from it."""
    import torch

    from trainer.distill import DistillConfig, distill
    from trainer.train import TrainConfig, train

    torch.set_num_threads(1)  # tests share the machine: one thread is the fastest then
    folder = tmp_path_factory.mktemp("camera") / "runs"
    config = TrainConfig(
        reward=example_path("follow_center_line"),
        track="oval",
        steps=512,
        name="teacher",
        runs_dir=folder,
        envs=2,
        hp=["n_steps=128"],
        eval_every=256,
    )
    train(config)
    distill(
        DistillConfig(
            teacher=folder / "teacher",
            name="cam",
            runs_dir=folder,
            steps=192,
            envs=4,
            round_states=64,
            batch_size=16,
            updates_per_state=0.5,
            eval_laps=2,
            torch_threads=1,
        )
    )
    return folder


def test_distillation_writes_a_camera_run(runs: Path) -> None:
    from stable_baselines3 import PPO

    run = runs / "cam"
    info = _json(run / "run.json")
    assert info["observation"] == "camera" and info["algo"] == "ppo" and info["method"] == "dagger"
    assert info["teacher"] == str(runs / "teacher") and info["status"] == "finished"
    assert info["steps"] == 192 and info["rounds"] == 3 and info["actions"] == "discrete"
    assert info["teacher_eval"]["laps"] == 2
    meta = _json(run / "model_metadata.json")
    assert meta["observation"] == "camera" and meta["sensor"] == ["FRONT_FACING_CAMERA"]
    assert meta["neural_network"] == "DEEP_CONVOLUTIONAL_NETWORK_SHALLOW"
    assert meta["training_algorithm"] == "clipped_ppo"
    assert meta["action_space"] == _json(runs / "teacher" / "model_metadata.json")["action_space"]
    assert (run / "reward_function.py").read_text() == (runs / "teacher" / "reward_function.py").read_text()
    rounds = _json(run / "metrics.json")["iterations"]
    assert [r["steps"] for r in rounds] == [64, 128, 192] and [r["beta"] for r in rounds] == [1.0, 0.5, 0.25]
    assert all(r["eval"]["laps"] == 2 and r["loss"] > 0 and 0 <= r["agreement"] <= 1 for r in rounds)
    frame = np.zeros((1, 120, 160), dtype=np.uint8)
    for which in ("best", "last"):
        model = PPO.load(run / "checkpoints" / f"{which}.zip", device="cpu")
        assert model.observation_space.shape == (1, 120, 160)
        assert model.observation_space.dtype == np.uint8 and model.action_space.n == 10
        action, _ = model.predict(frame, deterministic=True)
        assert 0 <= int(action) < 10
    cnn = model.policy.features_extractor.cnn
    assert [(c.out_channels, c.kernel_size, c.stride) for c in cnn if hasattr(c, "stride")] == [
        (32, (8, 8), (4, 4)),
        (64, (4, 4), (2, 2)),
        (64, (3, 3), (1, 1)),
    ]
    assert model.policy.features_extractor.features_dim == 512


def test_the_student_imitates_the_teacher_on_its_dataset(runs: Path) -> None:
    """Supervised learning really fits the labels: 40 updates on 64 teacher-labelled frames raise the
    student's agreement with the teacher well above what it had."""
    from trainer.dagger import Dagger, load_teacher
    from trainer.distill import DistillConfig

    teacher = load_teacher(runs / "teacher")
    config = DistillConfig(teacher=runs / "teacher", name="x", envs=4, batch_size=16, lr=1e-3)
    dagger = Dagger(config, teacher, None)
    for _ in range(16):
        labels = teacher.act(dagger.env.observe_as("features"))
        dagger._add(dagger.obs, labels)
        dagger.obs = np.asarray(dagger.env.step(labels)[0])
    before = np.mean(dagger.student_act(dagger.frames[:64]) == dagger.labels[:64])
    dagger._train(40)
    after = np.mean(dagger.student_act(dagger.frames[:64]) == dagger.labels[:64])
    dagger.close()
    assert after >= 0.6 and after > before + 0.2, (before, after)


def test_evaluate_run_on_the_camera_run_writes_a_simtrace(runs: Path) -> None:
    from trainer.evaluation import evaluate_run

    result = evaluate_run(runs / "cam", laps=2, checkpoint="last")
    assert result["observation"] == "camera" and result["laps"] == 2
    log = Path(result["simtrace"])
    lines = [line for line in log.read_text().splitlines() if line.startswith("SIM_TRACE_LOG:")]
    assert lines and {line.split(",")[0].split(":")[1] for line in lines} == {"0", "1"}
    assert len(lines) == sum(round(t * 15) + 2 for t in result["lap_times"])  # + prepare and final rows


@pytest.mark.usefixtures("wide_console")
def test_runs_lists_the_observation(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--runs-dir", str(runs)]) == 0
    out = capsys.readouterr().out
    assert "camera" in out and "features" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--obs", "lidar", "--steps", "10"], "--obs must be features or camera"),
        (["--obs", "camera", "--steps", "10"], "--teacher RUN"),
        (["--obs", "camera", "--teacher", "RUNS/nope", "--steps", "10"], "no such run"),
        (["--obs", "camera", "--teacher", "RUNS/cam", "--steps", "10"], "must be a features run"),
        (
            ["--obs", "camera", "--teacher", "RUNS/teacher", "--steps", "10", "--actions", "continuous"],
            "--actions",
        ),
        (["--obs", "camera", "--teacher", "RUNS/teacher", "--steps", "10", "--algo", "sac"], "PPO"),
        (["--obs", "camera", "--teacher", "RUNS/teacher", "--from-scratch", "--steps", "10"], "not both"),
        (["--obs", "camera", "--teacher", "RUNS/teacher", "--steps", "10", "--name", "cam"], "exists"),
        (
            ["--obs", "camera", "--from-scratch", "--algo", "sac", "-t", "oval", "--steps", "9"],
            "PPO with a CNN",
        ),
        (["--obs", "camera", "--teacher", "RUNS/teacher", "-t", "club", "--steps", "10"], "teacher's track"),
        (["--teacher", "RUNS/teacher", "--steps", "10"], "add --obs camera"),
    ],
)
def test_camera_cli_bad_inputs_exit_2_with_one_line(
    runs: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    args = [a.replace("RUNS", str(runs)) for a in args]
    if "--name" not in args:
        args += ["--name", "bad"]
    code = main(["train", REWARD, "--runs-dir", str(runs), "-q", *args])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err and message in err, err
    assert not (runs / "bad").exists()


def test_from_scratch_trains_a_camera_ppo_end_to_end(runs: Path) -> None:
    from stable_baselines3 import PPO

    args = ["--obs", "camera", "--from-scratch", "-t", "oval", "--steps", "64", "--envs", "2"]
    args += ["--hp", "n_steps=32", "--hp", "num_epochs=1", "--eval-every", "64", "--name", "scratch", "-q"]
    assert main(["train", REWARD, "--runs-dir", str(runs), *args]) == 0
    run = runs / "scratch"
    info = _json(run / "run.json")
    assert info["observation"] == "camera" and info["teacher"] is None and info["steps"] == 64
    assert _json(run / "model_metadata.json")["observation"] == "camera"
    assert _json(run / "metrics.json")["iterations"][0]["eval"]["laps"] == 3
    model = PPO.load(run / "checkpoints" / "last.zip", device="cpu")
    assert model.observation_space.shape == (1, 120, 160) and "Cnn" in type(model.policy).__name__


def test_distillation_with_a_broken_reward_file_exits_2(
    runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def reward_function(params)\n    return 1.0\n")
    args = ["--obs", "camera", "--teacher", str(runs / "teacher"), "--steps", "10", "--name", "broken", "-q"]
    assert main(["train", str(broken), "--runs-dir", str(runs), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "broken.py" in err, err
    assert not (runs / "broken").exists()


def test_continuous_teacher_distils_by_mean_squared_error(runs: Path) -> None:
    from stable_baselines3 import PPO

    from trainer.dagger import Dagger, Teacher, load_teacher
    from trainer.distill import DistillConfig, distill
    from trainer.train import TrainConfig, train

    config = TrainConfig(
        reward=example_path("follow_center_line"),
        track="oval",
        actions="continuous",
        steps=128,
        name="teacher-c",
        runs_dir=runs,
        envs=2,
        hp=["n_steps=64", "num_epochs=1"],
        eval_every=10**6,
        eval_laps=1,
    )
    train(config)
    common = {"teacher": runs / "teacher-c", "runs_dir": runs, "envs": 2, "batch_size": 16, "eval_laps": 1}
    result = distill(DistillConfig(name="cam-c", steps=32, round_states=32, updates_per_state=0.5, **common))
    assert result.info["actions"] == "continuous" and result.rounds == 1
    assert result.metrics[0]["agreement"] is None and result.metrics[0]["loss"] > 0
    model = PPO.load(runs / "cam-c" / "checkpoints" / "best.zip", device="cpu")
    assert model.action_space.shape == (2,)
    action, _ = model.predict(np.zeros((1, 120, 160), dtype=np.uint8), deterministic=True)
    assert action.shape == (2,) and np.all(np.abs(action) <= 1.0)
    real = load_teacher(runs / "teacher-c")
    teacher = Teacher(real.run, real.info, _Steer(), real.metadata, real.track, real.checkpoint)
    dagger = Dagger(DistillConfig(name="x", lr=1e-3, **common), teacher, None)
    for _ in range(16):
        labels = teacher.act(dagger.env.observe_as("features"))
        dagger._add(dagger.obs, labels)
        dagger.obs = np.asarray(dagger.env.step(labels)[0])
    frames, targets = dagger.frames[:32], dagger.labels[:32]
    before = float(np.mean((dagger.student_act(frames) - targets) ** 2))
    dagger._train(40)
    after = float(np.mean((dagger.student_act(frames) - targets) ** 2))
    dagger.close()
    assert dagger.labels.dtype == np.float32 and after < 0.3 * before, (before, after)


class _Steer:
    """A synthetic continuous teacher: steer against the lateral offset, speed command 0.5."""

    action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def predict(self, obs: np.ndarray, deterministic: bool = True) -> tuple[np.ndarray, None]:
        steer = np.clip(-3.0 * obs[:, 0], -1.0, 1.0)
        return np.column_stack([steer, np.full(len(obs), 0.5)]).astype(np.float32), None
