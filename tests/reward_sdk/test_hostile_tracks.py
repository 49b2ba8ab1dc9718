"""Hostile ``.npy`` track files (issue 12): a header claiming a huge shape, FIFOs and devices, pickled objects,
oversized files. ``load_track`` raises :class:`TrackError` before allocating or blocking, and the CLI prints one
``error:`` line with exit code 2."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from reward_sdk import tracks
from reward_sdk.cli import main
from reward_sdk.errors import TrackError
from reward_sdk.tracks import load_track
from tests.replay.hostile import assert_one_line_error, run_cli, unblock_fifo_later

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "follow_center_line.py")


def npy_with_header(
    path: Path, shape: tuple[int, ...], descr: str = "<f8", version: tuple[int, int] = (1, 0)
) -> Path:
    """A ``.npy`` file whose header claims ``shape`` but which holds only 10 rows of data."""
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    buffer = io.BytesIO()
    writer = (
        np.lib.format.write_array_header_1_0 if version == (1, 0) else np.lib.format.write_array_header_2_0
    )
    writer(buffer, header)
    buffer.write(np.zeros((10, 6)).tobytes())
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("version", [(1, 0), (2, 0)])
def test_header_claiming_a_huge_shape_is_refused_before_allocating(
    tmp_path: Path, version: tuple[int, int]
) -> None:
    bogus = npy_with_header(tmp_path / "bogus.npy", (10**12, 6), version=version)
    assert bogus.stat().st_size < 1000
    with pytest.raises(
        TrackError, match=r"header claims shape \(1000000000000, 6\) of float64 \(43\.7 TiB\)"
    ):
        load_track(bogus)


def test_header_claiming_a_huge_shape_gives_one_cli_line(tmp_path: Path) -> None:
    bogus = npy_with_header(tmp_path / "bogus.npy", (10**12, 6))
    run = run_cli(["call", EXAMPLE, "--track", str(bogus)], tmp_path)
    assert_one_line_error(run, "bogus.npy", "header claims shape")
    assert run.peak_mib is not None and run.peak_mib < 600


def test_header_claiming_a_few_gigabytes_is_refused_not_allocated(tmp_path: Path) -> None:
    bogus = npy_with_header(tmp_path / "bogus.npy", (10**8, 6))  # 4.5 GiB: allocatable, then unreadable
    with pytest.raises(TrackError, match=r"4\.47 GiB\) but the file holds 480 bytes"):
        load_track(bogus)


def test_fifo_named_as_a_track_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "reinvent_base.npy"
    os.mkfifo(fifo)
    unblock_fifo_later(fifo)
    start = time.perf_counter()
    with pytest.raises(TrackError, match="FIFO"):
        load_track(fifo)
    assert time.perf_counter() - start < 2


def test_fifo_track_gives_one_cli_line(tmp_path: Path) -> None:
    fifo = tmp_path / "reinvent_base.npy"
    os.mkfifo(fifo)
    run = run_cli(["call", EXAMPLE, "--track", str(fifo)], tmp_path, timeout=30)
    assert_one_line_error(run, "reinvent_base.npy", "FIFO")


def test_device_named_as_a_track_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    zero = tmp_path / "zero.npy"
    zero.symlink_to("/dev/zero")
    assert main(["call", EXAMPLE, "--track", str(zero)]) == 2
    assert_one_line_error((2, capsys.readouterr().err), "zero.npy", "character device")


def test_track_listing_reports_a_fifo_instead_of_hanging(tmp_path: Path, tracks_dir: Path) -> None:
    folder = tmp_path / "tracks"
    folder.mkdir()
    (folder / "reinvent_base.npy").write_bytes((tracks_dir / "reinvent_base.npy").read_bytes())
    os.mkfifo(folder / "pipe.npy")
    result = subprocess.run(
        [sys.executable, "-m", "reward_sdk", "tracks", "--dir", str(folder), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["tracks"]
    assert any(row.get("name") == "reinvent_base" for row in rows)
    assert any("pipe.npy" in row.get("error", "") and "FIFO" in row["error"] for row in rows)


def test_object_arrays_are_refused_without_unpickling(tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.mkdir, (str(marker),))

    evil = tmp_path / "evil.npy"
    np.save(evil, np.array([[Payload()] * 6] * 3, dtype=object), allow_pickle=True)
    with pytest.raises(TrackError, match="object arrays"):
        load_track(evil)
    assert not marker.exists()


def test_oversized_track_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.npy"
    np.save(big, np.zeros((100_000, 6)))  # 4.8 MB
    monkeypatch.setattr(tracks, "MAX_TRACK_BYTES", 1 << 20)
    with pytest.raises(TrackError, match=r"larger than 1 MiB.*REWARD_MAX_TRACK_BYTES"):
        load_track(big)
    monkeypatch.setenv("REWARD_MAX_TRACK_BYTES", str(8 << 20))
    with pytest.raises(TrackError, match="at least 3 distinct waypoints"):  # read now; all-zero rows
        load_track(big)


def test_real_tracks_still_load(tracks_dir: Path) -> None:
    files = sorted(tracks_dir.glob("*.npy"))
    assert files
    for path in files:
        assert path.stat().st_size < tracks.MAX_TRACK_BYTES / 100
        rows = np.load(path)
        try:
            track = load_track(path)
        except TrackError as exc:  # a geometrically invalid real file: still for its geometry, not our checks
            assert not any(text in str(exc) for text in ("header claims", "FIFO", "larger than", "object")), (
                exc
            )
            continue
        assert len(track.center) == len(rows)


def test_replay_track_matching_skips_fifos_and_symlink_loops(
    tmp_path: Path, tracks_dir: Path, logs_dir: Path
) -> None:
    folder = tmp_path / "tracks"
    folder.mkdir()
    (folder / "reinvent_base.npy").write_bytes((tracks_dir / "reinvent_base.npy").read_bytes())
    os.mkfifo(folder / "pipe.npy")
    (folder / "a.npy").symlink_to("b.npy")
    (folder / "b.npy").symlink_to("a.npy")
    log = logs_dir / (
        "aws-deepracer-community+deepracer-utils/tests/deepracer/logs/sample-drfc-1-logs/"
        "evaluation-20220709200242/evaluation-simtrace/0-iteration.csv"
    )
    run = run_cli(["replay", str(log), "--tracks-dir", str(folder), "--format", "json"], tmp_path, timeout=60)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["track"]["name"] == "reinvent_base"
