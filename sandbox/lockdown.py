"""Process-level isolation applied by the worker to itself, after trusted imports and before user code runs.

Layers, in order (each best-effort; :func:`lock_down` reports what is actually in effect):

1. Namespaces: new mount and IPC namespaces and (unless ``limits.network``) an empty network namespace (no interface
   up; connecting anywhere fails with ENETUNREACH). As root no user namespace is needed; otherwise one mapping the
   caller's own uid/gid comes first. SysV IPC objects die with the IPC namespace.
2. Minimal read-only file system: a tmpfs root holding read-only binds of the standard library, the directories of
   the imported packages (numpy, scipy, shapely, RestrictedPython, ``sandbox``, preloaded project packages...),
   their ``.libs`` siblings, the shared-library directories and ``/dev/{null,zero,urandom}``; ``pivot_root`` into
   it and the old root is detached. No ``/proc`` (of any process), ``/tmp``, ``/home``, ``/root`` or checkout.
3. When running as root: drop to uid/gid ``nobody`` (65534), no supplementary groups. Makes RLIMIT_NPROC effective
   (the kernel exempts root from it). Otherwise the user namespace's capabilities are dropped.
4. ``PR_SET_PDEATHSIG=SIGKILL`` — armed only now, because every credential change above clears it — then a check
   that the parent did not die in between (the process exits at once if it did); ``PR_SET_DUMPABLE=0``.
5. ``setrlimit``: RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE=0, RLIMIT_NOFILE, RLIMIT_CORE=0, RLIMIT_NPROC=1.
6. seccomp-bpf (x86-64 only, built by hand, no library needed): refuses with EPERM process creation
   (fork/vfork/execve/execveat, clone without CLONE_THREAD), sockets, ptrace/process_vm_*/pidfd_*/kcmp,
   mount/namespace calls, kernel-module and keyring calls, filesystem mutation
   (unlink/rename/mkdir/chmod/chown/link/truncate...), ``open``/``openat`` with write/create/truncate flags,
   SysV IPC and POSIX message queues, ``flock`` and the ``fcntl`` lock/lease/notify/owner commands, SIGIO-owner
   and TIOCSTI ioctls, setpriority/ioprio_set/migrate_pages/move_pages, and ``prctl`` changes of the parent-death
   signal, dumpability and ptracer. kill/tkill/tgkill/rt_(tg)sigqueueinfo are allowed only towards the worker's own
   pid (so never ``kill(0)``/``kill(-1)`` or a sibling worker of the same uid); prlimit64/sched_set* only for pid 0
   or the worker itself. ``clone3``/``openat2`` return ENOSYS (glibc falls back); foreign-ABI (i386/x32) syscalls
   kill the process.
"""

from __future__ import annotations

import ctypes
import os
import platform
import re
import resource
import signal
import struct
import sys
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
_CLONE_NEWNS = 0x00020000
_CLONE_NEWIPC = 0x08000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT = 1, 2, 4, 8, 32
_MS_NOATIME, _MS_NODIRATIME, _MS_BIND, _MS_REC, _MS_PRIVATE, _MS_RELATIME = (
    1024,
    2048,
    4096,
    16384,
    1 << 18,
    1 << 21,
)
_ST_RELATIME = 4096
_MNT_DETACH = 2
_SYS_PIVOT_ROOT = 155
_SHARED_OBJECT = re.compile(r"\.so(\.\d+)*$")  # libc.so.6, x.cpython-311-x86_64-linux-gnu.so
_CAP_VERSION_3 = 0x20080522
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
    *(41, 42, 43, 49, 50, 53, 288),  # socket connect accept bind listen socketpair accept4
    *(57, 58, 59, 322),  # fork vfork execve execveat
    *(
        101,
        310,
        311,
        424,
        434,
        438,
        440,
        448,
        312,
    ),  # ptrace process_vm_* pidfd_* process_madvise/mrelease kcmp
    *(76, 77, 82, 83, 84, 85, 86, 87, 88, 90, 91, 92, 93, 94, 133),  # truncate..mknod
    *(258, 259, 260, 263, 264, 265, 266, 268, 316),  # *at variants, renameat2
    *(
        135,
        155,
        161,
        165,
        166,
        167,
        168,
        169,
        170,
        171,
    ),  # personality pivot_root chroot mount ... setdomainname
    *(
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
        323,
    ),  # modules kexec keys unshare bpf ...
    *(425, 426, 427, 428, 429, 430, 431, 432, 442),  # io_uring, new mount API
    *(29, 30, 31, 67, 64, 65, 66, 220, 68, 69, 70, 71),  # SysV shm*, sem*, msg*
    *(240, 241, 242, 243, 244, 245),  # POSIX message queues
    *(73, 141, 251, 256, 279, 274),  # flock setpriority ioprio_set migrate_pages move_pages get_robust_list
)
_DENY_ENOSYS = (435, 437)  # clone3, openat2
_CLONE, _OPEN, _OPENAT = 56, 2, 257
# Signals: allowed only when args[0] (pid / tgid / tid) is the worker itself; kill(0)/kill(-pgid) are refused.
_SELF_ONLY = (62, 200, 129, 234, 297)  # kill tkill rt_sigqueueinfo tgkill rt_tgsigqueueinfo
# Calls acting on a pid given in args[0] (0 = the caller): refused for any other process (same uid or not).
_SELF_OR_ZERO = (
    302,
    203,
    142,
    144,
    314,
)  # prlimit64 sched_setaffinity sched_setparam sched_setscheduler/attr
# Commands refused for fcntl (args[1]): record/OFD locks, leases, dnotify, signal owner (SIGIO to another pid).
_FCNTL, _FCNTL_DENY = 72, (5, 6, 7, 36, 37, 38, 1024, 1026, 8, 10, 15)
# ioctl requests refused (args[1]): FIOSETOWN, SIOCSPGRP (SIGIO owner), TIOCSTI (terminal input injection).
_IOCTL, _IOCTL_DENY = 16, (0x8901, 0x8902, 0x5412)
# prctl options refused (args[0]): PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_PTRACER — the layers stay as set.
_PRCTL, _PRCTL_DENY = 157, (1, 4, 0x59616D61)


def _assemble(pid: int) -> bytes:
    """Build the seccomp program for the process ``pid``; jump targets are labels resolved to relative offsets."""
    prog: list[tuple[int, Any, Any, int]] = []
    labels: dict[str, int] = {}

    def op(code: int, k: int, jt: Any = 0, jf: Any = 0) -> None:
        prog.append((code, jt, jf, k))

    def refuse(offset: int, values: tuple[int, ...]) -> None:
        op(_LD_ABS, offset)
        for value in values:
            op(_JEQ, value, "eperm", 0)
        op(_RET, _RET_ALLOW)

    op(_LD_ABS, 4)  # seccomp_data.arch
    op(_JEQ, _AUDIT_ARCH_X86_64, 0, "kill")
    op(_LD_ABS, 0)  # seccomp_data.nr
    op(_JGE, _X32_BIT, "kill", 0)
    for nr in _DENY_EPERM:
        op(_JEQ, nr, "eperm", 0)
    for nr in _DENY_ENOSYS:
        op(_JEQ, nr, "enosys", 0)
    for nr in _SELF_ONLY:
        op(_JEQ, nr, "self", 0)
    for nr in _SELF_OR_ZERO:
        op(_JEQ, nr, "self_or_zero", 0)
    for nr, label in ((_CLONE, "clone"), (_OPEN, "open"), (_OPENAT, "openat"), (_FCNTL, "fcntl")):
        op(_JEQ, nr, label, 0)
    op(_JEQ, _IOCTL, "ioctl", 0)
    op(_JEQ, _PRCTL, "prctl", 0)
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
    labels["self_or_zero"] = len(prog)
    op(_LD_ABS, 16)  # args[0] low word: pid (the kernel reads an int)
    op(_JEQ, 0, "allow", 0)
    op(_JEQ, pid, "allow", "eperm")
    labels["self"] = len(prog)
    op(_LD_ABS, 16)
    op(_JEQ, pid, "allow", "eperm")
    labels["fcntl"] = len(prog)
    refuse(24, _FCNTL_DENY)  # args[1]: command
    labels["ioctl"] = len(prog)
    refuse(24, _IOCTL_DENY)  # args[1]: request (the kernel reads an unsigned int)
    labels["prctl"] = len(prog)
    refuse(16, _PRCTL_DENY)  # args[0]: option
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
        if not all(0 <= r <= 255 for r in rel):
            raise ValueError("seccomp jump out of range")
        out += struct.pack("=HBBI", code, rel[0], rel[1], k)
    return bytes(out)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _install_seccomp(libc: Any) -> str:
    if platform.machine() != "x86_64":
        return "unsupported architecture"
    program = _assemble(os.getpid())
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


def _unshare(libc: Any, limits: SandboxLimits) -> dict[str, str]:
    """Enter new mount, IPC and (unless ``limits.network``) network namespaces, one at a time.

    As root this needs no user namespace (the uid drop comes later); otherwise a user namespace mapping the
    caller's own uid/gid is entered first (it gives the capabilities the mounts need; they are dropped later).
    Returns ``layer name -> "on" | "unshare failed: ..."``.
    """
    wanted = {"mount_namespace": _CLONE_NEWNS, "ipc_namespace": _CLONE_NEWIPC}
    if not limits.network:
        wanted["network_namespace"] = _CLONE_NEWNET
    if os.geteuid() != 0:
        uid, gid = os.geteuid(), os.getegid()
        if libc.unshare(_CLONE_NEWUSER) != 0:
            return dict.fromkeys(wanted, f"user namespace failed: errno {ctypes.get_errno()}")
        try:
            for name, text in (
                ("setgroups", "deny"),
                ("uid_map", f"{uid} {uid} 1"),
                ("gid_map", f"{gid} {gid} 1"),
            ):
                with open(f"/proc/self/{name}", "w") as handle:
                    handle.write(text)
        except OSError as exc:
            return dict.fromkeys(wanted, f"user namespace mapping failed: {exc}")
    status = {}
    for name, flag in wanted.items():
        status[name] = "on" if libc.unshare(flag) == 0 else f"unshare failed: errno {ctypes.get_errno()}"
    return status


def _view_paths() -> list[str]:
    """Absolute paths (directories or files) the worker still needs to read once locked down.

    The standard library, the directory (or file) of every imported top-level module that is not built in — with
    its wheel's ``<package>.libs`` sibling of bundled shared libraries — the directories of every mapped shared
    library (for lazily loaded extension modules), the dynamic loader's cache and ``/dev/{null,zero,urandom}``.
    Nested paths are reduced to their outermost directory.
    """
    wanted = {os.path.dirname(os.__file__), "/etc/ld.so.cache", "/dev/null", "/dev/zero", "/dev/urandom"}
    for name in {name.partition(".")[0] for name in list(sys.modules)}:
        module = sys.modules.get(name)
        locations = list(getattr(module, "__path__", None) or [getattr(module, "__file__", None) or ""])
        for location in locations:
            if location.startswith("/"):
                wanted.add(location)
                if os.path.isdir(location + ".libs"):
                    wanted.add(location + ".libs")
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split(maxsplit=5)
                path = fields[5].strip() if len(fields) == 6 else ""
                if path.startswith("/") and _SHARED_OBJECT.search(path):
                    wanted.add(os.path.dirname(path))
    except OSError:
        pass
    kept: set[str] = set()
    for path in sorted({os.path.abspath(path) for path in wanted if os.path.exists(path)}, key=len):
        parts = path.split("/")
        if not any("/".join(parts[:end]) in kept for end in range(2, len(parts))):
            kept.add(path)
    return sorted(kept)


def _mount(
    libc: Any, source: str | None, target: str, fstype: str | None, flags: int, data: str = ""
) -> None:
    args = [None if value is None else value.encode() for value in (source, target, fstype, data or None)]
    if libc.mount(args[0], args[1], args[2], ctypes.c_ulong(flags), args[3]) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source or fstype} on {target}: {os.strerror(errno)}")


def _pivot_to_minimal_root(libc: Any, paths: list[str]) -> str:
    """Replace the file system view by a read-only tmpfs holding read-only binds of ``paths`` only.

    Runs inside a fresh mount namespace with capabilities over it. Each path is bound at its own absolute location
    (so module ``__file__``/``__path__`` stay valid); the root's symbolic links (``/lib -> usr/lib``...) are
    copied. There is no ``/proc``, ``/tmp``, home or checkout beyond the bound package directories. A path that
    cannot be bound is skipped (counted in the result). Returns ``"on (N paths)"``; raises ``OSError`` if the
    switch itself fails (the old root then stays visible: the caller reports it).
    """
    _mount(libc, None, "/", None, _MS_REC | _MS_PRIVATE)
    sources = []
    for path in paths:  # opened before the tmpfs may hide them (a checkout under /tmp)
        try:
            sources.append((path, os.open(path, os.O_PATH | os.O_CLOEXEC), os.statvfs(path).f_flag))
        except OSError:
            continue
    root = "/tmp" if os.path.isdir("/tmp") else "/mnt"
    _mount(libc, "sandbox-root", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=1m")
    bound = skipped = 0
    try:
        top = {path.split("/")[1] for path, _fd, _flags in sources}
        for entry in os.listdir("/"):
            if entry not in top and os.path.islink("/" + entry):
                os.symlink(os.readlink("/" + entry), f"{root}/{entry}")
        for path, fd, flags in sources:
            target = root + path
            try:
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.makedirs(target, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o444))
                _mount(libc, f"/proc/self/fd/{fd}", target, None, _MS_BIND | _MS_REC)
            except OSError:
                skipped += 1
                continue
            keep = flags & (_MS_NOSUID | _MS_NODEV | _MS_NOEXEC | _MS_NOATIME | _MS_NODIRATIME)
            keep |= _MS_RELATIME if flags & _ST_RELATIME else 0  # statvfs and mount(2) disagree on this bit
            try:
                _mount(libc, None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | keep)
                bound += 1
            except OSError:  # never leave a writable bind behind
                libc.umount2(target.encode(), _MNT_DETACH)
                skipped += 1
    finally:
        for _path, fd, _flags in sources:
            os.close(fd)
    os.mkdir(root + "/.old")
    if libc.syscall(_SYS_PIVOT_ROOT, root.encode(), (root + "/.old").encode()) != 0:
        raise OSError(ctypes.get_errno(), "pivot_root failed")
    os.chdir("/")
    if libc.umount2(b"/.old", _MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), "detaching the old root failed")
    os.rmdir("/.old")
    _mount(libc, None, "/", None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    return f"on ({bound} paths)" + (f", {skipped} skipped" if skipped else "")


def _drop_capabilities(libc: Any) -> str:
    """Clear the effective, permitted and inheritable capability sets; return ``"none"`` or what is left."""
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capget(header, data) == 0 and any(data):
        libc.capset(header, (ctypes.c_uint32 * 6)())
    if libc.capget(header, data) != 0:
        return f"capget failed: errno {ctypes.get_errno()}"
    effective = data[0] | data[3] << 32
    return "none" if not effective else f"effective {effective:#x}"


def lock_down(limits: SandboxLimits) -> dict[str, Any]:
    """Apply every layer to the calling process (irreversible) and report what is in effect.

    Must run single-threaded (``unshare`` requires it) and after every module the worker will need has been
    imported: afterwards only the standard library, the imported packages' directories and the shared-library
    directories are visible, read-only. Returns ``layer -> status``: ``mount_namespace``/``ipc_namespace``/
    ``network_namespace`` (``"on"`` or why not), ``filesystem`` (``"on (N paths)"`` or why not), ``privileges``,
    ``uid``, ``capabilities`` (``"none"`` when all are dropped), ``parent_death_signal``, ``rlimits``, ``seccomp``.
    A layer that cannot be set up is reported and the others still apply. If the parent has already died when the
    parent-death signal is armed, the process exits at once (status 1).
    """
    info: dict[str, Any] = {}
    parent = os.getppid()
    libc = _libc()
    signal.signal(
        signal.SIGXFSZ, signal.SIG_IGN
    )  # writes past RLIMIT_FSIZE fail with EFBIG instead of killing
    paths = _view_paths()
    info.update(_unshare(libc, limits))
    if info["mount_namespace"] == "on":
        try:
            info["filesystem"] = _pivot_to_minimal_root(libc, paths)
        except OSError as exc:
            info["filesystem"] = f"failed: {exc}"
    else:
        info["filesystem"] = "off: no mount namespace"
    info["privileges"] = "kept" if os.geteuid() != 0 else "root"
    if limits.drop_privileges and os.geteuid() == 0:
        try:  # clears every capability and the parent-death signal (re-armed below)
            os.setgroups([])
            os.setresgid(_NOBODY, _NOBODY, _NOBODY)
            os.setresuid(_NOBODY, _NOBODY, _NOBODY)
            info["privileges"] = "nobody"
        except OSError as exc:
            info["privileges"] = f"drop failed: {exc}"
    info["uid"] = os.getuid()
    if os.getuid() != 0:
        info["capabilities"] = _drop_capabilities(libc)
    else:
        info["capabilities"] = "kept (root, drop_privileges off or failed)"
    # Credential changes above reset the parent-death signal: arm it only now, then close the race with a parent
    # that died before it was armed (the worker has been re-parented by then).
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        info["parent_death_signal"] = f"failed: errno {ctypes.get_errno()}"
    else:
        info["parent_death_signal"] = "on"
    if os.getppid() != parent:
        os._exit(1)
    libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    info["rlimits"] = _set_rlimits(limits)
    info["seccomp"] = _install_seccomp(libc) if limits.seccomp else "off"
    return info
