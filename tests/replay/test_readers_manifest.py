"""Every log file in the MANIFEST reads with the step and episode counts the MANIFEST gives."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from replay import STEP_COLUMNS, read_logs


def _manifest_rows(logs_dir: Path) -> list[dict[str, str]]:
    with open(logs_dir / "MANIFEST.csv", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["format"]]


def test_every_manifest_log_reads_with_manifest_counts(logs_dir: Path) -> None:
    rows = _manifest_rows(logs_dir)
    assert len(rows) > 90
    failures = []
    for row in rows:
        log = read_logs(logs_dir / row["local"])
        steps = log.steps
        episodes = steps.groupby(["source", "episode"], observed=True).ngroups
        if (len(steps), episodes) != (int(row["steps"]), int(row["episodes"])) or log.warnings:
            failures.append(
                (row["local"], len(steps), row["steps"], episodes, row["episodes"], log.warnings[:2])
            )
    assert not failures


def test_frame_has_the_documented_columns_and_dtypes(logs_dir: Path) -> None:
    path = logs_dir / "aws-deepracer-community+deepracer-analysis/logs/deepracer-eval-sim-sample.log"
    steps = read_logs(path).steps
    assert list(steps.columns) == list(STEP_COLUMNS)
    assert {name: str(dtype) for name, dtype in steps.dtypes.items()} == STEP_COLUMNS


def test_2019_radians_are_converted_to_degrees(logs_dir: Path) -> None:
    log = read_logs(
        logs_dir / "aws-deepracer-community+deepracer-analysis/logs/deepracer-eval-sim-sample.log"
    )
    assert log.sources[0].radians_converted
    assert set(log.steps["steering_angle"].round(0).unique()) <= {-30.0, -15.0, 0.0, 15.0, 30.0}
    assert log.steps["yaw"].abs().max() > 100.0


@pytest.mark.parametrize(
    "relative",
    [
        "aws-solutions-library-samples+guidance-for-training-an-aws-deepracer-model-using-amazon-sagemaker/"
        "log-analysis/intermediate_checkpoint/7a42c0c5-e13b-49c6-955e-18e3b64dba4b/sim-trace/training/"
        "training-simtrace/0-iteration.csv",
        "aws-solutions-library-samples+guidance-for-training-an-aws-deepracer-model-using-amazon-sagemaker/"
        "log-analysis/downloaded_model/7a42c0c5-e13b-49c6-955e-18e3b64dba4b/logs/training/"
        "training-20221007000321-WmtODh1TQOC3VfLA8slGjA-robomaker.log",
    ],
)
def test_comma_list_actions_keep_their_columns(logs_dir: Path, relative: str) -> None:
    steps = read_logs(logs_dir / relative).steps
    assert (steps["action"] == -1).all()
    assert steps["action_speed"].between(0.1, 4.0).all()
    assert (steps["action_steering_angle"] - steps["steering_angle"]).abs().max() < 0.006
    assert steps["episode"].is_monotonic_increasing


def test_multi_worker_folder_and_prefer_csv(logs_dir: Path) -> None:
    folder = logs_dir / "aws-deepracer-community+deepracer-utils/tests/deepracer/logs"
    log = read_logs(folder / "sample-drfc-3-logs")
    assert sorted(log.steps["worker"].unique()) == [0, 1, 2]
    assert set(log.steps["phase"].astype(str)) == {"training", "evaluation"}
    both = read_logs(folder / "sample-droa-solution-logs.tar.gz")
    deduped = read_logs(folder / "sample-droa-solution-logs.tar.gz", duplicates="prefer_csv")
    assert len(deduped.steps) * 2 == len(both.steps)
    assert all("!" in name for name in deduped.skipped_sources)


def test_gzip_and_several_paths(tmp_path: Path, logs_dir: Path) -> None:
    import gzip

    log_path = logs_dir / "aws-deepracer-community+deepracer-analysis/logs/deepracer-eval-sim-sample.log"
    packed = tmp_path / "eval.log.gz"
    packed.write_bytes(gzip.compress(log_path.read_bytes()))
    log = read_logs([packed, log_path])
    assert len(log.steps) == 960
    assert log.steps["unique_episode"].nunique() == 6


def test_a_file_reached_twice_is_read_once(logs_dir: Path) -> None:
    log_path = logs_dir / "aws-deepracer-community+deepracer-analysis/logs/deepracer-eval-sim-sample.log"
    once = read_logs(log_path)
    twice = read_logs([log_path, log_path, log_path.parent / "." / log_path.name])
    assert len(twice.steps) == len(once.steps) == 480
    assert twice.steps["unique_episode"].nunique() == once.steps["unique_episode"].nunique()


def test_folder_mixing_fast_and_fallback_parsed_sources_reads_whole(logs_dir: Path) -> None:
    folder = logs_dir / "aws-deepracer-community+deepracer-analysis"  # logs whose formats take both parsers
    log = read_logs(folder)
    assert len(log.sources) > 5 and not log.warnings
    assert len(log.steps) == sum(len(read_logs(s.source).steps) for s in log.sources)
    assert {name: str(dtype) for name, dtype in log.steps.dtypes.items()} == STEP_COLUMNS
