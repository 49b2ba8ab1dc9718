"""Re-scoring a real log with a function that fails on some steps, and the re-scoring time budget.

Failing steps get NaN, are counted and left out of the sums; the first is described with its episode, step,
waypoints and params; ``--on-error stop`` stops there with exit 1; ``--time-budget`` stops a slow function with
one line and exit 2.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from replay.pipeline import run_replay
from replay.rescore import BudgetExceeded, TimeBudget, build_params_by_direction, rescore, rescore_steps
from replay.schema import run_mask
from replay.tracks_match import choose_track
from reward_sdk.cli import main
from sandbox import RewardSandbox
from sandbox.errors import RewardRuntimeError

LOG = (
    "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-drfc-1-logs/training-simtrace/"
    "10-iteration.csv"
)

HONEST = """
def reward_function(params):
    return 1.0 - params["distance_from_center"] / params["track_width"] + 0.01 * params["steps"]
"""

RAISES_ON_STEPS = """
def reward_function(params):
    if params["steps"] % 7 == 3:
        raise ValueError("unlucky step")
    return 1.0 - params["distance_from_center"] / params["track_width"] + 0.01 * params["steps"]
"""

RAISES_AT_WAYPOINT = """
def reward_function(params):
    if params["closest_waypoints"][1] == 10:
        return 1 / 0
    return 1.0 - params["distance_from_center"] / params["track_width"] + 0.01 * params["steps"]
"""

SLOW = """
def reward_function(params):
    total = 0.0
    for i in range(20000):
        total += i * 0.5
    return 1.0
"""


@pytest.fixture(scope="module")
def log_path(logs_dir: Path) -> Path:
    return logs_dir / LOG


def _write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(source)
    return path


def _replay(log_path: Path, tracks_dir: Path, reward: Path, **kwargs: Any) -> Any:
    return run_replay([log_path], tracks_dir=tracks_dir, reward=reward, check_fidelity=False, **kwargs)


def test_failing_steps_are_nan_counted_and_the_rest_is_scored(
    tmp_path: Path, log_path: Path, tracks_dir: Path
) -> None:
    honest = _replay(log_path, tracks_dir, _write(tmp_path, "honest.py", HONEST))
    failing = _replay(log_path, tracks_dir, _write(tmp_path, "steps7.py", RAISES_ON_STEPS))
    steps = failing.result.log.steps
    expected = run_mask(steps) & (steps["steps"].to_numpy() % 7 == 3)
    assert 100 < expected.sum() < run_mask(steps).sum() / 5
    np.testing.assert_array_equal(failing.new_failed, expected)
    assert np.isnan(failing.new_reward[expected]).all()
    scored = run_mask(steps) & ~expected
    np.testing.assert_array_equal(failing.new_reward[scored], honest.new_reward[scored])
    episodes = failing.result.episodes
    per_episode = pd.Series(np.where(scored, honest.new_reward, 0.0)).groupby(steps["unique_episode"]).sum()
    np.testing.assert_allclose(episodes["new_reward"], per_episode.to_numpy())
    failed = pd.Series(expected).groupby(steps["unique_episode"].to_numpy()).sum()
    assert episodes["new_reward_failed"].tolist() == failed.tolist()
    outcome = failing.result.new_rescore
    assert outcome.failures == expected.sum() and outcome.errors == {"RewardRuntimeError": expected.sum()}
    first = outcome.first
    row = int(np.flatnonzero(expected)[0])
    assert first.row == row and first.step == steps["steps"].iloc[row] == 3
    assert (
        first.episode == steps["episode"].iloc[row]
        and first.unique_episode == steps["unique_episode"].iloc[row]
    )
    assert first.params is not None and first.params["steps"] == 3.0 and len(first.params["waypoints"]) > 100
    assert "ValueError: unlucky step" in first.message


def test_few_failures_cost_few_extra_batch_calls(
    tmp_path: Path, log_path: Path, tracks_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = RewardSandbox.score_many

    def counted(self: RewardSandbox, columns: Any, n: int | None = None) -> np.ndarray:
        calls.append(0 if n is None else n)
        return original(self, columns, n)

    monkeypatch.setattr(RewardSandbox, "score_many", counted)
    _replay(log_path, tracks_dir, _write(tmp_path, "honest.py", HONEST))
    clean_calls = len(calls)
    calls.clear()
    failing = _replay(log_path, tracks_dir, _write(tmp_path, "waypoint.py", RAISES_AT_WAYPOINT))
    failures = failing.result.new_rescore.failures
    assert 0 < failures < 30
    assert len(calls) <= clean_calls + 2 * failures  # the failing call and one re-run of the rows before it
    assert sum(n == 1 for n in calls) <= failures + 1  # never row by row


def test_json_csv_and_text_carry_the_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_path: Path, tracks_dir: Path
) -> None:
    reward = _write(tmp_path, "steps7.py", RAISES_ON_STEPS)
    base = ["replay", str(log_path), "--tracks-dir", str(tracks_dir), "--reward", str(reward)]
    assert main([*base, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    summary = doc["rescore_failures"]["new_reward"]
    assert (
        summary["function"] == "steps7.py" and summary["failed"] == doc["totals"]["new_reward_failed"] > 100
    )
    first = summary["first"]
    assert first["step"] == 3 and first["params"]["steps"] == 3.0
    assert first["params"]["waypoints"].endswith("items>") and len(first["params"]["closest_waypoints"]) == 2
    assert sum(e["new_reward_failed"] for e in doc["episodes"]) == summary["failed"]

    assert main([*base, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split(",")
    column = header.index("new_reward_failed")
    assert sum(int(line.split(",")[column]) for line in lines[1:]) == summary["failed"]

    assert main(base) == 0
    out = capsys.readouterr().out
    assert f"{summary['failed']:,} of" in out and "RewardRuntimeError" in out
    assert "first failure: episode" in out and "step 3 at waypoints" in out
    assert "waypoints=<" in out and "steps=3.0" in out


def test_on_error_stop_describes_the_first_failure_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_path: Path, tracks_dir: Path
) -> None:
    reward = _write(tmp_path, "waypoint.py", RAISES_AT_WAYPOINT)
    args = ["replay", str(log_path), "--tracks-dir", str(tracks_dir), "--reward", str(reward)]
    assert main([*args, "--on-error", "stop"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0].startswith("error: re-scoring stopped (--on-error stop): waypoint.py failed on episode ")
    assert "at waypoints [9, 10]" in lines[0] and "ZeroDivisionError" in lines[0]
    params = " ".join(lines[1:])
    assert "closest_waypoints=[9, 10]" in params and "waypoints=<" in params and len(lines) < 12


def test_library_rescore_still_raises_the_sandbox_error(log_path: Path, tracks_dir: Path) -> None:
    from replay import read_logs

    steps = read_logs([log_path]).steps
    track = choose_track(steps, tracks_dir=tracks_dir).track
    with pytest.raises(RewardRuntimeError) as caught:
        rescore(steps, track, RAISES_AT_WAYPOINT)
    assert caught.value.params is not None and caught.value.params["closest_waypoints"][1] == 10


def test_a_step_past_the_call_limit_is_one_failure(log_path: Path, tracks_dir: Path) -> None:
    from replay import read_logs

    steps = read_logs([log_path]).steps
    track = choose_track(steps, tracks_dir=tracks_dir).track
    row = int(np.flatnonzero(run_mask(steps))[40])
    x = float(steps["x"].iloc[row])
    source = f"def reward_function(params):\n    while params['x'] == {x!r}:\n        pass\n    return 1.0\n"
    outcome = rescore_steps(steps, track, source)
    assert np.flatnonzero(outcome.failed).tolist() == [row]
    assert outcome.errors == {"RewardTimeout": 1} and outcome.first is not None
    assert np.isfinite(outcome.rewards[run_mask(steps) & ~outcome.failed]).all()


def test_module_level_failure_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_path: Path, tracks_dir: Path
) -> None:
    reward = _write(tmp_path, "broken.py", "LIMIT = 1 / 0\n\ndef reward_function(params):\n    return 1.0\n")
    assert main(["replay", str(log_path), "--tracks-dir", str(tracks_dir), "--reward", str(reward)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "ZeroDivisionError" in err[0]


def test_time_budget_stops_a_slow_function(log_path: Path, tracks_dir: Path) -> None:
    from replay import read_logs

    steps = read_logs([log_path]).steps
    track = choose_track(steps, tracks_dir=tracks_dir).track
    groups = build_params_by_direction(steps, track)
    total = sum(len(g.rows) for g in groups)
    budget = TimeBudget(1.0, total)  # the whole log takes > 5 s at ~5 ms per call
    begin = time.monotonic()
    with pytest.raises(BudgetExceeded) as caught:
        rescore_steps(steps, track, SLOW, groups=groups, budget=budget)
    elapsed = time.monotonic() - begin
    assert elapsed < 2.5
    assert 0 < budget.done < total
    assert str(caught.value) == (
        f"re-scoring stopped: the 1 s budget was exceeded after {budget.done:,} of {total:,} steps; "
        "raise --time-budget"
    )


def test_cli_time_budget_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_path: Path, tracks_dir: Path
) -> None:
    reward = _write(tmp_path, "slow.py", SLOW)
    args = ["replay", str(log_path), "--tracks-dir", str(tracks_dir), "--reward", str(reward)]
    begin = time.monotonic()
    assert main([*args, "--time-budget", "1"]) == 2
    assert time.monotonic() - begin < 4.5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: re-scoring stopped: the 1 s budget was exceeded after ")
    assert err[0].endswith(" of 1,058 steps; raise --time-budget")
