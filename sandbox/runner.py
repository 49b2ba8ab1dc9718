"""``RewardSandbox``: the parent side — compiles, owns one worker process, sends batches, enforces deadlines.

Example::

    with RewardSandbox(source) as sb:
        sb.set_constants({"waypoints": waypoints, "track_length": 17.7})
        r = sb.score(params)                               # one call
        rewards = sb.score_many({"x": xs, "y": ys, ...})   # float64 array, one entry per row

Failure model: compile problems raise :class:`RewardCompileError` from the constructor, before any process
exists. A call that exceeds ``limits.timeout_s`` gets the worker SIGKILLed and raises :class:`RewardTimeout`;
a worker that dies raises :class:`WorkerCrashed`, one that sends a reply the parent refuses raises
:class:`BadWorkerReply` (and is killed). In all these cases the next call starts a fresh worker (module state is
reset, constants are re-sent). User exceptions, bad values and ``MemoryError`` keep the worker.

The parent never trusts the worker: every wait on it has a deadline (writes and reads are non-blocking under the
watchdog; every request has a finite total deadline), replies are size-capped plain data decoded without any
class lookup (:mod:`sandbox.protocol`) and validated per request (:mod:`sandbox.replies`).
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
    BadWorkerReply,
    RewardMemoryError,
    RewardRuntimeError,
    RewardTimeout,
    SandboxError,
    WorkerCrashed,
)
from sandbox.limits import SandboxLimits
from sandbox.policy import compile_reward, imported_roots
from sandbox.protocol import (
    MessageReader,
    ProtocolError,
    RaggedColumn,
    StatusBlock,
    decode_reply,
    frame_message,
)
from sandbox.replies import ErrorReply, check_batch, check_error, check_ok, check_score

__all__ = ["RewardSandbox"]

_CHUNK_ROWS = 1000  # rows per message; two messages are kept in flight
_MAX_CHUNK_ROWS = 2000  # the replies of two in-flight chunks must fit in the 64 KiB pipe buffer
_REPLY_RATE = 50e6  # bytes/s a started reply must at least arrive at (plus grace_s)
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
    """Deadlines of one request, read from the status block while the parent waits.

    :param call_limit: longest stretch with the counter odd (user code running).
    :param total_limit: longest time for the whole request (always finite).
    :param idle_limit: longest stretch with the counter even and unchanged (trusted code between calls of a
        ``score``/``score_many`` request takes milliseconds); None for requests that run trusted loops.
    :param idle_after_call: apply ``idle_limit`` only once the counter has been odd (worker start: imports
        come first).
    """

    def __init__(
        self,
        proc: _Process,
        call_limit: float,
        total_limit: float,
        idle_limit: float | None = None,
        idle_after_call: bool = False,
    ) -> None:
        self.proc, self.call_limit, self.total_limit = proc, call_limit, total_limit
        self.idle_limit, self.armed = idle_limit, not idle_after_call
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
        self.batch_rows = _CHUNK_ROWS  # rows per score_many message (at most 2000 are used)
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
                self._send_constants()

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
        os.set_blocking(resp_r, False)
        limits = self.limits
        watch = _Watch(
            proc, limits.load_timeout_s, _START_ALLOWANCE_S + limits.load_timeout_s, limits.grace_s, True
        )
        try:
            self._send(("config", config), watch)
            value = check_ok(self._wait(watch, None, None, limits.max_reply_bytes), "ready")
            if type(value) is tuple:
                raise self._error(check_error(value, limits.error_chars), None)
            if type(value) is not dict:
                raise self._refuse("ready reply without an info dict")
        except BaseException:
            self._proc = None
            proc.kill()
            raise
        proc.info = value
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
            self._send_constants()

    def _send_constants(self) -> None:
        limits = self.limits
        watch = self._watch(limits.timeout_s, limits.load_timeout_s)
        if self._request(("constants", self._constants), watch) is not None:
            raise self._refuse("constants reply is not None")

    def printed(self) -> str:
        """What the user code's ``print`` wrote since the worker started or the last ``printed()`` (module-level
        code included), at most ``limits.max_output_chars`` characters; "" when no worker runs."""
        if self._proc is None:
            return ""
        limits = self.limits
        watch = self._watch(limits.timeout_s, limits.timeout_s + 2 * limits.grace_s)
        text = self._request(("printed",), watch)
        if type(text) is not str:
            raise self._refuse("printed reply is not a str")
        return text[: limits.max_output_chars]

    def score(self, params: Mapping[str, Any]) -> float:
        """Call the reward function once with a copy of ``params`` merged over the constants; return the
        float."""
        self.start()
        limits = self.limits
        watch = self._watch(limits.timeout_s, limits.timeout_s + 2 * limits.grace_s, limits.grace_s)
        reward: float = self._checked(
            check_score, self._request(("score", dict(params)), watch, params=params)
        )
        return reward

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
        step = max(1, min(self.batch_rows, _MAX_CHUNK_ROWS))
        for start in range(0, n, step):
            if failure is None:
                stop = min(n, start + step)
                chunk: dict[str, Any] = {name: values[start:stop] for name, values in per_row.items()}
                chunk.update({name: [value] * (stop - start) for name, value in scalars.items()})
                wire = {name: RaggedColumn.encode(values) or values for name, values in chunk.items()}
                watch = self._watch(
                    self.limits.timeout_s, self._batch_budget(stop - start), self.limits.grace_s
                )
                self._send(("score_many", wire, stop - start), watch, pending[0][2] if pending else None)
                pending.append((start, stop, chunk))
            while pending and (len(pending) > 1 or start + step >= n):
                failure = self._collect(out, *pending.popleft(), failure)
        while pending:
            failure = self._collect(out, *pending.popleft(), failure)
        if failure is not None:
            raise failure
        return out

    def _batch_budget(self, rows: int) -> float:
        """Total deadline of one ``score_many`` message of ``rows`` rows (seconds)."""
        return 30.0 + self.limits.timeout_s * rows

    def _collect(
        self, out: np.ndarray, start: int, stop: int, chunk: dict[str, Any], failure: SandboxError | None
    ) -> SandboxError | None:
        """Receive one pipelined batch reply into ``out[start:stop]``; return the first failure seen."""
        if self._proc is None:  # killed while an earlier batch was in flight
            return failure
        limits = self.limits
        watch = self._watch(limits.timeout_s, self._batch_budget(stop - start), limits.grace_s)
        try:
            value = self._receive(watch, chunk)
            rewards = self._checked(check_batch, value, stop - start)
        except SandboxError as exc:
            return failure or exc
        if failure is None:
            out[start:stop] = rewards
        return failure

    def run_in_worker(
        self,
        target: str,
        *args: Any,
        timeout: float | None = None,
        max_reply_bytes: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call trusted ``"package.module:function"`` inside the worker as ``function(reward, *args,
        **kwargs)``.

        ``reward(params) -> float`` is the checked user function (params merged over the constants, copied, result
        checked; failures raise the typed sandbox errors inside the worker — if they escape ``function`` they are
        re-raised here). The return value must be plain data (``float, int, bool, str, bytes, None``, lists,
        tuples, dicts with str keys; numpy numbers and numeric arrays are converted in the worker): anything else
        fails with a ``SandboxError`` naming the type. Each reward call keeps its ``limits.timeout_s``; the whole
        run is limited to ``timeout`` seconds (default ``limits.run_timeout_s``) and its reply to
        ``max_reply_bytes`` (default ``limits.max_reply_bytes``, 8 MiB; pass more for bulk results such as
        ``reward_sdk.sim.rollout:drive(keep="rows")``, about 170 bytes per step).

        A module not given in ``preload`` is added to it and the worker restarted (module state reset) so it is
        imported before the limits apply.
        """
        module = target.partition(":")[0]
        if not module or ":" not in target:
            raise ValueError("target must look like 'package.module:function'")
        total = self.limits.run_timeout_s if timeout is None else float(timeout)
        cap = self.limits.max_reply_bytes if max_reply_bytes is None else int(max_reply_bytes)
        if not total > 0 or cap < 4096:
            raise ValueError("timeout must be positive and max_reply_bytes at least 4096")
        if module not in self.preload:
            self.preload.append(module)
            self.close()
        self.start()
        watch = self._watch(self.limits.timeout_s, total)
        # the worker refuses results over ``cap`` with a readable error; the frame around them may add a little
        return self._request(("run", target, args, kwargs, total, cap), watch, max_bytes=cap + 4096)

    # -- plumbing --------------------------------------------------------------------------------------------
    def _watch(self, call_limit: float, total_limit: float, idle_limit: float | None = None) -> _Watch:
        proc = self._proc
        assert proc is not None
        return _Watch(proc, call_limit, total_limit, idle_limit)

    def _request(
        self,
        message: tuple[Any, ...],
        watch: _Watch,
        rows: Any = None,
        params: Mapping[str, Any] | None = None,
        max_bytes: int | None = None,
    ) -> Any:
        self._send(message, watch, rows)
        return self._receive(watch, rows, params, max_bytes)

    def _send(self, message: tuple[Any, ...], watch: _Watch, rows: Any = None) -> None:
        """Write ``message`` without ever blocking past the watchdog (the worker may be stuck, not reading)."""
        proc = watch.proc
        data = memoryview(frame_message(message))
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
        watch: _Watch,
        rows: Any = None,
        params: Mapping[str, Any] | None = None,
        max_bytes: int | None = None,
    ) -> Any:
        """The value of the worker's ``("ok", value)`` reply; the typed error of an error reply."""
        reply = self._wait(watch, rows, params, max_bytes or self.limits.max_reply_bytes)
        value = self._checked(check_ok, reply)
        if type(value) is not tuple or not value or value[0] != "error":
            return value
        error = self._checked(check_error, value, self.limits.error_chars)
        raise self._error(error, self._row_params(error.row, rows, params))

    def _checked(self, check: Any, *args: Any) -> Any:
        """``check(*args)``; a :class:`BadWorkerReply` kills the worker first and gets the file name."""
        try:
            return check(*args)
        except BadWorkerReply as exc:
            raise self._refuse(exc.message) from None

    def _refuse(self, what: str) -> BadWorkerReply:
        """Kill the worker for a protocol violation; the error to raise."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
        return BadWorkerReply(f"{self.filename}: {what}")

    def _wait(self, watch: _Watch, rows: Any, params: Mapping[str, Any] | None, max_bytes: int) -> Any:
        """Read and decode one reply under the watchdog (see :meth:`_check`); never blocks past a deadline."""
        proc = watch.proc
        reader = MessageReader(proc.resp, max_bytes)
        poll = self._poll(watch.call_limit)
        while True:
            ready, _, _ = select.select([proc.resp], [], [], poll)
            if ready:
                try:
                    payload = reader.feed()
                except (EOFError, OSError):
                    raise self._crashed(rows, params) from None
                except ProtocolError as exc:
                    raise self._refuse(str(exc)) from None
                if payload is not None:
                    try:
                        return decode_reply(payload)
                    except ProtocolError as exc:
                        raise self._refuse(str(exc)) from None
            self._check(watch, rows, params, reader)

    def _poll(self, call_limit: float) -> float:
        return min(self.limits.poll_s, call_limit / 4)

    def _check(
        self, watch: _Watch, rows: Any, params: Mapping[str, Any] | None, reader: MessageReader | None = None
    ) -> None:
        """Kill the worker and raise when a deadline of the request has passed:

        :class:`RewardTimeout` when user code ran past the call limit (counter odd), the worker stayed in
        trusted code past the idle limit, or the whole request past its total limit; :class:`BadWorkerReply`
        when a started reply did not complete within ``grace_s`` (+1 s per 50 MB).
        """
        proc = watch.proc
        now = time.monotonic()
        counter, row = proc.status.read()
        if counter != watch.last:
            watch.last, watch.changed = counter, now
            watch.armed = watch.armed or bool(counter & 1)
        elif counter & 1 and now - watch.changed > watch.call_limit:
            self._proc = None
            proc.kill()
            where = "module-level code" if row < 0 and rows is None and params is None else "reward call"
            raise RewardTimeout(
                f"{self.filename}: {where} exceeded the {watch.call_limit:g} s time limit (worker killed)",
                self._row_params(row, rows, params),
                watch.call_limit,
            )
        started = reader.started if reader is not None else None
        if started is not None:
            assert reader is not None
            allowed = self.limits.grace_s + (reader.size or 0) / _REPLY_RATE
            if now - started > allowed:
                raise self._refuse(f"reply incomplete {allowed:g} s after its first byte (worker killed)")
        elif (
            not counter & 1
            and watch.armed
            and watch.idle_limit is not None
            and now - watch.changed > watch.idle_limit
        ):
            self._proc = None
            proc.kill()
            raise RewardTimeout(
                f"{self.filename}: worker stalled {watch.idle_limit:g} s between reward calls (user objects "
                "released or converted outside the call?); worker killed",
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

    def _error(self, reply: ErrorReply, params: dict[str, Any] | None) -> SandboxError:
        params = reply.params if reply.params is not None else params
        kind, message = reply.kind, reply.message
        if kind in ("value", "BadRewardValue"):
            return BadRewardValue(message, reply.value_repr, params)
        if kind in ("memory", "RewardMemoryError"):
            return RewardMemoryError(message, params)
        if kind in ("runtime", "load", "RewardRuntimeError"):
            return RewardRuntimeError(message, params, reply.text)
        return SandboxError(message, params)
