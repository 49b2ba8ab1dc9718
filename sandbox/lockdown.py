"""Process-level isolation applied by the worker to itself, after trusted imports and before user code runs.

Layers (each best-effort; :func:`lock_down` reports what is actually in effect):

1. ``PR_SET_PDEATHSIG=SIGKILL``: the worker dies with its parent.
2. When running as root: drop to uid/gid ``nobody`` (65534), no supplementary groups. Makes RLIMIT_NPROC effective
   (the kernel exempts root from it) and removes write access to root-owned files.
3. ``unshare(CLONE_NEWUSER | CLONE_NEWNET)``: an empty network namespace (no interfaces up); connecting anywhere fails with ENETUNREACH.
4. ``setrlimit``: RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE=0, RLIMIT_NOFILE, RLIMIT_CORE=0, RLIMIT_NPROC=1.
5. seccomp-bpf (x86-64 only, built by hand, no library needed): refuses with EPERM process creation
   (fork/vfork/execve/execveat, clone without CLONE_THREAD), sockets, ptrace/process_vm_*, kill, mount/namespace
   calls, kernel-module and keyring calls, filesystem mutation
   (unlink/rename/mkdir/chmod/chown/link/truncate...) and
   ``open``/``openat`` with write/create/truncate flags; ``clone3``/``openat2`` return ENOSYS (glibc falls back);
   foreign-ABI (i386/x32) syscalls kill the process.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import struct
from typing import Any

from sandbox.limits import SandboxLimits

__all__ = ["lock_down"]

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_CLONE_THREAD = 0x00010000
_NOBODY = 65534

# BPF opcodes
_LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35
_JSET = 0x45
_RET = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_BIT = 0x40000000
_OPEN_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

# x86-64 syscall numbers refused with EPERM.
_DENY_EPERM = (
    41,
    42,
    43,
    49,
    50,
    53,
    288,  # socket connect accept bind listen socketpair accept4
    57,
    58,
    59,
    322,  # fork vfork execve execveat
    62,
    101,
    310,
    311,
    424,
    434,  # kill ptrace process_vm_readv/writev pidfd_send_signal pidfd_open
    76,
    77,
    82,
    83,
    84,
    85,
    86,
    87,
    88,
    90,
    91,
    92,
    93,
    94,
    133,  # truncate..mknod
    258,
    259,
    260,
    263,
    264,
    265,
    266,
    268,
    316,  # *at variants, renameat2
    135,
    155,
    161,
    165,
    166,
    167,
    168,
    169,
    170,
    171,  # personality pivot_root chroot mount ... setdomainname
    175,
    176,
    246,
    248,
    249,
    250,
    272,
    298,
    304,
    308,
    313,
    320,
    321,
    323,  # modules kexec keys unshare bpf ...
    425,
    426,
    427,
    428,
    429,
    430,
    431,
    432,
    442,  # io_uring, new mount API
)
_DENY_ENOSYS = (435, 437)  # clone3, openat2
_CLONE, _OPEN, _OPENAT = 56, 2, 257


def _assemble() -> bytes:
    """Build the seccomp program; jump targets are labels resolved to relative offsets."""
    prog: list[tuple[int, Any, Any, int]] = []
    labels: dict[str, int] = {}

    def op(code: int, k: int, jt: Any = 0, jf: Any = 0) -> None:
        prog.append((code, jt, jf, k))

    op(_LD_ABS, 4)  # seccomp_data.arch
    op(_JEQ, _AUDIT_ARCH_X86_64, 0, "kill")
    op(_LD_ABS, 0)  # seccomp_data.nr
    op(_JGE, _X32_BIT, "kill", 0)
    for nr in _DENY_EPERM:
        op(_JEQ, nr, "eperm", 0)
    for nr in _DENY_ENOSYS:
        op(_JEQ, nr, "enosys", 0)
    op(_JEQ, _CLONE, "clone", 0)
    op(_JEQ, _OPEN, "open", 0)
    op(_JEQ, _OPENAT, "openat", 0)
    op(_RET, _RET_ALLOW)
    labels["clone"] = len(prog)
    op(_LD_ABS, 16)  # args[0] low word: clone flags
    op(_JSET, _CLONE_THREAD, "allow", "eperm")
    labels["open"] = len(prog)
    op(_LD_ABS, 24)  # args[1]: open flags
    op(_JSET, _OPEN_WRITE_FLAGS, "eperm", "allow")
    labels["openat"] = len(prog)
    op(_LD_ABS, 32)  # args[2]: openat flags
    op(_JSET, _OPEN_WRITE_FLAGS, "eperm", "allow")
    labels["allow"] = len(prog)
    op(_RET, _RET_ALLOW)
    labels["eperm"] = len(prog)
    op(_RET, _RET_ERRNO | 1)
    labels["enosys"] = len(prog)
    op(_RET, _RET_ERRNO | 38)
    labels["kill"] = len(prog)
    op(_RET, _RET_KILL_PROCESS)

    out = bytearray()
    for index, (code, jt, jf, k) in enumerate(prog):
        rel = [labels[j] - index - 1 if isinstance(j, str) else j for j in (jt, jf)]
        assert all(0 <= r <= 255 for r in rel), "seccomp jump out of range"
        out += struct.pack("=HBBI", code, rel[0], rel[1], k)
    return bytes(out)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _install_seccomp(libc: Any) -> str:
    if platform.machine() != "x86_64":
        return "unsupported architecture"
    program = _assemble()
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buffer))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"no_new_privs failed: errno {ctypes.get_errno()}"
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return f"seccomp failed: errno {ctypes.get_errno()}"
    return "on"


def _set_rlimits(limits: SandboxLimits) -> dict[str, int]:
    wanted = {
        "RLIMIT_AS": limits.memory_bytes,
        "RLIMIT_FSIZE": 0,
        "RLIMIT_CORE": 0,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_NPROC": 1,
    }
    if limits.cpu_s is not None:
        wanted["RLIMIT_CPU"] = int(limits.cpu_s)
    applied: dict[str, int] = {}
    for name, value in wanted.items():
        which = getattr(resource, name)
        try:
            resource.setrlimit(which, (value, value))
            applied[name] = value
        except (ValueError, OSError):
            continue
    return applied


def lock_down(limits: SandboxLimits) -> dict[str, Any]:
    """Apply every layer to the calling process (irreversible) and report what is in effect.

    Must run single-threaded (``unshare(CLONE_NEWUSER)`` requires it) and after every module the worker will need
    has been imported: afterwards new files cannot be created and, as ``nobody``, files under ``/root`` cannot even be read.
    """
    info: dict[str, Any] = {}
    libc = _libc()
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(
        signal.SIGXFSZ, signal.SIG_IGN
    )  # writes past RLIMIT_FSIZE fail with EFBIG instead of killing
    if limits.drop_privileges and os.geteuid() == 0:
        try:
            os.setgroups([])
            os.setresgid(_NOBODY, _NOBODY, _NOBODY)
            os.setresuid(_NOBODY, _NOBODY, _NOBODY)
        except OSError as exc:
            info["privileges"] = f"drop failed: {exc}"
    info["uid"] = os.getuid()
    if not limits.network:
        ok = libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0
        info["network_namespace"] = "on" if ok else f"unshare failed: errno {ctypes.get_errno()}"
    libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    info["rlimits"] = _set_rlimits(limits)
    info["seccomp"] = _install_seccomp(libc) if limits.seccomp else "off"
    return info
