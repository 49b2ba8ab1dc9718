"""``reward train`` / ``evaluate`` / ``runs`` end to end on a built-in track, a few hundred steps each."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from reward_sdk.cli import main
from reward_sdk.examples import example_path
from reward_sdk.sim.actions import parse_model_metadata

REWARD = str(example_path("follow_center_line"))
FAST = ["--track", "oval", "--envs", "2", "-q", "--eval-every", "128"]


def _train(tmp_path: Path, *args: str) -> int:
    return main(["train", REWARD, *FAST, "--runs-dir", str(tmp_path / "runs"), *args])


def _check_run_files(run: Path, algo: str) -> dict:  # type: ignore[type-arg]
    info = json.loads((run / "run.json").read_text())
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["schema_version"] == 1 and len(metrics["iterations"]) >= 1
    entry = metrics["iterations"][-1]
    assert {"steps", "mean_reward", "completion_rate", "eval", "best_lap_time", "steps_per_s"} <= set(entry)
    meta = parse_model_metadata(json.loads((run / "model_metadata.json").read_text()))
    assert meta.training_algorithm == ("clipped_ppo" if algo == "ppo" else "sac")
    hp = json.loads((run / "hyperparameters.json").read_text())
    assert hp["lr"] == 3e-4 and hp["discount_factor"] == 0.99 and "num_epochs" in hp and "beta_entropy" in hp
    assert (run / "reward_function.py").read_text() == Path(REWARD).read_text()
    assert any((run / "tensorboard").rglob("events.out.tfevents*"))
    from stable_baselines3 import PPO, SAC

    cls = PPO if algo == "ppo" else SAC
    for which in ("best", "last"):
        model = cls.load(run / "checkpoints" / f"{which}.zip", device="cpu")
        action, _ = model.predict(np.zeros(10, dtype=np.float32), deterministic=True)
        assert np.asarray(action).size in (1, 2)
    return info


def test_ppo_trains_resumes_and_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _train(tmp_path, "--steps", "256", "--name", "p", "--hp", "n_steps=64") == 0
    run = tmp_path / "runs" / "p"
    info = _check_run_files(run, "ppo")
    assert info["status"] == "finished" and info["steps"] >= 256 and info["algo"] == "ppo"
    assert json.loads((run / "hyperparameters.json").read_text())["batch_size"] == 64
    assert (
        main(
            ["train", "--resume", "--name", "p", "--steps", "128", "-q", "--runs-dir", str(tmp_path / "runs")]
        )
        == 0
    )
    resumed = json.loads((run / "run.json").read_text())
    assert resumed["steps"] >= info["steps"] + 128 and resumed["sessions"] == 2
    assert (run / "logs" / "training-1.log").is_file()
    capsys.readouterr()
    assert main(["runs", "--runs-dir", str(tmp_path / "runs"), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["runs"]
    assert [r["name"] for r in listed] == ["p"] and listed[0]["track"] == "oval"
    assert main(["evaluate", str(run), "--laps", "2", "--format", "json", "--checkpoint", "last"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["laps"] == 2 and len(result["lap_times"]) == 2 and Path(result["simtrace"]).is_file()


def test_sac_trains_with_continuous_actions(tmp_path: Path) -> None:
    args = [
        "--algo",
        "sac",
        "--steps",
        "300",
        "--name",
        "s",
        "--hp",
        "learning_starts=100",
        "--hp",
        "batch_size=32",
    ]
    assert _train(tmp_path, *args) == 0
    info = _check_run_files(tmp_path / "runs" / "s", "sac")
    assert info["actions"] == "continuous" and info["steps"] >= 300


def test_clone_starts_from_the_parent_weights(tmp_path: Path) -> None:
    assert _train(tmp_path, "--steps", "128", "--name", "x", "--hp", "n_steps=64") == 0
    parent = tmp_path / "runs" / "x"
    args = ["--clone", str(parent), "--steps", "128", "--hp", "lr=0.0001", "--hp", "n_steps=64"]
    assert main(["train", REWARD, "-q", "--runs-dir", str(tmp_path / "runs"), *args]) == 0
    clone = tmp_path / "runs" / "x-V2"
    info = json.loads((clone / "run.json").read_text())
    assert info["parent"] == str(parent) and info["track"] == "oval"
    assert json.loads((clone / "hyperparameters.json").read_text())["lr"] == 0.0001


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--track", "nowhere", "--steps", "10", "--name", "a"], "unknown track 'nowhere'"),
        (
            ["--track", "oval", "--steps", "10", "--name", "a", "--hp", "gamma=0.9"],
            "unknown hyperparameter 'gamma'",
        ),
        (["--track", "oval", "--steps", "10", "--name", "a", "--hp", "lr=fast"], "lr must be a number"),
        (
            ["--track", "oval", "--steps", "10", "--name", "a", "--algo", "sac", "--actions", "discrete"],
            "continuous",
        ),
        (["--track", "oval", "--steps", "10", "--name", "a", "--algo", "dqn"], "--algo must be ppo or sac"),
        (["--track", "oval", "--name", "a"], "give --minutes M or --steps N"),
        (["--track", "oval", "--steps", "10", "--name", "a", "--actions", "META"], "action_space[0] needs"),
        (["--track", "oval", "--steps", "10", "--name", "bad/name"], "run name"),
    ],
)
def test_bad_inputs_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    meta = tmp_path / "model_metadata.json"
    meta.write_text(json.dumps({"action_space": [{"speed": 1}], "action_space_type": "discrete"}))
    args = [str(meta) if a == "META" else a for a in args]
    code = main(["train", REWARD, "--runs-dir", str(tmp_path / "runs"), "-q", *args])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err and message in err, err
    assert not (tmp_path / "runs" / "a").exists()  # nothing written for a rejected run


def test_sigint_leaves_a_loadable_checkpoint_and_resume_continues(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    cmd = [sys.executable, "-m", "reward_sdk", "train", REWARD, *FAST, "--minutes", "5", "--name", "i"]
    proc = subprocess.Popen([*cmd, "--runs-dir", str(runs)], stderr=subprocess.PIPE, text=True)
    run = runs / "i"
    deadline = time.monotonic() + 90
    while not (run / "metrics.json").is_file() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert (run / "metrics.json").is_file(), proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: saved" in err and "Traceback" not in err
    info = json.loads((run / "run.json").read_text())
    assert info["status"] == "interrupted" and info["steps"] > 0
    from stable_baselines3 import PPO

    model = PPO.load(run / "checkpoints" / "last.zip", device="cpu")
    assert model.num_timesteps == info["steps"]
    assert not list(run.rglob("*.tmp"))  # atomic writes: no temporary files left behind
    assert (run / "logs" / "training-0.log").is_file()
    resume = ["train", "--resume", "--name", "i", "--steps", "128", "-q", "--runs-dir", str(runs)]
    assert main(resume) == 0
    assert json.loads((run / "run.json").read_text())["steps"] >= info["steps"] + 128


def test_training_log_replays_and_rescores_to_the_logged_rewards(tmp_path: Path) -> None:
    replay = pytest.importorskip("replay")
    from replay.rescore import rescore
    from reward_sdk.builtin_tracks import builtin_track

    assert _train(tmp_path, "--steps", "512", "--name", "r", "--hp", "n_steps=64") == 0
    logs = tmp_path / "runs" / "r" / "logs"
    source = Path(REWARD).read_text()
    track = builtin_track("oval")
    csv_steps = replay.read_logs([logs / "training-0.csv"]).steps
    log_steps = replay.read_logs([logs / "training-0.log"]).steps
    assert len(csv_steps) == len(log_steps) > 300
    assert csv_steps["episode"].nunique() >= 3
    run = csv_steps["episode_status"].astype(str) != "prepare"
    recomputed = np.asarray(rescore(csv_steps, track, source))
    logged = csv_steps["reward"].to_numpy()
    assert np.array_equal(recomputed[run.to_numpy()], logged[run.to_numpy()])  # exactly
    assert len(set(logged[run.to_numpy()].tolist())) >= 2  # the policy crossed reward bands


def test_a_failing_reward_stops_training_with_one_line_and_a_checkpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reward = tmp_path / "fragile.py"
    reward.write_text("def reward_function(params):\n    return 1.0 / (params['steps'] - 30.0)\n")
    hp = tmp_path / "hyperparameters.json"
    hp.write_text(json.dumps({"n_steps": 32, "batch_size": 32, "e_greedy_value": 0.05}))
    args = [
        "train",
        str(reward),
        *FAST,
        "--runs-dir",
        str(tmp_path / "runs"),
        "--steps",
        "2000",
        "--name",
        "f",
    ]
    code = main([*args, "--hp", str(hp)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err, err
    assert "ZeroDivisionError" in err and "steps=30.0" in err and "--on-error skip" in err
    run = tmp_path / "runs" / "f"
    assert json.loads((run / "run.json").read_text())["status"] == "failed"
    assert (run / "checkpoints" / "last.zip").is_file()
    assert json.loads((run / "hyperparameters.json").read_text())["n_steps"] == 32
    skip = [
        "train",
        str(reward),
        *FAST,
        "--runs-dir",
        str(tmp_path / "runs"),
        "--steps",
        "256",
        "--name",
        "g",
    ]
    assert main([*skip, "--on-error", "skip", "--hp", "n_steps=64"]) == 0
    assert json.loads((tmp_path / "runs" / "g" / "run.json").read_text())["reward_errors_skipped"] >= 2
