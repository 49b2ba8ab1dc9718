"""Re-scoring with the default centre-line function reproduces logged rewards (MANIFEST 'default' logs)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from replay import read_logs
from replay.rescore import build_params_by_direction, fidelity, rescore
from replay.tracks_match import choose_track
from reward_sdk.examples import example_source

from ..conftest import SHARED_DATA

# Representative default-reward files, one per format (all default logs are checked below).
REPRESENTATIVE = (
    "sample-console-logs/logs/evaluation/evaluation-20220612082853-IBZwYd0MRMqgwKlAe7bb0A-robomaker.log",
    "sample-drfc-1-logs/evaluation-20220709200242/evaluation-simtrace/0-iteration.csv",
    "sample-drfc-3-logs/evaluation-20220709201503/evaluation-simtrace/0-iteration.csv",
    "deepracer-eval-sim-sample.log",
    "sac-short-session-training_job_30Ieq368TqS-fa6QaRM3qA_logs.tar.gz",
    "training-20221007000321-WmtODh1TQOC3VfLA8slGjA-robomaker.log",
    "7a42c0c5-e13b-49c6-955e-18e3b64dba4b/sim-trace/training/training-simtrace/0-iteration.csv",
    "deepracer-sim-64n5t08hls5c.csv",
    "sample-drfc-1-logs/training-simtrace/12-iteration.csv",
)


def _default_rows(logs_dir: Path) -> list[dict[str, str]]:
    with open(logs_dir / "MANIFEST.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["format"]]
    return [
        r
        for r in rows
        if ("UNKNOWN" not in r["reward_function"] and "default" in r["reward_function"].lower())
        or r["reward_function"].startswith("KNOWN")
    ]


DEFAULT_LOGS = [row["local"] for row in _default_rows(SHARED_DATA / "logs")]
"""Every log whose MANIFEST entry says the logged reward is the default centre-line function (74 files)."""


def test_representatives_are_default_reward_logs(logs_dir: Path) -> None:
    locals_ = [r["local"] for r in _default_rows(logs_dir)]
    for name in REPRESENTATIVE:
        assert any(local.endswith(name) for local in locals_), name


@pytest.mark.parametrize("local", DEFAULT_LOGS, ids=lambda local: "/".join(local.split("/")[-3:]))
def test_default_reward_is_reproduced(local: str, logs_dir: Path, tracks_dir: Path) -> None:
    log = read_logs(logs_dir / local)
    choice = choose_track(log.steps, tracks_dir=tracks_dir, world_names=log.world_names)
    groups = build_params_by_direction(log.steps, choice.track)
    recomputed = rescore(log.steps, choice.track, example_source("follow_center_line"), groups=groups)
    result = fidelity(log.steps, recomputed, [s.source for s in log.sources if s.format == "sim_trace_log"])
    assert result.compared > 100
    assert result.share >= 0.999, (choice.describe(), result)


def test_old_reinvent_geometry_is_chosen_for_2019_logs(logs_dir: Path, tracks_dir: Path) -> None:
    log = read_logs(
        logs_dir / "aws-deepracer-community+deepracer-analysis/logs/deepracer-eval-sim-sample.log"
    )
    choice = choose_track(log.steps, tracks_dir=tracks_dir)
    assert choice.track.name == "reinvent_base_v2.0.13"
    assert choice.start_residual_m < 0.005
