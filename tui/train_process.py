"""The train tab's worker: ``reward train FILE ... --quiet`` in a child process, watched through the run folder.

The child is the real CLI (same options, same run folder, same checkpoints), started in its own session so a
terminal Ctrl-C does not reach it. :meth:`TrainProcess.stop` sends it SIGINT, which ``reward train`` handles by
saving ``checkpoints/last.zip`` before exiting (code 130); :meth:`TrainProcess.status` reads the run's
``metrics.json`` (written atomically after every iteration) for the live numbers. Should the TUI itself die
(terminal closed), Linux sends the child SIGINT too (``PR_SET_PDEATHSIG``), so it never trains on alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["TrainProcess", "TrainStatus", "read_iterations"]

_LAUNCH = "import sys; from reward_sdk.cli import main; sys.exit(main())"


def read_iterations(run_dir: Path) -> list[dict[str, Any]]:
    """The ``iterations`` of ``run_dir/metrics.json``; [] when missing or unreadable (not written yet)."""
    try:
        data = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    iterations = data.get("iterations", []) if isinstance(data, dict) else []
    return [entry for entry in iterations if isinstance(entry, dict)]


@dataclass(frozen=True)
class TrainStatus:
    """What the train tab shows.

    :param running: the child process is alive.
    :param returncode: its exit code once it ended (0 done, 130 stopped with a checkpoint, 2 usage error).
    :param fraction: share of the time budget used, in [0, 1] (1 once it ended).
    :param steps: env steps of the last iteration in ``metrics.json`` (0 before the first).
    :param mean_reward: mean episode reward of the last iteration, or None.
    :param completion_rate: share of training episodes that completed a lap in the last iteration, or None.
    :param eval_completion_pct: the last evaluation's completion, %, or None.
    :param best_lap_time: best evaluation lap so far, seconds, or None.
    :param message: the child's last output line once it ended ("" while running).
    """

    running: bool
    returncode: int | None
    fraction: float
    steps: int = 0
    mean_reward: float | None = None
    completion_rate: float | None = None
    eval_completion_pct: float | None = None
    best_lap_time: float | None = None
    message: str = ""


class TrainProcess:
    """One ``reward train`` child for a reward file.

    :param reward_path: the saved reward file to train with.
    :param track: built-in name, ``.npy`` path or file stem in ``tracks_dir``.
    :param minutes: wall-clock budget of the session (> 0).
    :param name: run name (the run lives in ``runs_dir/name``).
    :param runs_dir: folder of the runs.
    :param tracks_dir: folder of real ``.npy`` tracks, or None.
    :param extra: more ``reward train`` options (e.g. ``["--algo", "sac"]``).
    """

    def __init__(
        self,
        reward_path: Path,
        track: str,
        minutes: float,
        name: str,
        runs_dir: Path,
        tracks_dir: Path | None = None,
        extra: list[str] | None = None,
    ) -> None:
        if not minutes > 0:
            raise ValueError(f"minutes must be positive, got {minutes}")
        self.reward_path = reward_path
        self.track = track
        self.minutes = minutes
        self.name = name
        self.runs_dir = runs_dir
        self.tracks_dir = tracks_dir
        self.extra = list(extra or [])
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self._output: IO[bytes] | None = None

    @property
    def run_dir(self) -> Path:
        return self.runs_dir / self.name

    def command(self) -> list[str]:
        """The child's argv: this Python running the ``reward`` CLI."""
        argv = [sys.executable, "-c", _LAUNCH, "train", str(self.reward_path), "--track", self.track]
        argv += ["--minutes", f"{self.minutes:g}", "--name", self.name, "--runs-dir", str(self.runs_dir)]
        if self.tracks_dir is not None:
            argv += ["--tracks-dir", str(self.tracks_dir)]
        return [*argv, *self.extra, "--quiet"]

    def start(self) -> None:
        """Start the child (stdout and stderr go to a temporary file read by :meth:`status`)."""
        if self.process is not None:
            raise RuntimeError("this training was already started")
        # lives as long as the child: closed by close()
        self._output = tempfile.TemporaryFile(prefix="reward-tui-train-")  # noqa: SIM115
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_interrupt_when_parent_dies,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3"},
        )

    def stop(self) -> None:
        """Ask the child to stop: SIGINT, so ``reward train`` saves ``checkpoints/last.zip`` and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def wait(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds for the child to end; its exit code, or None if it still runs."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL the child if it still runs (last resort: no checkpoint is written)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def close(self) -> None:
        """Stop a child that still runs (SIGINT, then SIGKILL after 30 s) and drop its output file."""
        self.stop()
        if self.wait(30.0) is None:
            self.kill()
        if self._output is not None:
            self._output.close()
            self._output = None

    def output(self) -> str:
        """Everything the child printed so far (decoded leniently)."""
        if self._output is None:
            return ""
        self._output.flush()
        self._output.seek(0)
        return self._output.read().decode("utf-8", errors="replace")

    def status(self) -> TrainStatus:
        """The child's state and the numbers of the run's last ``metrics.json`` iteration."""
        code = None if self.process is None else self.process.poll()
        running = self.process is not None and code is None
        elapsed = time.monotonic() - self.started if self.process is not None else 0.0
        fraction = 1.0 if code is not None else min(elapsed / (self.minutes * 60.0), 0.99)
        iterations = read_iterations(self.run_dir)
        last = iterations[-1] if iterations else {}
        evaluation = last.get("eval") if isinstance(last.get("eval"), dict) else {}
        message = _final_line(self.output()) if code is not None else ""
        return TrainStatus(
            running=running,
            returncode=code,
            fraction=fraction,
            steps=int(last.get("steps", 0) or 0),
            mean_reward=_number(last.get("mean_reward")),
            completion_rate=_number(last.get("completion_rate")),
            eval_completion_pct=_number((evaluation or {}).get("completion_pct")),
            best_lap_time=_number(last.get("best_lap_time")),
            message=message,
        )


_FINAL_PREFIXES = ("error:", "interrupted:", "aborted")


def _final_line(output: str) -> str:
    """The line of ``reward train``'s output that says how it ended: its ``error:``/``interrupted:`` line or
    the run summary (``runs/NAME: N steps ...``), else the last non-empty line (library warnings are skipped
    when one of those exists)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(_FINAL_PREFIXES) or "best evaluation" in line:
            return line
    return lines[-1] if lines else ""


def _interrupt_when_parent_dies() -> None:
    """In the child, before exec: ask Linux to send SIGINT when the TUI process dies (killed terminal, crash),
    so the training still saves ``last.zip`` and ends instead of running on alone. No-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGINT, 0, 0, 0)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
