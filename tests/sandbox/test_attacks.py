"""The attack corpus: every file in ``attacks/`` must be refused at compile time, stopped at run time with a typed
error, or killed by a limit — never observable success (marker file, 31337.0, text on the parent's stdout)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from sandbox import RewardCompileError, RewardSandbox, SandboxError, SandboxLimits

ATTACKS = sorted((Path(__file__).parent / "attacks").glob("*.py"))
MARKER = Path("/tmp/reward_sandbox_attack_marker")
SUCCESS = 31337.0
LIMITS = SandboxLimits(timeout_s=0.5, load_timeout_s=1.0, memory_bytes=256 << 20)


def test_corpus_is_large_and_documented() -> None:
    assert len(ATTACKS) >= 60
    for path in ATTACKS:
        assert path.read_text().startswith("# Attack: "), path.name


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
    pid = None
    try:
        with sandbox:
            sandbox.set_constants(constants)
            pid = sandbox.isolation["pid"]
            for _ in range(2):  # a second call catches attacks that prepare state on the first one
                outcomes.append(sandbox.score(params))
    except SandboxError as exc:  # raised by module-level code on start, or by a call
        outcomes.append(exc)
    if pid is not None:
        assert not _pid_alive(pid), "worker left running"
    assert not MARKER.exists(), "attack created the marker file"
    assert SUCCESS not in outcomes, f"attack returned its success value: {outcomes}"
    assert isinstance(outcomes[-1], SandboxError), f"attack was not stopped with a typed error: {outcomes}"
    captured = capfd.readouterr()
    assert "FLOOD" not in captured.out + captured.err
    assert len(captured.out) < 10_000
