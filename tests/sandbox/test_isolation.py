"""OS-level isolation of the worker (``sandbox.lockdown``): orphans, signals, IPC, file locks, file-system view.

Trusted probes (``tests/sandbox/isolation_probe.py``) run *inside* a locked-down worker and try the raw moves user
code could make if it ever got past the in-language layer; each must be refused by the OS layer itself. The orphan
tests start a real parent process, SIGKILL it and require its worker to be gone within 2 s.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import RewardSandbox

REPO = Path(__file__).resolve().parents[2]
PROBE = "tests.sandbox.isolation_probe"
SOURCE = "import scipy\nfrom shapely.geometry import Point\n\ndef reward_function(params):\n    return 1.0\n"
SPIN_CALL = "def reward_function(params):\n    while True:\n        pass\n"
SPIN_MODULE = "while True:\n    pass\n\ndef reward_function(params):\n    return 1.0\n"
ROOT = os.geteuid() == 0


def _allowed(outcome: str) -> bool:
    return outcome.startswith("ALLOWED")


@pytest.fixture()
def worker() -> Iterator[RewardSandbox]:
    with RewardSandbox(SOURCE, preload=[PROBE]) as sandbox:
        yield sandbox


@pytest.fixture()
def sibling() -> Iterator[RewardSandbox]:
    with RewardSandbox(SOURCE) as sandbox:
        yield sandbox


# -- layers ------------------------------------------------------------------------------------------------------


def test_every_layer_is_reported_on(worker: RewardSandbox) -> None:
    info = worker.isolation
    for layer in ("mount_namespace", "ipc_namespace", "network_namespace", "parent_death_signal", "seccomp"):
        assert info[layer] == "on", (layer, info)
    assert info["filesystem"].startswith("on ("), info
    assert info["capabilities"] == "none", info
    if ROOT:
        assert info["privileges"] == "nobody" and info["uid"] == 65534, info


def test_process_state_after_lockdown(worker: RewardSandbox) -> None:
    state = worker.run_in_worker(f"{PROBE}:process_state")
    assert state["pdeathsig"] == signal.SIGKILL  # armed after the credential changes that clear it
    assert not _allowed(state["clear_pdeathsig"]) and state["pdeathsig_after"] == signal.SIGKILL
    assert state["dumpable"] == 0 and state["no_new_privs"] == 1
    assert state["cap_effective"] == 0 and state["cap_permitted"] == 0
    assert state["cwd"] == "ALLOWED '/'"
    if ROOT:
        assert state["uid"] == 65534


# -- file-system view --------------------------------------------------------------------------------------------


def test_worker_cannot_read_host_files(worker: RewardSandbox, sibling: RewardSandbox) -> None:
    readable_dir = Path(tempfile.mkdtemp(prefix="reward-isolation-"))  # readable by anyone on the host
    try:
        readable_dir.chmod(0o755)
        host_file = readable_dir / "secret.txt"
        host_file.write_text("secret\n")
        host_file.chmod(0o644)
        other = sibling.isolation["pid"]
        hidden = [
            "/proc",
            "/proc/1/cmdline",
            "/proc/self/status",
            f"/proc/{other}/environ",
            f"/proc/{other}/cmdline",
            "/etc/passwd",
            "/home",
            "/dev/shm",
            "/sys/kernel",
            "/var",
            str(host_file),
            str(REPO / "README.md"),
            str(REPO / "pyproject.toml"),
            str(REPO / ".git"),
            str(Path(sys.prefix) / "pyvenv.cfg"),
            str(Path(pytest.__file__).parent),  # an installed package the worker never imported
        ]
        needed = [os.__file__, os.path.dirname(os.__file__) + "/json/__init__.py", "/dev/null"]
        outcomes = worker.run_in_worker(f"{PROBE}:read_paths", hidden + needed)
    finally:
        for path in readable_dir.iterdir():
            path.unlink()
        readable_dir.rmdir()
    leaks = {path: outcomes[path] for path in hidden if _allowed(outcomes[path])}
    assert not leaks, leaks
    assert all(_allowed(outcomes[path]) for path in needed), outcomes


def test_lazy_imports_still_work(worker: RewardSandbox) -> None:
    wanted = ["json", "decimal", "email.mime.text", "scipy.optimize", "scipy.interpolate", "shapely.ops"]
    outcomes = worker.run_in_worker(f"{PROBE}:lazy_imports", [*wanted, "_pytest.python_api"])
    assert all(_allowed(outcomes[name]) for name in wanted), outcomes
    assert outcomes["_pytest.python_api"] == "ModuleNotFoundError"  # outside the view: never imported before


# -- signals and other processes ----------------------------------------------------------------------------------


def test_worker_cannot_signal_or_retune_a_sibling(worker: RewardSandbox, sibling: RewardSandbox) -> None:
    other = sibling.isolation["pid"]
    outcomes = worker.run_in_worker(f"{PROBE}:signal_process", other)
    assert not [name for name, outcome in outcomes.items() if _allowed(outcome)], outcomes
    assert sibling.score({}) == 1.0 and sibling.isolation["pid"] == other


def test_worker_cannot_signal_the_host() -> None:
    host = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with RewardSandbox(SOURCE, preload=[PROBE]) as sandbox:
            outcomes = sandbox.run_in_worker(f"{PROBE}:signal_process", host.pid)
        assert not [name for name, outcome in outcomes.items() if _allowed(outcome)], outcomes
        assert host.poll() is None
    finally:
        host.kill()
        host.wait()


def test_worker_can_still_signal_itself(worker: RewardSandbox) -> None:
    outcomes = worker.run_in_worker(f"{PROBE}:signal_self")
    assert all(_allowed(outcome) for outcome in outcomes.values()), outcomes


# -- IPC and locks -----------------------------------------------------------------------------------------------


def _sysv_keys() -> set[int]:
    keys: set[int] = set()
    for kind in ("shm", "sem", "msg"):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        keys.update(int(line.split()[0]) for line in lines if line.strip())
    return keys


def test_sysv_ipc_is_refused_and_nothing_outlives_the_worker() -> None:
    key = random.randrange(0x10000000, 0x70000000)
    with RewardSandbox(SOURCE, preload=[PROBE]) as sandbox:
        outcomes = sandbox.run_in_worker(f"{PROBE}:sysv_ipc", key)
    leftovers = {key, key + 1, key + 2} & _sysv_keys()
    assert not [name for name, outcome in outcomes.items() if _allowed(outcome)], outcomes
    assert not leftovers, f"SysV IPC objects outlived the worker: {sorted(leftovers)}"


def test_file_locks_are_refused(worker: RewardSandbox) -> None:
    readable_dir = Path(tempfile.mkdtemp(prefix="reward-isolation-"))
    host_file = readable_dir / "lock-me"
    try:
        readable_dir.chmod(0o755)
        host_file.write_text("x")
        host_file.chmod(0o644)
        on_host = worker.run_in_worker(f"{PROBE}:file_locks", str(host_file))
        visible = worker.run_in_worker(f"{PROBE}:file_locks", os.__file__)
    finally:
        host_file.unlink(missing_ok=True)
        readable_dir.rmdir()
    assert not _allowed(on_host["open"]), on_host  # outside the view
    assert _allowed(visible["open"]) and _allowed(visible["getfl"]), visible  # ordinary fcntl still works
    for name in ("flock", "lockf", "getlk", "ofd_setlk", "setown"):
        assert not _allowed(visible[name]), (name, visible)


# -- parent death ------------------------------------------------------------------------------------------------

PARENT = """
import sys
from sandbox.limits import SandboxLimits
from sandbox.runner import RewardSandbox
limits = SandboxLimits(timeout_s=600.0, load_timeout_s=600.0)
RewardSandbox(sys.argv[1], limits=limits).score({})
"""


def _stat(pid: int) -> tuple[str, int] | None:
    """``(state letter, parent pid)`` of ``pid`` from ``/proc``, or None when it no longer exists."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in "ZX"


def _locked_down_children(parent: int) -> list[int]:
    """Children of ``parent`` that have finished the lockdown (their seccomp filter is loaded)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (_stat(int(entry)) or ("", 0))[1] == parent:
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            if "\nSeccomp:\t2\n" in status:
                found.append(int(entry))
    return found


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def _kill_parent_and_check(parent: subprocess.Popen[bytes], settle_s: float) -> None:
    """Wait for ``parent``'s locked-down worker, let it run ``settle_s``, SIGKILL ``parent``; the worker must be
    gone within 2 s (it is killed in any case before returning)."""
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60.0
        while not workers and time.monotonic() < deadline and parent.poll() is None:
            workers = _locked_down_children(parent.pid)
            time.sleep(0.05)
        assert workers, "the parent never started a locked-down worker"
        time.sleep(settle_s)
        assert all(_alive(pid) for pid in workers)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 2.0
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [pid for pid in workers if _alive(pid)]
        assert not survivors, f"workers {survivors} outlived their SIGKILLed parent"
    finally:
        parent.kill()
        parent.wait()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("source", [SPIN_CALL, SPIN_MODULE], ids=["spinning_call", "spinning_module_level"])
def test_worker_dies_with_its_sigkilled_parent(source: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, source], env=_env(), cwd=REPO)
    _kill_parent_and_check(parent, settle_s=0.5)


def test_reward_call_worker_dies_with_the_cli(tmp_path: Path) -> None:
    reward = tmp_path / "spin.py"
    reward.write_text(SPIN_CALL)
    command = [sys.executable, "-c", "import sys; from reward_sdk.cli import main; sys.exit(main())"]
    parent = subprocess.Popen(
        [*command, "call", str(reward), "--timeout", "600"],
        env=_env(),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _kill_parent_and_check(parent, settle_s=0.5)


RACE = r"""
import subprocess, sys, time
child = r'''
import os, signal, time
import sandbox.lockdown as lockdown
from sandbox.limits import SandboxLimits

real_view_paths = lockdown._view_paths


def parent_dies_meanwhile():  # runs inside lock_down, after it has recorded the parent's pid
    parent = os.getppid()
    os.kill(parent, signal.SIGKILL)
    while os.getppid() == parent:
        time.sleep(0.01)
    return real_view_paths()


lockdown._view_paths = parent_dies_meanwhile
os.write(1, b"before\n")
lockdown.lock_down(SandboxLimits())
os.write(1, b"after\n")
'''
subprocess.Popen([sys.executable, "-c", child])
time.sleep(60)
"""


def test_lock_down_exits_when_the_parent_dies_during_it() -> None:
    """The parent dies after lock_down started but before the parent-death signal is armed: nobody would ever
    send it, so lock_down itself must end the process (status 1) instead of returning."""
    result = subprocess.run(
        [sys.executable, "-c", RACE], env=_env(), cwd=REPO, capture_output=True, timeout=60
    )  # stdout stays open until the orphaned grandchild exits
    assert result.returncode == -signal.SIGKILL
    assert result.stdout.decode().split() == ["before"], result


TIMED = r"""
import os, time
import numpy, scipy, shapely.geometry, RestrictedPython
from sandbox.limits import SandboxLimits
from sandbox.lockdown import lock_down
start = time.perf_counter()
info = lock_down(SandboxLimits())
os.write(1, f"{time.perf_counter() - start} {info['filesystem']}".encode())
"""


def test_lock_down_itself_is_cheap() -> None:
    """The whole lockdown (namespaces, the minimal root, seccomp) takes ~0.01 s of a ~0.15 s worker start."""
    env = {**_env(), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    durations = []
    for _ in range(3):
        result = subprocess.run(
            [sys.executable, "-c", TIMED], env=env, cwd=REPO, capture_output=True, timeout=120, check=True
        )
        seconds, status = result.stdout.decode().split(" ", 1)
        assert status.startswith("on ("), status
        durations.append(float(seconds))
    assert min(durations) < 0.1, durations
