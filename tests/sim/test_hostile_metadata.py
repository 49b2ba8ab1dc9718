"""Hostile ``model_metadata.json`` files (issue 12): 100k nested brackets, 100 MB, wrong types, integers beyond
the float range, FIFOs. ``load_model_metadata`` raises a one-line :class:`UserError` (an
:class:`InputLimitError` for the caps) before reading too much or blocking; ``reward replay`` on a folder holding
such a file prints one ``error:`` line and exits with 2."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reward_sdk.errors import InputLimitError, UserError
from reward_sdk.sim import actions
from reward_sdk.sim.actions import load_model_metadata
from tests.replay.hostile import CSV_HEADER, CSV_ROW, assert_one_line_error, run_cli, unblock_fifo_later

DRFC_METADATA = "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-drfc-1-logs/model/model_metadata.json"
NESTED = '{"action_space": ' + "[" * 100_000 + "]" * 100_000 + "}"


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "model_metadata.json"
    path.write_text(content)
    return path


def test_deeply_nested_metadata_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputLimitError, match="nested too deeply") as info:
        load_model_metadata(write(tmp_path, NESTED))
    assert "\n" not in str(info.value)


def test_huge_metadata_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, '{"action_space": [')
    os.truncate(path, 100 << 20)  # 100 MB, sparse
    start = time.perf_counter()
    with pytest.raises(
        InputLimitError, match=r"larger than 1 MiB, refused \(set \$REWARD_MAX_METADATA_BYTES"
    ):
        load_model_metadata(path)
    assert time.perf_counter() - start < 1


def test_metadata_size_cap_is_a_module_constant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '{"action_space": [{"steering_angle": 0, "speed": 1}]}' + " " * 5000)
    assert load_model_metadata(path).action_space.kind == "discrete"
    monkeypatch.setattr(actions, "MAX_METADATA_BYTES", 4096)
    with pytest.raises(InputLimitError, match=r"larger than 4\.1 kB"):
        load_model_metadata(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"action_space": [{"steering_angle": 1' + "0" * 400 + ', "speed": 1}]}',
            "expected a finite number",
        ),
        ('{"action_space": [{"steering_angle": 1' + "0" * 5000 + ', "speed": 1}]}', "invalid JSON"),
        ('{"action_space": [{"steering_angle": 0, "speed": 1}], "sensor": "FRONT"}', "'sensor'"),
        (
            '{"action_space": [{"steering_angle": 0, "speed": 1}], "neural_network": {"a": 1}}',
            "'neural_network'",
        ),
        (
            '{"action_space": [{"steering_angle": 0, "speed": 1}], "action_space_type": ["discrete"]}',
            "'action_space_type'",
        ),
        ('{"action_space": [{"steering_angle": 0, "speed": 1}], "version": [5]}', "'version'"),
        (
            '{"action_space": [{"steering_angle": 0, "speed": 1}], "training_algorithm": 5}',
            "'training_algorithm'",
        ),
        ('{"action_space": "fast"}', "'action_space' must be"),
        ('{"action_space": [1, 2]}', "'action_space' must be"),
        ('{"action_space": [{"steering_angle": 0, "speed": 1}]}\xff', "invalid JSON"),
    ],
)
def test_wrong_types_give_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "model_metadata.json"
    path.write_bytes(content.encode("latin-1"))  # "\xff" becomes the byte 0xff: not UTF-8
    with pytest.raises(UserError) as info:
        load_model_metadata(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value) and len(str(info.value)) < 300


def test_fifo_metadata_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "model_metadata.json"
    os.mkfifo(fifo)
    unblock_fifo_later(fifo)
    start = time.perf_counter()
    with pytest.raises(InputLimitError, match="FIFO"):
        load_model_metadata(fifo)
    assert time.perf_counter() - start < 2


def test_device_metadata_is_refused(tmp_path: Path) -> None:
    zero = tmp_path / "model_metadata.json"
    zero.symlink_to("/dev/zero")
    start = time.perf_counter()
    with pytest.raises(InputLimitError, match="character device"):
        load_model_metadata(zero)
    assert time.perf_counter() - start < 2


def test_real_metadata_still_loads(logs_dir: Path) -> None:
    path = logs_dir / DRFC_METADATA
    assert path.stat().st_size < actions.MAX_METADATA_BYTES / 100
    assert len(load_model_metadata(path).action_space.actions) > 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (NESTED, "nested too deeply"),
        ('{"action_space": {"steering_angle": 5}, "sensor": [1]}', "'sensor"),
    ],
    # short ids: pytest puts the test id in the child's environment (PYTEST_CURRENT_TEST), and a 200 kB id
    # exceeds the kernel's limit on one environment string (E2BIG)
    ids=["nested", "bad-sensor"],
)
def test_cli_refuses_hostile_metadata_beside_logs(tmp_path: Path, content: str, expected: str) -> None:
    folder = tmp_path / "model"
    (folder / "training-simtrace").mkdir(parents=True)
    (folder / "training-simtrace" / "0-iteration.csv").write_text(CSV_HEADER + CSV_ROW * 3)
    (folder / "model_metadata.json").write_text(content)
    run = run_cli(["replay", str(folder)], tmp_path)
    assert_one_line_error(run, "model_metadata.json", expected)
