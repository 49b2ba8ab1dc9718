"""The parent never trusts the worker: forged replies, fed over real pipes to the parent's reading code and, at the
runner level, sent by a fake worker process that replaces the real one.

A reply may only be plain data (no class lookup while decoding), within the size cap, nesting and item bounds, and
arrive within its deadline; a score must be a finite float within [-1e5, 1e5]. Anything else is a typed
:class:`BadWorkerReply` (the worker is killed), never a hang, a wrong number, a written file or a crash.
"""

from __future__ import annotations

import copyreg
import os
import pickle
import select
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sandbox.runner as runner
from sandbox import (
    BadWorkerReply,
    RewardRuntimeError,
    RewardSandbox,
    RewardTimeout,
    SandboxError,
    SandboxLimits,
    WorkerCrashed,
)
from sandbox.protocol import MessageReader, ProtocolError, check_plain, decode_reply
from sandbox.replies import check_batch

HEADER = struct.Struct("<Q")
LIMITS = SandboxLimits(timeout_s=0.5, grace_s=0.5, load_timeout_s=2.0, cpu_s=60)
# A forged reply must be refused within the request's deadline: timeout + 2 * grace (+ polling, start-up slack).
BOUND_S = LIMITS.timeout_s + 2 * LIMITS.grace_s + 1.0


class _WriteFile:
    """Pickles as a call of ``reward_sdk.atomic.write_text_atomic(path, "forged")`` (what a compromised worker
    could send: the old decoder allowed any top-level function of a trusted package)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        from reward_sdk.atomic import write_text_atomic

        return (write_text_atomic, (self.path, "forged"))


def _frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def _deep_list_pickle(depth: int, tag: str = "ok") -> bytes:
    """``(tag, [[[...]]])`` nested ``depth`` deep, written with opcodes (pickle.dumps would recurse)."""
    head = b"\x80\x05\x8c" + bytes([len(tag)]) + tag.encode()
    return head + b"]" * depth + b"a" * (depth - 1) + b"\x86."


def _object_dtype_array() -> bytes:
    """A pickled float64 array whose dtype is rewritten to object: its data bytes would become pointers."""
    payload = pickle.dumps(("ok", np.array([1.5, 2.5])), protocol=5)
    assert payload.count(b"f8") == 1
    return payload.replace(b"f8", b"O8")


class _Pipe:
    """A real pipe: the parent's non-blocking read end and a write end fed by threads (data may exceed the pipe
    buffer). ``close`` closes the read end first, so blocked writers fail and their threads end."""

    def __init__(self) -> None:
        self.read, self.write = os.pipe()
        os.set_blocking(self.read, False)
        self.write_open = True
        self.threads: list[threading.Thread] = []

    def feed(self, data: bytes, close: bool = True) -> None:
        """Write ``data`` from a thread; with ``close`` the reader sees EOF once it is all written."""
        fd = os.dup(self.write)
        if close:
            os.close(self.write)
            self.write_open = False

        def run() -> None:
            view = memoryview(data)
            try:
                while view:
                    view = view[os.write(fd, view) :]
            except OSError:
                pass
            finally:
                os.close(fd)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def close(self) -> None:
        os.close(self.read)
        for thread in self.threads:
            thread.join(5.0)
        if self.write_open:
            os.close(self.write)


@pytest.fixture()
def pipe() -> Iterator[_Pipe]:
    channel = _Pipe()
    yield channel
    channel.close()


def _read(read_fd: int, max_bytes: int = 1 << 20, timeout: float = 5.0) -> Any:
    """The parent's reading loop in miniature: select + :class:`MessageReader` with a deadline, then decode."""
    reader = MessageReader(read_fd, max_bytes)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(
                f"no complete reply (started={reader.started is not None}, size={reader.size})"
            )
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if ready:
            payload = reader.feed()
            if payload is not None:
                return decode_reply(payload)


# -- the decoder, over a real pipe ----------------------------------------------------------------------------
def test_plain_data_round_trips(pipe: _Pipe) -> None:
    value = ("ok", {"a": [1.0, -2, True, None, "x", b"\x00\x01", (3, 4.5)], "b": {"c": [[1], [2]]}})
    pipe.feed(_frame(pickle.dumps(value, protocol=5)))
    assert _read(pipe.read) == value


def test_forged_pickle_calling_a_reward_sdk_function_is_refused(pipe: _Pipe, tmp_path: Path) -> None:
    target = tmp_path / "written_by_forged_reply.txt"
    pipe.feed(_frame(pickle.dumps(("ok", _WriteFile(str(target))), protocol=5)))
    with pytest.raises(ProtocolError, match="plain data"):
        _read(pipe.read)
    assert not target.exists()


def test_numpy_reconstruction_and_object_dtype_are_refused(pipe: _Pipe) -> None:
    pipe.feed(_frame(_object_dtype_array()) + _frame(pickle.dumps(("ok", np.float64(31337.0)))))
    with pytest.raises(ProtocolError):
        _read(pipe.read)
    with pytest.raises(ProtocolError):
        _read(pipe.read)


def test_extension_registry_and_persistent_ids_are_refused(pipe: _Pipe) -> None:
    copyreg.add_extension("os", "system", 0x7A)
    try:
        ext = b"\x80\x02\x82\x7a(\x8c\x04trueo."  # EXT1 0x7a, then OBJ: os.system("true") if looked up
        pipe.feed(_frame(ext) + _frame(b"\x80\x02\x8c\x01xQ."), close=False)
        with pytest.raises(ProtocolError):
            _read(pipe.read)
        with pytest.raises(ProtocolError, match="persistent"):
            _read(pipe.read)
    finally:
        copyreg.remove_extension("os", "system", 0x7A)


def test_one_gib_length_header_is_refused_before_reading(pipe: _Pipe) -> None:
    os.write(pipe.write, HEADER.pack(1 << 30) + b"x" * 100)  # and then nothing: the pipe stays open
    start = time.monotonic()
    with pytest.raises(ProtocolError, match="over the"):
        _read(pipe.read, max_bytes=8 << 20)
    assert time.monotonic() - start < 1.0


def test_half_sent_message_then_silence_hits_the_deadline(pipe: _Pipe) -> None:
    os.write(pipe.write, HEADER.pack(100) + b"\x80\x05" + b"x" * 8)  # 10 of 100 bytes, pipe left open
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="started=True"):
        _read(pipe.read, timeout=0.5)
    assert time.monotonic() - start < 1.5


def test_eof_mid_message_is_an_eof(pipe: _Pipe) -> None:
    pipe.feed(HEADER.pack(100) + b"abc")
    with pytest.raises(EOFError):
        _read(pipe.read)


def test_reader_never_consumes_the_next_message(pipe: _Pipe) -> None:
    first, second = ("ok", 1.0), ("ok", 2.0)
    pipe.feed(_frame(pickle.dumps(first)) + _frame(pickle.dumps(second)))
    assert _read(pipe.read) == first
    assert _read(pipe.read) == second


def test_deeply_nested_list_is_refused(pipe: _Pipe) -> None:
    pipe.feed(_frame(_deep_list_pickle(100_000)))
    with pytest.raises(ProtocolError, match="nested"):
        _read(pipe.read)


def test_reply_bigger_than_the_cap_is_refused(pipe: _Pipe) -> None:
    payload = pickle.dumps(("ok", "y" * (9 << 20)), protocol=5)
    pipe.feed(_frame(payload))
    with pytest.raises(ProtocolError, match="cap"):
        _read(pipe.read, max_bytes=8 << 20)


def test_nan_reward_in_a_score_many_reply_is_a_typed_error(pipe: _Pipe) -> None:
    rewards = np.array([1.0, np.nan, 2.0]).tobytes()
    pipe.feed(_frame(pickle.dumps(("ok", rewards), protocol=5)))
    tag, value = _read(pipe.read)
    assert tag == "ok"
    with pytest.raises(BadWorkerReply):
        check_batch(value, 3)
    with pytest.raises(BadWorkerReply):
        check_batch(np.array([1.0, 2e5, 0.0]).tobytes(), 3)
    with pytest.raises(BadWorkerReply):
        check_batch(value, 4)  # wrong length
    assert check_batch(np.array([1.0, -1e5, 0.0]).tobytes(), 3).tolist() == [1.0, -1e5, 0.0]


def test_shared_references_and_cycles_are_bounded() -> None:
    level: Any = [0.0] * 64
    for _ in range(8):  # 64**8 paths through 8 shared lists: must stop at the item budget, not walk them
        level = [level] * 64
    start = time.monotonic()
    with pytest.raises(ProtocolError, match="items"):
        check_plain(level, max_items=1 << 16)
    assert time.monotonic() - start < 1.0
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ProtocolError, match="nested"):
        check_plain(cycle)


@pytest.mark.parametrize(
    "value",
    [1 << 64, {1: "x"}, {"a": {2.0: 1}}, [1.0, 2, object()], np.float64(1.0), {1, 2}, bytearray(b"x")],
)
def test_non_plain_values_are_refused(value: Any) -> None:
    with pytest.raises(ProtocolError):
        check_plain(value)


# -- runner level: a fake worker process sends the forged replies ------------------------------------------------
def fake_main(argv: list[str]) -> None:
    """Stand-in for :func:`sandbox.worker.main`: answers "ready", then every request with the reply forged by the
    mode named in the config's ``filename``; the marker path comes from the source's first-line comment."""
    req_fd, resp_fd = int(argv[0]), int(argv[1])
    config = _read_request(req_fd)[1]
    mode, marker = config["filename"], config["source"].splitlines()[0][2:]
    os.write(resp_fd, _frame(pickle.dumps(("ready", {"pid": os.getpid()}), protocol=5)))
    while True:
        request = _read_request(req_fd)
        if request is None:
            return
        if mode == "toggle":  # looks busy forever: the counter moves, no reply ever comes
            _toggle_counter(int(argv[2]), 10.0)
            return
        os.write(resp_fd, _forged(mode, marker, request))
        if mode in ("huge_header", "half_sent"):
            time.sleep(10.0)  # silence, then EOF (the old parent blocked until then)
            return


def _toggle_counter(status_fd: int, seconds: float) -> None:
    """Flip the status counter between odd and even every 50 ms for ``seconds`` (a call that never ends but
    never looks stuck either)."""
    from sandbox.protocol import StatusBlock

    words = StatusBlock(status_fd).words
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        words[0] += 1
        time.sleep(0.05)


def _read_request(fd: int) -> Any:
    data = b""
    while len(data) < HEADER.size:
        chunk = os.read(fd, HEADER.size - len(data))
        if not chunk:
            return None
        data += chunk
    (size,) = HEADER.unpack(data)
    body = b""
    while len(body) < size:
        body += os.read(fd, size - len(body))
    return pickle.loads(body)


def _forged(mode: str, marker: str, request: tuple[Any, ...]) -> bytes:
    if mode == "pickle_call":
        return _frame(pickle.dumps(("ok", _WriteFile(marker)), protocol=5))
    if mode == "huge_header":
        return HEADER.pack(1 << 30) + b"\x80\x05"
    if mode == "half_sent":
        return HEADER.pack(100) + b"\x80\x05" + b"x" * 8
    if mode == "deep":
        return _frame(_deep_list_pickle(100_000))
    if mode == "nan_score":
        if request[0] == "score_many":
            return _frame(pickle.dumps(("ok", np.full(request[2], np.nan).tobytes())))
        return _frame(pickle.dumps(("ok", float("nan"))))
    if mode == "big_score":
        return _frame(pickle.dumps(("ok", 31337e10)))
    if mode == "over_cap":
        return _frame(pickle.dumps(("ok", "z" * (9 << 20)), protocol=5))
    if mode == "error_flood":
        text = "E" * (5 << 20)
        return _frame(pickle.dumps(("error", "runtime", text, 0, text, text, None), protocol=5))
    raise AssertionError(mode)


@pytest.fixture()
def fake_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    boot = runner._BOOT.replace(
        "from sandbox.worker import main", "from tests.sandbox.test_protocol import fake_main as main"
    )
    assert boot != runner._BOOT
    monkeypatch.setattr(runner, "_BOOT", boot)


def _sandbox(mode: str, marker: Path) -> RewardSandbox:
    source = f"# {marker}\ndef reward_function(params):\n    return 1.0\n"
    return RewardSandbox(source, filename=mode, limits=LIMITS)


def _outcome(mode: str, marker: Path, call: str) -> tuple[BaseException, float]:
    with _sandbox(mode, marker) as sb:
        start = time.monotonic()
        with pytest.raises(SandboxError) as info:
            if call == "score":
                sb.score({"x": 1.0})
            elif call == "score_many":
                sb.score_many({"x": [1.0, 2.0, 3.0]})
            else:
                # a reward_sdk target: the old decoder trusted every top-level function of the target's package
                sb.run_in_worker("reward_sdk.sim.rollout:step_rate", None, None, 1, timeout=5.0)
        elapsed = time.monotonic() - start
        pid = sb.isolation.get("pid")
    assert pid is None or not _alive(pid), "worker left running"
    return info.value, elapsed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(
    ("mode", "call"),
    [
        ("pickle_call", "score"),
        ("pickle_call", "run"),
        ("huge_header", "score"),
        ("half_sent", "score"),
        ("half_sent", "run"),
        ("deep", "run"),
        ("nan_score", "score"),
        ("nan_score", "score_many"),
        ("big_score", "score"),
        ("over_cap", "run"),
    ],
)
def test_fake_worker_forgeries_are_typed_errors_within_the_deadline(
    fake_worker: None, tmp_path: Path, mode: str, call: str
) -> None:
    marker = tmp_path / "forged_reply_marker.txt"
    error, elapsed = _outcome(mode, marker, call)
    assert isinstance(error, BadWorkerReply), repr(error)
    assert isinstance(error, WorkerCrashed)  # callers that handle a dead worker handle this one too
    assert elapsed < BOUND_S, f"parent waited {elapsed:.1f} s"
    assert not marker.exists(), "a forged reply made the parent write a file"
    assert mode in str(error)


def test_a_single_score_has_a_finite_total_deadline(fake_worker: None, tmp_path: Path) -> None:
    error, elapsed = _outcome("toggle", tmp_path / "m", "score")
    assert isinstance(error, RewardTimeout), repr(error)
    assert elapsed < BOUND_S, f"parent waited {elapsed:.1f} s"


def test_fake_worker_error_texts_are_truncated_in_the_parent(fake_worker: None, tmp_path: Path) -> None:
    error, elapsed = _outcome("error_flood", tmp_path / "m", "score")
    assert isinstance(error, RewardRuntimeError)
    assert len(str(error)) <= 500
    assert len(error.traceback_text) <= LIMITS.error_chars
    assert elapsed < BOUND_S


def test_real_worker_rejects_non_plain_run_results() -> None:
    with RewardSandbox("def reward_function(params):\n    return 1.0\n") as sb:
        with pytest.raises(SandboxError, match="not plain data"):
            sb.run_in_worker("tests.sandbox.test_protocol:return_object")
        assert sb.run_in_worker("tests.sandbox.test_protocol:return_numpy") == {
            "a": 1.5,
            "b": [1.0, 2.0],
            "c": 3,
        }
        with pytest.raises(SandboxError, match="reply cap"):
            sb.run_in_worker("tests.sandbox.test_protocol:return_bytes", 20_000, max_reply_bytes=10_000)
        assert (
            len(sb.run_in_worker("tests.sandbox.test_protocol:return_bytes", 20_000, max_reply_bytes=30_000))
            == 20_000
        )
        assert sb.score({}) == 1.0  # the worker survived all of it


def return_object(reward: Any) -> Any:
    """Worker side: a non-plain result."""
    return {"x": object()}


def return_numpy(reward: Any) -> Any:
    """Worker side: numpy numbers and arrays, converted to plain data by the worker."""
    return {"a": np.float64(1.5), "b": np.array([1.0, 2.0]), "c": np.int64(3)}


def return_bytes(reward: Any, size: int) -> bytes:
    """Worker side: ``size`` bytes."""
    return b"r" * size


def test_fake_worker_harness_replaces_the_worker(fake_worker: None, tmp_path: Path) -> None:
    """Sanity check of the harness: the fake worker really is the one answering (its pid is reported)."""
    with _sandbox("nan_score", tmp_path / "m") as sb:
        assert sb.isolation["pid"] != os.getpid()
        assert set(sb.isolation) == {"pid"}
