"""Fixtures of the TUI tests: a reward file from the example, two simulator-driven runs, the real log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import reward_sdk.lint.audit
import reward_sdk.lint.runtime  # noqa: F401  (imported here, in the main thread, not first by a lint worker thread)
from reward_sdk.examples import example_source

EVALUATION_LOG = (
    "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-console-logs/logs/evaluation/"
    "evaluation-20220612082853-IBZwYd0MRMqgwKlAe7bb0A-robomaker.log"
)
"""A real console evaluation log (MANIFEST: 737 steps, 3 episodes, reinvent_base, scored by the default
centre-line reward, which the rebuilt params reproduce exactly)."""

CLI = "import sys; from reward_sdk.cli import main; sys.exit(main())"


@pytest.fixture
def reward_file(tmp_path: Path) -> Path:
    """A fresh copy of the centre-line example."""
    path = tmp_path / "my_reward.py"
    path.write_text(example_source("follow_center_line"), encoding="utf-8")
    return path


@pytest.fixture
def evaluation_log(logs_dir: Path) -> Path:
    path = logs_dir / EVALUATION_LOG
    assert path.is_file(), f"missing real log {path}"
    return path


def make_run(runs_dir: Path, name: str, speed: float, created: str, track: str = "oval") -> Path:
    """A run folder whose evaluation log is two laps driven by the simulator's centre-line driver at
    ``speed`` m/s (``reward sim drive``), with a ``run.json`` in the trainer's schema."""
    folder = runs_dir / name
    (folder / "logs").mkdir(parents=True)
    log = folder / "logs" / f"evaluation-best-{track}-0.log"
    command = [sys.executable, "-c", CLI, "sim", "drive", "--track", track, "--speed", str(speed)]
    subprocess.run([*command, "--laps", "2", "--simtrace", str(log)], check=True, capture_output=True)
    info = {
        "schema_version": 1,
        "name": name,
        "track": track,
        "reverse": False,
        "algo": "ppo",
        "steps": 4096,
        "status": "finished",
        "best": {"completion_pct": 100.0, "lap_time": None, "steps": 4096},
        "created": created,
    }
    (folder / "run.json").write_text(json.dumps(info), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``runs/`` with ``slow`` (1 m/s, created first) and ``fast`` (2 m/s) on the oval."""
    runs_dir = tmp_path_factory.mktemp("tui-runs") / "runs"
    make_run(runs_dir, "slow", 1.0, "2026-01-01T00:00:00+00:00")
    make_run(runs_dir, "fast", 2.0, "2026-01-02T00:00:00+00:00")
    return runs_dir
