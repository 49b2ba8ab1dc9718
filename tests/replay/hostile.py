"""Helpers of the hostile-input tests: building bombs cheaply, running the CLI in a bounded child process."""

from __future__ import annotations

import contextlib
import gzip
import os
import resource
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CHILD = """
import sys
from reward_sdk.cli import main
code = main(sys.argv[2:])
with open("/proc/self/status") as status, open(sys.argv[1], "w") as out:
    out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
sys.exit(code)
"""
"""Runs ``reward ARGS`` and writes the child's peak resident memory (KiB) to the file named by argv[1]: VmHWM,
the peak of this process image (``ru_maxrss`` would also count the forking pytest process, kept across exec)."""

ADDRESS_SPACE_LIMIT = 3 << 30
"""Virtual memory a CLI child may map (bytes): a regression fails with MemoryError instead of eating the
machine (a normal replay maps well under 2 GiB)."""

CSV_HEADER = (
    "episode,steps,X,Y,yaw,steer,throttle,action,reward,done,all_wheels_on_track,progress,"
    "closest_waypoint,track_len,tstamp,episode_status,pause_duration\n"
)
CSV_ROW = "0,1,3.0,0.7,1.5,0.0,1.0,3,1.0,False,True,0.5,1,17.7,12.34,prepare,0.0\n"


@dataclass
class CliRun:
    """Outcome of a bounded CLI child: exit code, stderr, wall time (s), peak memory (MiB, None if unknown),
    stdout."""

    code: int
    stderr: str
    seconds: float
    peak_mib: float | None
    stdout: str = ""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def run_cli(
    args: list[str], tmp_path: Path, timeout: float = 60.0, env: dict[str, str] | None = None
) -> CliRun:
    """``reward ARGS`` in a child with at most :data:`ADDRESS_SPACE_LIMIT` of address space; a hang raises
    ``subprocess.TimeoutExpired`` after ``timeout`` seconds (the test fails instead of blocking the suite)."""
    rss_file = tmp_path / f"rss-{time.monotonic_ns()}.txt"
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(rss_file), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    peak = int(rss_file.read_text()) / 1024 if rss_file.exists() else None
    return CliRun(result.returncode, result.stderr, seconds, peak, result.stdout)


def assert_one_line_error(run: CliRun | tuple[int, str], *expected: str) -> str:
    """Exit code 2, stderr exactly one ``error: ...`` line containing every ``expected`` text, no traceback."""
    code, stderr = (run.code, run.stderr) if isinstance(run, CliRun) else run
    lines = stderr.strip().splitlines()
    assert code == 2, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr[-2000:]
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def gzip_bomb(path: Path, gigabytes: int) -> Path:
    """A gzip file of concatenated members, each 10 MiB of zeros (~10 kB compressed): ``gigabytes`` GiB
    inflated from a few MB on disk, built in milliseconds."""
    member = gzip.compress(b"\0" * (10 << 20), compresslevel=9)
    path.write_bytes(member * (gigabytes * 1024 // 10))
    return path


def many_member_tar_gz(path: Path, members: int) -> Path:
    """A ``.tar.gz`` of ``members`` empty files (``m000000.csv``, ...): headers made by patching one ustar
    header (name and checksum), not by ``tarfile`` (10x faster)."""
    base = bytearray(tarfile.TarInfo("m000000.csv").tobuf(format=tarfile.USTAR_FORMAT))
    name_sum = sum(b"m000000.csv")
    base_sum = sum(base[:148]) + 8 * 32 + sum(base[156:])
    blocks = []
    for i in range(members):
        name = f"m{i:06d}.csv".encode()
        header = bytearray(base)
        header[: len(name)] = name
        header[148:156] = b"%06o\0 " % (base_sum - name_sum + sum(name))
        blocks.append(bytes(header))
    blocks.append(b"\0" * 1024)
    path.write_bytes(gzip.compress(b"".join(blocks), compresslevel=1))
    return path


def sparse_long_line(path: Path, first: str, size: int) -> Path:
    """A file holding ``first`` then zero bytes (no line break) up to ``size`` bytes, made sparse (instant)."""
    path.write_text(first)
    os.truncate(path, size)
    return path


def unblock_fifo_later(path: Path, seconds: float = 3.0) -> threading.Thread:
    """Open the FIFO ``path`` for writing after ``seconds`` and close it at once: a reader that (wrongly)
    opened it blocks only until then and reads EOF, so a regression fails a timing assertion instead of
    hanging the test run."""

    def opener() -> None:
        time.sleep(seconds)
        with contextlib.suppress(OSError):  # ENXIO: nobody is reading, nothing to unblock
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    thread = threading.Thread(target=opener, daemon=True)
    thread.start()
    return thread
