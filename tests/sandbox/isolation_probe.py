"""Trusted probes the isolation tests run *inside* a locked-down worker (``RewardSandbox.run_in_worker``).

They try the OS-level moves user code could make if it ever got past the in-language layer (raw syscalls through
ctypes, file and ``/proc`` access, signals, SysV IPC, file locks) and report each outcome as text: ``"ALLOWED"``
(possibly with a detail) or the name of the error (``"EPERM"``, ``"ENOENT"``...). They never raise.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import importlib
import os
import resource
import struct
from collections.abc import Callable
from typing import Any

Reward = Callable[[dict[str, Any]], float]

_LIBC = ctypes.CDLL(None, use_errno=True)
_IPC_PRIVATE, _IPC_CREAT, _IPC_RMID = 0, 0o1000, 0
_SYS = {"tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "pidfd_open": 434, "mq_open": 240}
_PR_GET_PDEATHSIG, _PR_GET_DUMPABLE, _PR_GET_NO_NEW_PRIVS = 2, 3, 39
_F_OFD_SETLK = 37


def _outcome(action: Callable[[], object]) -> str:
    """Run ``action``; ``"ALLOWED <value>"`` or the errno name / exception class of the failure."""
    try:
        value = action()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    except Exception as exc:
        return type(exc).__name__
    return f"ALLOWED {value!r}"[:200]


def _checked(result: int) -> int:
    """A raw libc return value: raise ``OSError(errno)`` for -1 (as the ``os`` module would)."""
    if result == -1:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


def read_paths(reward: Reward, paths: list[str]) -> dict[str, str]:
    """Try to read (a file: its first bytes; a directory: its listing) each path; outcome per path."""

    def read(path: str) -> object:
        if os.path.isdir(path):
            return sorted(os.listdir(path))[:5]
        with open(path, "rb") as handle:
            return handle.read(40)

    return {path: _outcome(lambda path=path: read(path)) for path in paths}


def signal_process(reward: Reward, pid: int) -> dict[str, str]:
    """Send signal 0 (existence/permission check only) to ``pid`` by every signalling syscall, plus the broad
    forms ``kill(0)`` (own group), ``kill(-1)`` (every process the uid may signal) and ``kill(-pid)``."""
    siginfo = ctypes.create_string_buffer(128)
    struct.pack_into("iii", siginfo, 0, 0, -1, 0)  # si_signo, si_errno, si_code = SI_QUEUE
    return {
        "kill": _outcome(lambda: os.kill(pid, 0)),
        "kill_group": _outcome(lambda: os.kill(-pid, 0)),
        "kill_own_group": _outcome(lambda: os.kill(0, 0)),
        "kill_all": _outcome(lambda: os.kill(-1, 0)),
        "tkill": _outcome(lambda: _checked(_LIBC.syscall(_SYS["tkill"], pid, 0))),
        "tgkill": _outcome(lambda: _checked(_LIBC.syscall(_SYS["tgkill"], pid, pid, 0))),
        "rt_sigqueueinfo": _outcome(
            lambda: _checked(_LIBC.syscall(_SYS["rt_sigqueueinfo"], pid, 0, siginfo))
        ),
        "pidfd_open": _outcome(lambda: _checked(_LIBC.syscall(_SYS["pidfd_open"], pid, 0))),
        "prlimit": _outcome(lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE)),
        "setpriority": _outcome(lambda: os.setpriority(os.PRIO_PROCESS, pid, 19)),
        "setpriority_user": _outcome(lambda: os.setpriority(os.PRIO_USER, os.getuid(), 19)),
        "sched_setaffinity": _outcome(lambda: os.sched_setaffinity(pid, {0})),
    }


def signal_self(reward: Reward) -> dict[str, str]:
    """Signal 0 to the worker itself, and its own resource limits: these must keep working."""
    pid = os.getpid()
    return {
        "kill": _outcome(lambda: os.kill(pid, 0)),
        "tgkill": _outcome(lambda: _checked(_LIBC.syscall(_SYS["tgkill"], pid, pid, 0))),
        "getrlimit": _outcome(lambda: resource.getrlimit(resource.RLIMIT_NOFILE)),
        "prlimit_self": _outcome(lambda: resource.prlimit(0, resource.RLIMIT_NOFILE)),
    }


def sysv_ipc(reward: Reward, key: int) -> dict[str, str]:
    """Create SysV shared memory / semaphore / message queue objects (private and under ``key``) and a POSIX
    message queue; objects that do get created are left behind on purpose (the host checks they do not
    outlive the worker)."""
    mq_name = ctypes.c_char_p(f"reward_sandbox_probe_{key}".encode())
    return {
        "shmget_private": _outcome(lambda: _checked(_LIBC.shmget(_IPC_PRIVATE, 4096, _IPC_CREAT | 0o600))),
        "shmget_key": _outcome(lambda: _checked(_LIBC.shmget(key, 4096, _IPC_CREAT | 0o666))),
        "semget": _outcome(lambda: _checked(_LIBC.semget(key + 1, 1, _IPC_CREAT | 0o666))),
        "msgget": _outcome(lambda: _checked(_LIBC.msgget(key + 2, _IPC_CREAT | 0o666))),
        "mq_open": _outcome(
            lambda: _checked(_LIBC.syscall(_SYS["mq_open"], mq_name, os.O_RDWR | os.O_CREAT, 0o666, None))
        ),
    }


def file_locks(reward: Reward, path: str) -> dict[str, str]:
    """Open ``path`` read-only and try every kind of file lock on it (flock, POSIX record, OFD record)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        return {"open": errno.errorcode.get(exc.errno or 0, "OSError")}
    try:
        record = struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0)
        return {
            "open": "ALLOWED",
            "flock": _outcome(lambda: fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)),
            "lockf": _outcome(lambda: fcntl.fcntl(fd, fcntl.F_SETLK, record)),
            "getlk": _outcome(lambda: fcntl.fcntl(fd, fcntl.F_GETLK, record)),
            "ofd_setlk": _outcome(lambda: fcntl.fcntl(fd, _F_OFD_SETLK, record)),
            "setown": _outcome(lambda: fcntl.fcntl(fd, fcntl.F_SETOWN, 1)),
            "getfl": _outcome(lambda: fcntl.fcntl(fd, fcntl.F_GETFL)),
        }
    finally:
        os.close(fd)


def process_state(reward: Reward) -> dict[str, Any]:
    """The worker's own state: parent-death signal, dumpable, no_new_privs, effective capabilities, uid, cwd."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    _checked(_LIBC.capget(header, data))
    pdeath, after = ctypes.c_int(-1), ctypes.c_int(-1)
    _LIBC.prctl(_PR_GET_PDEATHSIG, ctypes.byref(pdeath), 0, 0, 0)
    cleared = _outcome(lambda: _checked(_LIBC.prctl(1, 0, 0, 0, 0)))  # PR_SET_PDEATHSIG 0: survive the parent
    _LIBC.prctl(_PR_GET_PDEATHSIG, ctypes.byref(after), 0, 0, 0)
    return {
        "pdeathsig": pdeath.value,
        "clear_pdeathsig": cleared,
        "pdeathsig_after": after.value,
        "dumpable": _LIBC.prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0),
        "no_new_privs": _LIBC.prctl(_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
        "cap_effective": data[0] | data[3] << 32,
        "cap_permitted": data[1] | data[4] << 32,
        "uid": os.getuid(),
        "cwd": _outcome(os.getcwd),
    }


def lazy_imports(reward: Reward, modules: list[str]) -> dict[str, str]:
    """Import each module now (after the lockdown), then call into it once; outcome per module."""
    return {name: _outcome(lambda name=name: importlib.import_module(name).__name__) for name in modules}
