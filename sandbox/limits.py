"""Resource limits and isolation switches of one sandbox worker.

All limits apply to the worker process only, after trusted modules are imported. Times are seconds, sizes bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SandboxLimits"]


@dataclass(frozen=True)
class SandboxLimits:
    """Limits of a :class:`~sandbox.runner.RewardSandbox` worker.

    :param timeout_s: wall-clock limit of one reward call; the parent watchdog SIGKILLs the worker past it.
    :param load_timeout_s: wall-clock limit of module-level user code (run once per worker).
    :param run_timeout_s: default wall-clock limit of a whole ``run_in_worker`` call.
    :param memory_bytes: RLIMIT_AS (address space) once imports are done; ``MemoryError`` beyond it.
    :param cpu_s: hard RLIMIT_CPU of the worker's lifetime; None = unlimited. Before every request the worker
        also lowers its soft RLIMIT_CPU to the CPU time used so far + the request's budget + ``grace_s`` + 2 s,
        so even code that escaped the watchdog dies of SIGXCPU a few seconds after its deadline.
    :param open_files: RLIMIT_NOFILE (the worker already holds its pipes; new files are refused anyway).
    :param max_output_chars: characters kept from ``print`` per worker (the rest is dropped).
    :param error_chars: truncation of traceback text sent back to the parent.
    :param network: False isolates the worker in empty user+network namespaces (no interface but a down
        ``lo``).
    :param drop_privileges: when started as root, switch to uid/gid ``nobody`` (65534) after imports.
    :param seccomp: load a seccomp-bpf filter refusing fork/exec/sockets/ptrace/file writes (x86-64 only).
    :param poll_s: watchdog polling period; kills happen at most ``timeout_s + poll_s`` after a call starts.
    :param grace_s: how long a ``score``/``score_many`` worker may stay in trusted code without starting or
        finishing a reward call (decoding a request, building dicts, encoding a reply take milliseconds), and
        how long a reply may take to arrive once its first byte did (plus 1 s per 50 MB); past it the worker is
        killed. Also the slack of a single ``score`` request's total deadline (``timeout_s + 2 * grace_s``).
    :param max_reply_bytes: largest reply the parent reads from the worker by default (``run_in_worker`` takes
        a per-call ``max_reply_bytes``); bigger replies fail with :class:`~sandbox.errors.BadWorkerReply`.
    """

    timeout_s: float = 1.0
    load_timeout_s: float = 10.0
    run_timeout_s: float = 3600.0
    memory_bytes: int = 1 << 30
    cpu_s: int | None = 24 * 3600
    open_files: int = 16
    max_output_chars: int = 65536
    error_chars: int = 4000
    network: bool = False
    drop_privileges: bool = True
    seccomp: bool = True
    poll_s: float = 0.02
    grace_s: float = 1.0
    max_reply_bytes: int = 8 << 20

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.load_timeout_s <= 0 or self.run_timeout_s <= 0:
            raise ValueError("sandbox timeouts must be positive")
        if self.memory_bytes < (64 << 20):
            raise ValueError("memory_bytes below 64 MiB cannot even hold the interpreter")
        if self.grace_s <= 0 or self.max_reply_bytes < 4096:
            raise ValueError("grace_s must be positive and max_reply_bytes at least 4096")
