"""The attack corpus: every file in ``attacks/`` must be refused at compile time, stopped at run time with a typed
error, or killed by a limit — never observable success (marker file, 31337.0, text on the parent's stdout, a
call that outlives its time limit, a parent holding 500 MB or more).

The parent's peak memory during each attack is the test process's peak RSS (``VmHWM``) after resetting it through
``/proc/self/clear_refs`` just before the attack (Linux; falls back to the process-lifetime ``ru_maxrss``, which
can only over-estimate)."""

from __future__ import annotations

import os
import re
import resource
import time
from pathlib import Path
from typing import Any

import pytest

from sandbox import RewardCompileError, RewardSandbox, SandboxError, SandboxLimits

ATTACKS = sorted((Path(__file__).parent / "attacks").glob("*.py"))
MARKER = Path("/tmp/reward_sandbox_attack_marker")
SUCCESS = 31337.0
# cpu_s: a safety net so that a regression fails the test instead of hanging the suite for a day
LIMITS = SandboxLimits(timeout_s=0.5, load_timeout_s=1.0, memory_bytes=256 << 20, cpu_s=60)
PARENT_PEAK_LIMIT = 500 << 20  # bytes of resident memory the parent may reach during one attack
# The test process may hold far more than a `reward` process (torch from other tests under xdist), so the attack's
# cost is measured as growth over the RSS at the reset, plus what a bare parent holds (python, numpy, sandbox,
# measured ~110 MiB for `reward call`).
BARE_PARENT_RSS = 128 << 20
# Wall-clock bounds: a call is killed at most timeout + grace (+ polling) after it starts; a worker start adds
# imports (slow on a loaded CI machine) to the module-level limit.
CALL_BOUND_S = LIMITS.timeout_s + 2 * LIMITS.grace_s + 1.5
START_BOUND_S = LIMITS.load_timeout_s + LIMITS.grace_s + 15.0


def test_corpus_is_large_and_documented() -> None:
    assert len(ATTACKS) >= 60
    for path in ATTACKS:
        assert path.read_text().startswith("# Attack: "), path.name


def _reset_peak_rss() -> bool:
    """Reset this process's peak RSS to its current RSS; False when the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def _rss() -> int:
    """Current resident memory of this process in bytes (0 when /proc is unavailable)."""
    try:
        with open("/proc/self/status") as handle:
            found = re.search(r"^VmRSS:\s+(\d+) kB", handle.read(), re.MULTILINE)
    except OSError:
        return 0
    return int(found.group(1)) * 1024 if found else 0


def _peak_rss() -> int:
    """Peak resident memory of this process in bytes (since the last reset, where supported)."""
    try:
        with open("/proc/self/status") as handle:
            found = re.search(r"^VmHWM:\s+(\d+) kB", handle.read(), re.MULTILINE)
        if found:
            return int(found.group(1)) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_peak_rss_measurement_sees_a_large_allocation() -> None:
    """The measurement used below is real: it sees a 200 MB allocation made after the reset."""
    _reset_peak_rss()
    before = _peak_rss()
    block = bytearray(200 << 20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    del block
    assert _peak_rss() - before > 190 << 20


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("path", ATTACKS, ids=[p.stem for p in ATTACKS])
def test_attack_is_blocked(path: Path, params: dict[str, Any], capfd: pytest.CaptureFixture[str]) -> None:
    MARKER.unlink(missing_ok=True)
    source = path.read_text()
    try:
        sandbox = RewardSandbox(source, filename=path.name, limits=LIMITS)
    except RewardCompileError as exc:
        assert exc.violations, "a compile error must list its violations"
        assert path.name in str(exc)
        return
    constants = {"waypoints": params.pop("waypoints")}
    outcomes: list[object] = []
    durations: list[float] = []
    pid = None
    _reset_peak_rss()
    baseline = _rss()
    began = time.monotonic()
    try:
        with sandbox:
            durations.append(time.monotonic() - began)  # worker start, module-level code included
            sandbox.set_constants(constants)
            pid = sandbox.isolation["pid"]
            for _ in range(2):  # a second call catches attacks that prepare state on the first one
                began = time.monotonic()
                outcomes.append(sandbox.score(params))
                durations.append(time.monotonic() - began)
    except SandboxError as exc:  # raised by module-level code on start, or by a call
        outcomes.append(exc)
        durations.append(time.monotonic() - began)
    peak = BARE_PARENT_RSS + _peak_rss() - baseline
    if pid is not None:
        assert not _pid_alive(pid), "worker left running"
    assert peak < PARENT_PEAK_LIMIT, f"parent peaked at {peak >> 20} MiB during the attack"
    bounds = [START_BOUND_S] + [CALL_BOUND_S] * (len(durations) - 1)
    if pid is None:  # the start itself failed: the one duration is the start's
        bounds = [START_BOUND_S]
    for took, bound in zip(durations, bounds, strict=False):
        assert took < bound, f"attack ran {took:.1f} s, past its limit (bound {bound:g} s): {outcomes}"
    assert not MARKER.exists(), "attack created the marker file"
    assert SUCCESS not in outcomes, f"attack returned its success value: {outcomes}"
    assert isinstance(outcomes[-1], SandboxError), f"attack was not stopped with a typed error: {outcomes}"
    captured = capfd.readouterr()
    assert "FLOOD" not in captured.out + captured.err
    assert len(captured.out) < 10_000
