"""``RewardSandbox``: the parent side — compiles, owns one worker process, sends batches, enforces deadlines.

Example::

    with RewardSandbox(source) as sb:
        sb.set_constants({"waypoints": waypoints, "track_length": 17.7})
        r = sb.score(params)                               # one call
        rewards = sb.score_many({"x": xs, "y": ys, ...})   # float64 array, one entry per row

Failure model: compile problems raise :class:`RewardCompileError` from the constructor, before any process
exists. A call that exceeds ``limits.timeout_s`` gets the worker SIGKILLed and raises :class:`RewardTimeout`;
a worker that dies raises :class:`WorkerCrashed`. In both cases the next call starts a fresh worker (module
state is reset, constants are re-sent). User exceptions, bad values and ``MemoryError`` keep the worker.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sandbox.errors import (
    BadRewardValue,
    RewardMemoryError,
    RewardRuntimeError,
    RewardTimeout,
    SandboxError,
    WorkerCrashed,
)
from sandbox.limits import SandboxLimits
from sandbox.policy import compile_reward, imported_roots
from sandbox.protocol import RaggedColumn, SafeUnpickler, StatusBlock, frame_message, read_message

__all__ = ["RewardSandbox"]

_CHUNK_ROWS = 1000  # rows per message; two messages are kept in flight
_START_ALLOWANCE_S = 60.0
_BOOT = "import sys; sys.path[:0] = {paths!r}; from sandbox.worker import main; main(sys.argv[1:])"
_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
_LIVE: weakref.WeakSet[RewardSandbox] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for sandbox in list(_LIVE):
        sandbox.close()


class _Process:
    """One running worker: process, pipes, status block and temp dir."""

    def __init__(
        self, popen: subprocess.Popen[bytes], req: int, resp: int, status: StatusBlock, tmp: str
    ) -> None:
        self.popen, self.req, self.resp, self.status, self.tmp = popen, req, resp, status, tmp
        self.info: dict[str, Any] = {}
        self.closed = False

    def kill(self) -> int | None:
        """SIGKILL the worker's process group, reap it, release everything; return its exit status.
        Idempotent."""
        if self.closed:
            return self.popen.returncode
        self.closed = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        try:
            code = self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        for fd in (self.req, self.resp):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.status.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return code


class _Watch:
    """Watchdog state of one request: when it started and when the call counter last moved."""

    def __init__(self, proc: _Process, call_limit: float, total_limit: float) -> None:
        self.proc, self.call_limit, self.total_limit = proc, call_limit, total_limit
        self.start = self.changed = time.monotonic()
        self.last = proc.status.read()[0]


class RewardSandbox:
    """Run one untrusted reward function in an isolated worker process.

    :param source: Python source defining ``function_name(params) -> float``.
    :param filename: name used in messages (``file:line``).
    :param limits: resource limits; defaults to :class:`SandboxLimits()` (1 s per call, 1 GiB).
    :param function_name: the function to call.
    :param preload: trusted modules imported in the worker before limits apply (needed by ``run_in_worker``).
    :raises RewardCompileError: (or :class:`ForbiddenImport`) when the source violates the policy.

    The worker starts on ``__enter__`` or on the first call, and is killed by :meth:`close`, ``__exit__``, garbage
    collection or interpreter exit. Not thread-safe: use one sandbox per thread.
    """

    def __init__(
        self,
        source: str,
        filename: str = "reward_function.py",
        limits: SandboxLimits | None = None,
        function_name: str = "reward_function",
        preload: Sequence[str] = (),
    ) -> None:
        compile_reward(source, filename)
        self.source = source
        self.filename = filename
        self.limits = limits or SandboxLimits()
        self.function_name = function_name
        self.preload: list[str] = list(preload)
        self.batch_rows = _CHUNK_ROWS
        self._roots = sorted(imported_roots(source) | {"math", "random", "numpy"})
        self._constants: dict[str, Any] = {}
        self._proc: _Process | None = None
        _LIVE.add(self)

    # -- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> RewardSandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    @property
    def isolation(self) -> dict[str, Any]:
        """What the running worker reported about its isolation (uid, namespaces, rlimits, seccomp, pid)."""
        return dict(self._proc.info) if self._proc else {}

    def start(self) -> None:
        """Start the worker if it is not running (imports, lockdown, module-level code). Idempotent."""
        if self._proc is None:
            self._proc = self._spawn()
            if self._constants:
                self._request(("constants", self._constants), self.limits.timeout_s)

    def close(self) -> None:
        """Kill the worker (if any). The sandbox can be used again; a new worker starts on demand."""
        proc, self._proc = getattr(self, "_proc", None), None
        if proc is not None:
            proc.kill()

    def restart(self) -> None:
        """Replace the worker by a fresh one (module-level state is reset; constants are kept)."""
        self.close()
        self.start()

    def _spawn(self) -> _Process:
        paths = [str(Path(p).resolve()) if p else os.getcwd() for p in sys.path]
        sandbox_root = str(Path(__file__).resolve().parents[1])
        if sandbox_root not in paths:
            paths.insert(0, sandbox_root)
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        status = StatusBlock()
        tmp = tempfile.mkdtemp(prefix="reward-sandbox-")
        os.chmod(tmp, 0o555)
        env = {name: "1" for name in _THREAD_ENV}
        env.update(PATH="/usr/bin:/bin", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        cmd = [sys.executable, "-E", "-s", "-B", "-c", _BOOT.format(paths=paths), str(req_r), str(resp_w)]
        cmd.append(str(status.fd))
        try:
            popen = subprocess.Popen(
                cmd,
                pass_fds=(req_r, resp_w, status.fd),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                cwd=tmp,
                env=env,
                start_new_session=True,
            )
        finally:
            os.close(req_r)
            os.close(resp_w)
        proc = _Process(popen, req_w, resp_r, status, tmp)
        self._proc = proc
        config = {
            "source": self.source,
            "filename": self.filename,
            "function_name": self.function_name,
            "limits": self.limits,
            "roots": self._roots,
            "preload": self.preload,
        }
        os.set_blocking(req_w, False)
        try:
            self._send(("config", config), self.limits.load_timeout_s)
            reply = self._wait(
                self.limits.load_timeout_s, _START_ALLOWANCE_S + self.limits.load_timeout_s, None
            )
        except BaseException:
            self._proc = None
            proc.kill()
            raise
        if reply[0] != "ready":
            self._proc = None
            proc.kill()
            raise self._error(reply, None)
        proc.info = reply[1]
        if popen.stderr is not None:
            popen.stderr.close()  # the worker has moved its stderr to /dev/null
        return proc

    # -- public calls ----------------------------------------------------------------------------------------
    def set_constants(self, constants: Mapping[str, Any]) -> None:
        """Values merged into every params dict (e.g. ``waypoints``, ``track_length``), sent once per worker.

        Per-call values (``score`` params, ``score_many`` columns) override constants with the same key. Constants
        are frozen in the worker: lists/arrays become tuples (shared by all calls, immutable).
        """
        self._constants = dict(constants)
        if self._proc is not None:
            self._request(("constants", self._constants), self.limits.timeout_s)

    def score(self, params: Mapping[str, Any]) -> float:
        """Call the reward function once with a copy of ``params`` merged over the constants; return the
        float."""
        self.start()
        reply = self._request(("score", dict(params)), self.limits.timeout_s, params=params)
        return float(reply)

    def score_many(
        self, columns: Mapping[str, Sequence[Any] | np.ndarray | Any], n: int | None = None
    ) -> np.ndarray:
        """Score ``n`` states given as columns; return a float64 array of length ``n``.

        :param columns: name -> per-row values (list, tuple or array whose first axis is the row; a 2-D array
            gives each row a list) or a scalar, which is broadcast to every row.
        :param n: number of rows; inferred from the columns when None (required if all values are scalars).
        :raises ValueError: columns of different lengths.
        Row ``i``'s dict is built in the worker as constants overridden by ``{name: column[i]}``; an error names
        the failing row's params dict.
        """
        per_row, scalars = {}, {}
        for name, values in columns.items():
            if (isinstance(values, np.ndarray) and values.ndim > 0) or isinstance(
                values, list | tuple | range
            ):
                per_row[name] = values
            else:
                scalars[name] = values
        lengths = {len(values) for values in per_row.values()}
        if n is None:
            if len(lengths) != 1:
                raise ValueError("score_many needs n= or at least one column, all of the same length")
            n = lengths.pop()
        elif lengths - {n}:
            raise ValueError(f"every column must have {n} rows, got lengths {sorted(lengths)}")
        out = np.empty(n, dtype=np.float64)
        self.start()
        pending: deque[tuple[int, int, dict[str, Any]]] = deque()
        failure: SandboxError | None = None
        for start in range(0, n, self.batch_rows):
            if failure is None:
                stop = min(n, start + self.batch_rows)
                chunk: dict[str, Any] = {name: values[start:stop] for name, values in per_row.items()}
                chunk.update({name: [value] * (stop - start) for name, value in scalars.items()})
                wire = {name: RaggedColumn.encode(values) or values for name, values in chunk.items()}
                self._send(
                    ("score_many", wire, stop - start),
                    self.limits.timeout_s,
                    pending[0][2] if pending else None,
                )
                pending.append((start, stop, chunk))
            while pending and (len(pending) > 1 or start + self.batch_rows >= n):
                failure = self._collect(out, *pending.popleft(), failure)
        while pending:
            failure = self._collect(out, *pending.popleft(), failure)
        if failure is not None:
            raise failure
        return out

    def _collect(
        self, out: np.ndarray, start: int, stop: int, chunk: dict[str, Any], failure: SandboxError | None
    ) -> SandboxError | None:
        """Receive one pipelined batch reply into ``out[start:stop]``; return the first failure seen."""
        if self._proc is None:  # killed while an earlier batch was in flight
            return failure
        budget = 30.0 + self.limits.timeout_s * (stop - start)
        try:
            reply = self._receive(self.limits.timeout_s, budget, chunk)
        except SandboxError as exc:
            return failure or exc
        if failure is None:
            out[start:stop] = np.frombuffer(reply, dtype=np.float64)
        return failure

    def run_in_worker(self, target: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Call trusted ``"package.module:function"`` inside the worker as ``function(reward, *args,
        **kwargs)``.

        ``reward(params) -> float`` is the checked user function (params merged over the constants, copied, result
        checked; failures raise the typed sandbox errors inside the worker — if they escape ``function`` they are
        re-raised here). The return value is pickled back and decoded accepting only builtins, numpy and classes
        from ``package``'s top-level package. Each reward call keeps its ``limits.timeout_s``; the whole run is
        limited to ``timeout`` seconds (default ``limits.run_timeout_s``).

        A module not given in ``preload`` is added to it and the worker restarted (module state reset) so it is
        imported before the limits apply.
        """
        module = target.partition(":")[0]
        if not module or ":" not in target:
            raise ValueError("target must look like 'package.module:function'")
        if module not in self.preload:
            self.preload.append(module)
            self.close()
        self.start()
        trusted = (module.split(".", 1)[0],)
        total = self.limits.run_timeout_s if timeout is None else timeout
        return self._request(("run", target, args, kwargs), self.limits.timeout_s, total, trusted=trusted)

    # -- plumbing --------------------------------------------------------------------------------------------
    def _request(
        self,
        message: tuple[Any, ...],
        call_limit: float,
        total_limit: float = float("inf"),
        rows: Any = None,
        params: Mapping[str, Any] | None = None,
        trusted: tuple[str, ...] = (),
    ) -> Any:
        self._send(message)
        return self._receive(call_limit, total_limit, rows, params, trusted)

    def _send(self, message: tuple[Any, ...], call_limit: float | None = None, rows: Any = None) -> None:
        """Write ``message`` without ever blocking past the watchdog (the worker may be stuck, not reading)."""
        proc = self._proc
        assert proc is not None
        data = memoryview(frame_message(message))
        watch = _Watch(proc, call_limit or self.limits.timeout_s, float("inf"))
        while data:
            _, writable, _ = select.select([], [proc.req], [], self._poll(watch.call_limit))
            if writable:
                try:
                    data = data[os.write(proc.req, data[: 1 << 16]) :]
                except BlockingIOError:
                    continue
                except OSError:
                    return  # the worker died; the next _receive reports it
            else:
                self._check(watch, rows, None)

    def _receive(
        self,
        call_limit: float,
        total_limit: float = float("inf"),
        rows: Any = None,
        params: Mapping[str, Any] | None = None,
        trusted: tuple[str, ...] = (),
    ) -> Any:
        reply = self._wait(call_limit, total_limit, rows, params, trusted)
        if reply[0] == "ok":
            return reply[1]
        raise self._error(reply, self._row_params(reply[3], rows, params))

    def _wait(
        self,
        call_limit: float,
        total_limit: float,
        rows: Any,
        params: Mapping[str, Any] | None = None,
        trusted: tuple[str, ...] = (),
    ) -> Any:
        """Wait for the reply; SIGKILL the worker when one reward call or the whole request runs too long."""
        proc = self._proc
        assert proc is not None
        watch = _Watch(proc, call_limit, total_limit)
        poll = self._poll(call_limit)
        while True:
            ready, _, _ = select.select([proc.resp], [], [], poll)
            if ready:
                try:
                    return read_message(proc.resp, SafeUnpickler, trusted)
                except (EOFError, OSError):
                    raise self._crashed(rows, params) from None
            self._check(watch, rows, params)

    def _poll(self, call_limit: float) -> float:
        return min(self.limits.poll_s, call_limit / 4)

    def _check(self, watch: _Watch, rows: Any, params: Mapping[str, Any] | None) -> None:
        """Kill the worker and raise RewardTimeout if a reward call or the whole request is past its limit."""
        proc = watch.proc
        now = time.monotonic()
        counter, row = proc.status.read()
        if counter != watch.last:
            watch.last, watch.changed = counter, now
        elif counter & 1 and now - watch.changed > watch.call_limit:
            self._proc = None
            proc.kill()
            where = "module-level code" if row < 0 and rows is None and params is None else "reward call"
            raise RewardTimeout(
                f"{self.filename}: {where} exceeded the {watch.call_limit:g} s time limit (worker killed)",
                self._row_params(row, rows, params),
                watch.call_limit,
            )
        if now - watch.start > watch.total_limit:
            self._proc = None
            proc.kill()
            raise RewardTimeout(
                f"{self.filename}: request exceeded {watch.total_limit:g} s (worker killed)",
                None,
                watch.total_limit,
            )

    def _crashed(self, rows: Any, params: Mapping[str, Any] | None) -> WorkerCrashed:
        proc = self._proc
        assert proc is not None
        row = proc.status.read()[1]
        stderr = b""
        if proc.popen.stderr is not None and not proc.popen.stderr.closed:
            os.set_blocking(proc.popen.stderr.fileno(), False)
            stderr = proc.popen.stderr.read(4000) or b""
        self._proc = None
        code = proc.kill()
        if code is not None and code < 0:
            how = f"was killed by {signal.Signals(-code).name}"
        else:
            how = f"exited with status {code}"
        detail = stderr.decode(errors="replace").strip().splitlines()[-1:] if stderr else []
        extra = f": {detail[0]}" if detail else ""
        return WorkerCrashed(
            f"{self.filename}: sandbox worker {how}{extra}", self._row_params(row, rows, params), code
        )

    def _row_params(
        self, row: int | None, rows: Any, params: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        """The params dict of ``row`` as user code saw it (constants overridden by the row's values)."""
        if params is not None:
            return {**self._constants, **params}
        if rows is None or row is None or row < 0:
            return None
        out = dict(self._constants)
        for name, values in rows.items():
            value = values[row]
            out[name] = value.tolist() if isinstance(value, np.ndarray | np.generic) else value
        return out

    def _error(self, reply: tuple[Any, ...], params: dict[str, Any] | None) -> SandboxError:
        _, kind, message, _row, value_repr, text, worker_params = reply
        params = worker_params if worker_params is not None else params
        if kind in ("value", "BadRewardValue"):
            return BadRewardValue(message, value_repr, params)
        if kind in ("memory", "RewardMemoryError"):
            return RewardMemoryError(message, params)
        if kind in ("runtime", "load", "RewardRuntimeError"):
            return RewardRuntimeError(message, params, text)
        return SandboxError(message, params)
