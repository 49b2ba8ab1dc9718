"""Real sweeps on a local Ray (2 CPUs): a few hundred steps per trial.

* 2 rewards × 2 learning rates, 2 at a time: ranked, results.csv rows, best/ — and one trial's worker is
  SIGKILLed right after its first checkpoint: the sweep still completes and that trial continues from the
  checkpoint's steps (attempt 2, a second training session, steps never start over).
* a reward that raises is a failed trial with its minimal params (not retried), through the CLI; ``--resume``
  of the finished sweep restores it with Tuner.restore and writes the same ranking.
"""

from __future__ import annotations

import csv
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from ray import tune

from reward_sdk.cli import main
from reward_sdk.examples import example_path
from sweep.prepare import prepare
from sweep.runner import run_sweep
from sweep.spec import load_spec

pytestmark = pytest.mark.usefixtures("local_ray")

FAST = """
tracks: [oval]
budget: {steps: 256}
envs: 2
eval_every: 128
eval_laps: 1
checkpoint_every_s: 0.05
early_stopping: false
objective: completion
"""


class KillOnce(tune.Callback):
    """SIGKILL the worker process of the trial with ``reward``/``lr`` after its first checkpoint, once (a marker
    file remembers it across Tune's restarts of this callback's owner)."""

    def __init__(self, marker: Path, reward: str, lr: float) -> None:
        self.marker, self.reward, self.lr = marker, reward, lr

    def on_checkpoint(
        self, iteration: int, trials: list[Any], trial: Any, checkpoint: Any, **info: Any
    ) -> None:
        config = trial.config
        if config["reward"] != self.reward or config["hp"]["lr"] != self.lr or self.marker.exists():
            return
        result = trial.last_result
        self.marker.write_text(json.dumps({"steps": result["steps"], "pid": result["pid"]}))
        os.kill(int(result["pid"]), signal.SIGKILL)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_four_trials_ranked_and_a_killed_worker_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(
        f"name: four\nrewards: [{example_path('progress_speed')}, {example_path('follow_center_line')}]\n"
        "hyperparameters: {lr: [3.0e-4, 1.0e-3], n_steps: [64]}\n" + FAST,
        encoding="utf-8",
    )
    plan = prepare(load_spec(spec_path), spec_path, tmp_path / "out")
    marker = tmp_path / "killed.json"
    result = run_sweep(
        plan, max_concurrent=2, callbacks=[KillOnce(marker, "progress_speed", 1e-3)], quiet=True
    )

    killed = json.loads(marker.read_text())  # the callback fired: a worker was killed mid-run
    assert killed["steps"] < 256
    rows = _rows(result.results_csv)
    assert len(rows) == 4 and {r["status"] for r in rows} == {"finished"}
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    assert {(r["reward"], float(r["hp.lr"])) for r in rows} == {
        (reward, lr) for reward in ("progress_speed", "follow_center_line") for lr in (3e-4, 1e-3)
    }
    completion = [float(r["completion_pct"]) for r in rows]
    assert completion == sorted(completion, reverse=True)  # objective: completion, best first
    assert all(int(r["steps"]) >= 256 for r in rows)
    assert [row.trial for row in result.rows] == [r["trial"] for r in rows]

    # the killed trial came back from its checkpoint: second attempt, steps continued, two training sessions
    victim = next(r for r in rows if r["reward"] == "progress_speed" and float(r["hp.lr"]) == 1e-3)
    # (the checkpoint is the last.zip saved at or just before the report the worker was killed in)
    assert victim["attempts"] == "2" and 0 < int(victim["resumed_from_steps"]) <= killed["steps"]
    others = [r for r in rows if r is not victim]
    assert all(r["attempts"] == "1" and r["resumed_from_steps"] == "" for r in others)
    run_dir = Path(victim["run_dir"])
    info = json.loads((run_dir / "run.json").read_text())
    assert info["status"] == "finished" and info["steps"] >= 256
    iterations = [
        entry["steps"] for entry in json.loads((run_dir / "metrics.json").read_text())["iterations"]
    ]
    resumed = int(victim["resumed_from_steps"])
    assert iterations == sorted(iterations) and iterations[0] <= killed["steps"] and iterations[-1] > resumed
    trial_dir = next(p for p in (plan.tune_dir).iterdir() if victim["trial"] in p.name)
    reported = [json.loads(line) for line in (trial_dir / "result.json").read_text().splitlines()]
    second = [r for r in reported if r["attempt"] == 2]
    assert second and all(r["steps"] > killed["steps"] for r in second)  # never started over from 0
    assert [r["steps"] for r in reported] == sorted(r["steps"] for r in reported)

    best = result.best_dir
    assert best is not None and best == plan.out / "best"
    assert json.loads((best / "run.json").read_text())["name"] == rows[0]["trial"]
    assert (best / "checkpoints" / "best.zip").is_file()


FAILING = """def reward_function(params):
    if params["steps"] > 5:
        raise ValueError("too many steps")
    return 1.0
"""


@pytest.mark.usefixtures("wide_console")
def test_failing_reward_is_a_failed_trial_with_params_and_resume_restores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad_reward.py"
    bad.write_text(FAILING, encoding="utf-8")
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(
        f"name: fails\nrewards: [{example_path('follow_center_line')}, {bad}]\n"
        "hyperparameters: {n_steps: [64]}\n" + FAST,
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sweep", str(spec_path), "--out", str(out), "--max-concurrent", "2", "-q"]) == 0
    printed = capsys.readouterr().out
    assert "reward_failed" in printed and "too many steps" in printed and "1 failed" in printed
    rows = _rows(out / "results.csv")
    assert [r["reward"] for r in rows] == ["follow_center_line", "bad_reward"]  # the failed trial is last
    good, failed = rows
    assert good["rank"] == "1" and good["status"] == "finished"
    assert failed["rank"] == "" and failed["status"] == "reward_failed" and failed["attempts"] == "1"
    assert "ValueError" in failed["error"] and "too many steps" in failed["error"]
    params = json.loads(failed["failed_params"])
    assert set(params) == {"steps"} and params["steps"] > 5  # the minimal params: only the key that matters
    assert json.loads((out / "best" / "run.json").read_text())["name"] == good["trial"]

    (out / "results.csv").unlink()
    assert main(["sweep", str(spec_path), "--out", str(out), "--resume", "-q"]) == 0
    assert [(r["trial"], r["status"]) for r in _rows(out / "results.csv")] == [
        (good["trial"], "finished"),
        (failed["trial"], "reward_failed"),
    ]
