"""Hostile or broken log inputs (issue 12): gzip bombs, tars of 100k members, symlink loops, FIFOs and devices,
one-gigabyte lines, hostile ``model_metadata.json``. Each gives one ``error:`` line and exit code 2 from
``reward replay`` (never a traceback, a hang or unbounded memory) and a typed error from ``read_logs``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from replay import LogInputError, read_logs
from replay.readers import scratch, sources
from replay.readers.scratch import FileArena
from reward_sdk.cli import main
from reward_sdk.errors import InputLimitError
from tests.replay.hostile import (
    CSV_HEADER,
    CSV_ROW,
    assert_one_line_error,
    gzip_bomb,
    many_member_tar_gz,
    run_cli,
    sparse_long_line,
    unblock_fifo_later,
)

LOG_LINE = (
    "SIM_TRACE_LOG:0,1,3.0,0.7,1.5,0.0,1.0,3,1.0,False,True,0.5,1,17.7,12.34,prepare,0.0\n"  # 17 fields
)


def in_process(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``reward ARGS`` through the CLI's entry point in this process: (exit code, stderr)."""
    code = main(args)
    return code, capsys.readouterr().err


def csv_folder(root: Path, rows: int = 3) -> Path:
    """A DRfC-like folder with one valid simtrace CSV of ``rows`` rows."""
    folder = root / "training-simtrace"
    folder.mkdir(parents=True)
    (folder / "0-iteration.csv").write_text(CSV_HEADER + CSV_ROW * rows)
    return root


# --- decompression: gzip bombs and archives of 100k members -------------------------------------------------


def test_gzip_bomb_is_refused_quickly_with_bounded_memory(tmp_path: Path) -> None:
    bomb = gzip_bomb(tmp_path / "robomaker.log.gz", gigabytes=4)  # 4 GiB of zeros in ~4 MB
    assert bomb.stat().st_size < 8 << 20
    run = run_cli(["replay", str(bomb)], tmp_path)
    assert_one_line_error(
        run, "robomaker.log.gz", "decompresses to more than 512 MiB", "REWARD_MAX_DECOMPRESSED"
    )
    assert run.seconds < 30
    assert run.peak_mib is not None and run.peak_mib < 1200  # the 512 MiB cap plus the interpreter


def test_gzip_bomb_cap_is_a_module_constant_and_the_library_raises_the_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_DECOMPRESSED_BYTES", 8 << 20)
    bomb = gzip_bomb(tmp_path / "0-iteration.csv.gz", gigabytes=1)
    start = time.perf_counter()
    with pytest.raises(LogInputError, match="decompresses to more than 8 MiB") as info:
        read_logs(bomb)
    assert isinstance(info.value, InputLimitError)
    assert time.perf_counter() - start < 5


def test_gzip_cap_can_be_raised_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    monkeypatch.setattr(sources, "MAX_DECOMPRESSED_BYTES", 1000)
    log = tmp_path / "0-iteration.csv.gz"
    log.write_bytes(gzip.compress((CSV_HEADER + CSV_ROW * 40).encode()))
    with pytest.raises(LogInputError, match="decompresses to more than 1 kB"):
        read_logs(log)
    monkeypatch.setenv("REWARD_MAX_DECOMPRESSED_BYTES", str(1 << 20))
    assert len(read_logs(log).steps) == 40


def test_gzip_bomb_inside_a_tar_export_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import tarfile

    monkeypatch.setattr(sources, "MAX_DECOMPRESSED_BYTES", 16 << 20)
    member = gzip_bomb(tmp_path / "member.gz", gigabytes=1).read_bytes()
    export = tmp_path / "export.tar.gz"
    with tarfile.open(export, "w:gz") as archive:
        info = tarfile.TarInfo("logs/training/robomaker.log.gz")
        info.size = len(member)
        archive.addfile(info, io.BytesIO(member))
    with pytest.raises(
        LogInputError, match=r"export\.tar\.gz!logs/training/robomaker\.log\.gz: decompresses"
    ):
        read_logs(export)


def test_tar_with_100k_members_is_refused_quickly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = many_member_tar_gz(tmp_path / "export.tar.gz", 100_000)
    start = time.perf_counter()
    error = assert_one_line_error(in_process(["replay", str(export)], capsys), "more than 10000 members")
    assert "REWARD_MAX_ARCHIVE_MEMBERS" in error
    assert time.perf_counter() - start < 10


def test_real_logs_stay_well_under_the_caps(logs_dir: Path) -> None:
    """Every real archive in shared/data/logs inflates to < 1/50 of the cap and has < 1/100 of the member cap;
    no line of a real log or CSV (archived or not) is a twentieth of the line cap (metrics JSON, one long line,
    is never read)."""
    import tarfile

    archives = [p for p in logs_dir.rglob("*") if p.is_file() and p.name.endswith((".gz", ".tgz", ".tar"))]
    assert archives
    longest = 0
    for path in archives:
        inflated = sources.gunzip(path.read_bytes(), str(path), sources.Budget())
        assert len(inflated) < sources.MAX_DECOMPRESSED_BYTES / 50, path
        with tarfile.open(path) as archive:  # every real one is a console export
            members = archive.getmembers()
            assert len(members) < sources.MAX_ARCHIVE_MEMBERS / 100, path
            for member in members:
                if member.isfile() and member.name.endswith((".log", ".csv", ".txt")):
                    text = archive.extractfile(member).read()  # type: ignore[union-attr]
                    longest = max(longest, *(len(line) for line in text.splitlines()))
        read_logs(path)  # reads with the default caps
    texts = [p for p in logs_dir.rglob("*") if p.is_file() and p.suffix in (".log", ".csv", ".txt")]
    longest = max(longest, *(len(line) for p in texts for line in p.read_bytes().splitlines()))
    assert longest < sources.MAX_LINE_BYTES / 20


# --- folders: symlink loops -----------------------------------------------------------------------------------


def test_symlink_loops_do_not_hang_the_cli(tmp_path: Path) -> None:
    """``a -> .`` and ``b -> .``: 2**40 paths if links were followed blindly (until ELOOP at 40 levels)."""
    root = csv_folder(tmp_path / "model")
    (root / "a").symlink_to(".")
    (root / "b").symlink_to(".")
    (root / "c").symlink_to("d")
    (root / "d").symlink_to("c")
    run = run_cli(["replay", str(root), "--format", "json"], tmp_path, timeout=60)
    assert run.code == 0, run.stderr
    assert run.seconds < 30


def test_a_folder_reached_twice_is_read_once(tmp_path: Path) -> None:
    root = csv_folder(tmp_path / "model", rows=3)
    (root / "loop").symlink_to(".")  # the whole folder again, recursively
    (root / "training-simtrace" / "up").symlink_to("..")
    (root / "again").symlink_to("training-simtrace")  # a second name for a folder
    (root / "copy.csv").symlink_to("training-simtrace/0-iteration.csv")  # a second name for a file
    (root / "x").symlink_to("y")
    (root / "y").symlink_to("x")  # a dangling loop
    log = read_logs(root)
    assert len(log.steps) == 3
    assert len(log.sources) == 1


# --- FIFOs and devices ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["robomaker.log", "0-iteration.csv", "robomaker.log.gz", "model_metadata.json"]
)
def test_fifo_named_as_a_log_is_refused(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    unblock_fifo_later(fifo)
    start = time.perf_counter()
    assert_one_line_error(in_process(["replay", str(fifo)], capsys), name, "FIFO")
    assert time.perf_counter() - start < 2


def test_device_named_as_a_log_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    zero = tmp_path / "robomaker.log"
    zero.symlink_to("/dev/zero")
    assert_one_line_error(in_process(["replay", str(zero)], capsys), "robomaker.log", "character device")


def test_fifos_and_devices_inside_a_folder_are_skipped(tmp_path: Path) -> None:
    root = csv_folder(tmp_path / "model", rows=2)
    for name in ("robomaker.log", "1-iteration.csv", "x.log.gz", "model_metadata.json"):
        os.mkfifo(root / "training-simtrace" / name)
    (root / "zero.log").symlink_to("/dev/zero")
    start = time.perf_counter()
    assert len(read_logs(root).steps) == 2
    assert time.perf_counter() - start < 2


def test_the_reader_never_blocks_on_a_fifo_swapped_in_after_the_listing(tmp_path: Path) -> None:
    fifo = tmp_path / "robomaker.log"
    os.mkfifo(fifo)
    unblock_fifo_later(fifo)
    start = time.perf_counter()
    with pytest.raises(InputLimitError, match="FIFO"):
        FileArena().read(str(fifo))
    assert time.perf_counter() - start < 2


# --- one-gigabyte lines ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first"), [("0-iteration.csv", CSV_HEADER + CSV_ROW), ("robomaker.log", "start\n" + LOG_LINE)]
)
def test_one_gigabyte_line_is_refused_quickly_with_bounded_memory(
    tmp_path: Path, name: str, first: str
) -> None:
    huge = sparse_long_line(tmp_path / name, first, 1 << 30)
    run = run_cli(["replay", str(huge)], tmp_path)
    assert_one_line_error(run, f"{name}:3: line longer than 1 MiB", "REWARD_MAX_LINE_BYTES")
    assert run.seconds < 20
    assert run.peak_mib is not None and run.peak_mib < 600  # one 64 MiB chunk, not the gigabyte


def test_long_line_cap_is_a_module_constant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 4096)
    monkeypatch.setattr(scratch, "CHUNKED_READ_BYTES", 1 << 16)
    small = sparse_long_line(tmp_path / "0-iteration.csv", CSV_HEADER + CSV_ROW * 5000, 1 << 20)
    with pytest.raises(LogInputError, match=r"0-iteration\.csv:5002: line longer than 4\.1 kB"):
        read_logs(small)  # read in 64 kB chunks: the line is found in a later chunk
    gz = tmp_path / "robomaker.log.gz"
    import gzip

    gz.write_bytes(gzip.compress(LOG_LINE.encode() + b"x" * 9000 + b"\n"))
    with pytest.raises(LogInputError, match=r"robomaker\.log\.gz:2: line longer"):
        read_logs(gz)


# --- model_metadata.json / hyperparameters.json beside the logs -------------------------------------------------


def test_deeply_nested_model_metadata_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = csv_folder(tmp_path / "model")
    (root / "model_metadata.json").write_text('{"action_space": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert_one_line_error(
        in_process(["replay", str(root)], capsys), "model_metadata.json", "nested too deeply"
    )


def test_huge_model_metadata_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = csv_folder(tmp_path / "model")
    meta = root / "model_metadata.json"
    meta.write_text('{"action_space": [')
    os.truncate(meta, 100 << 20)
    assert_one_line_error(in_process(["replay", str(root)], capsys), "larger than 1 MiB", "METADATA_BYTES")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("model_metadata.json", '{"action_space": "fast please"}', "'action_space' must be"),
        ("model_metadata.json", '{"action_space": [], "sensor": {"FRONT": 1}}', "'sensor'"),
        ("hyperparameters.json", '{"num_episodes_between_training": 1e999}', "positive integer"),
        ("hyperparameters.json", '{"num_episodes_between_training": "20"}', "positive integer"),
    ],
)
def test_metadata_with_wrong_types_is_refused(
    tmp_path: Path, name: str, content: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "model"
    root.mkdir()
    (root / "robomaker.log").write_text("start\n" + LOG_LINE * 3)
    (root / name).write_text(content)
    assert_one_line_error(in_process(["replay", str(root)], capsys), name, expected)


def test_hyperparameters_in_a_log_with_an_infinite_episode_count_do_not_crash(tmp_path: Path) -> None:
    log = tmp_path / "robomaker.log"
    log.write_text(
        'Using the following hyper-parameters\n{\n  "num_episodes_between_training": Infinity\n}\n'
        + LOG_LINE * 2
    )
    steps = read_logs(log).steps
    assert list(steps["iteration"]) == [0, 0]
