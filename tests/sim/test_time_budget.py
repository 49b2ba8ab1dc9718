"""``reward sim drive --time-budget``: a slow reward stops with one line and exit 2, never a hang."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from reward_sdk.cli import main
from reward_sdk.cli.sim_cmd import _drive_episodes, default_budget
from reward_sdk.errors import UserError

SLOW = """
def reward_function(params):
    total = 0.0
    for i in range(20000):
        total += i * 0.5
    return 1.0
"""


def _reward(tmp_path: Path, source: str) -> str:
    path = tmp_path / "reward.py"
    path.write_text(source)
    return str(path)


def test_slow_reward_stops_at_the_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 10 laps of the oval at a few ms per call take > 7 s; the budget is 1.5 s
    args = [
        "sim",
        "drive",
        "--track",
        "oval",
        "--speed",
        "1.5",
        "--laps",
        "10",
        "--reward",
        _reward(tmp_path, SLOW),
    ]
    begin = time.monotonic()
    assert main([*args, "--time-budget", "1.5"]) == 2
    assert time.monotonic() - begin < 6.0
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1, err
    found = re.fullmatch(
        r"error: sim drive stopped: the 1\.5 s budget was exceeded in episode (\d+) of 10 \((\d+) finished\); "
        r"raise --time-budget",
        err[0],
    )
    assert found is not None and int(found.group(1)) == int(found.group(2)) + 1
    assert int(found.group(2)) <= 5  # about 0.7 s per lap


def test_a_budget_that_suffices_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["sim", "drive", "--track", "oval", "--speed", "1.5", "--laps", "2"]
    reward = _reward(tmp_path, "def reward_function(params):\n    return 1.0\n")
    assert main([*base, "--reward", reward]) == 0
    default = capsys.readouterr().out
    assert main([*base, "--reward", reward, "--time-budget", "30"]) == 0
    assert capsys.readouterr().out == default
    assert default.count("lap_complete") == 2 and "episode 1" in default


def test_a_call_past_its_own_limit_is_not_reported_as_the_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "def reward_function(params):\n    while params['steps'] >= 5:\n        pass\n    return 1.0\n"
    args = ["sim", "drive", "--track", "oval", "--reward", _reward(tmp_path, source), "--time-budget", "60"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "time limit" in err[0] and "budget" not in err[0]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_bad_budget_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], value: str) -> None:
    assert main(["sim", "drive", "--track", "oval", "--time-budget", value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "--time-budget" in err[0]


def test_episodes_share_one_budget_and_keep_round_robin_starts() -> None:
    starts: list[float] = []

    def episode(start: float, remaining: float) -> dict[str, Any]:
        starts.append(start)
        time.sleep(0.3)
        return {"episodes": [{"episode": 0, "start_ndist": start}], "rows": [{"episode": 0, "steps": 1}]}

    with pytest.raises(UserError, match=r"budget was exceeded in episode 3 of 5 \(2 finished\)"):
        _drive_episodes(episode, 5, 0.05, 0.5)
    assert starts == [0.0, 0.05]
    starts.clear()
    result = _drive_episodes(episode, 3, 0.4, 10.0)
    assert starts == [0.0, 0.4, (0.4 + 0.4) % 1.0]
    assert [s["episode"] for s in result["episodes"]] == [0, 1, 2]
    assert [r["episode"] for r in result["rows"]] == [0, 1, 2]


def test_default_budget_scales_with_laps() -> None:
    assert default_budget(1) == default_budget(0) >= 60.0
    assert default_budget(20) == 20 * default_budget(1)
