"""RewardSandbox behaviour: ordinary code, typical reward functions, constants, batches, errors, limits,
recovery."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reward_sdk.examples import EXAMPLE_NAMES, example_source
from sandbox import (
    BadRewardValue,
    RewardRuntimeError,
    RewardSandbox,
    RewardTimeout,
    SandboxError,
    SandboxLimits,
    WorkerCrashed,
)

ORDINARY = """
import math
from numpy import sum as npsum, array
import numpy as np
from shapely.geometry import Point, LineString, Polygon

class Memory:
    def __init__(self):
        self.calls = 0
        self.history = []
    def add(self, value):
        self.calls += 1
        self.history.append(value)
        return self.calls

memory = Memory()
counter = {"n": 0}

def reward_function(params):
    counter["n"] += 1
    name = "  Centre Line ".strip().lower().replace(" ", "_")
    squares = [i * i for i in range(5) if i % 2 == 0]
    pairs = dict(zip("abc", [1, 2, 3]))
    ordered = sorted([3, 1, 2], reverse=True)
    stats = (min(ordered), max(ordered), sum(ordered), abs(-2), round(2.567, 2), len(name))
    items = list(enumerate(map(lambda v: v * 2, filter(lambda v: v > 1, ordered))))
    kinds = (isinstance(1.0, float), float("1.5"), int("3"), bool(0), str(4), tuple([1, 2]), set([1, 1]))
    angle = math.degrees(math.atan2(1.0, 1.0))
    arr = array([1.0, 2.0, 3.0])
    arr[0] += 1.0
    total = float(npsum(arr)) + float(np.mean(arr))
    line = LineString([(0, 0), (10, 0)])
    square = Polygon([(0, 0), (2, 0), (2, 2), (0, 2)])
    geo = Point(5, 1).distance(line) + line.project(Point(3, 1)) + float(square.contains(Point(1, 1)))
    label = "{}:{:.1f}".format(name, angle) + f"{angle:.0f}"
    n = memory.add(total)
    a, *rest = ordered
    return (len(squares) + pairs["c"] + stats[2] + len(items) + len(kinds) + angle / 45 + total + geo
            + len(label) + n * 1000 + a + len(rest) + counter["n"] * 1e-3)
"""

# The five examples users start from (examples/*.py) must run unchanged in the sandbox.
TYPICAL = {name: example_source(name) for name in EXAMPLE_NAMES}


def _plain(source: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(source, "plain", "exec"), namespace)
    return namespace["reward_function"]


def _variants(params: dict[str, Any]) -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    out = []
    for _ in range(20):
        row = dict(params)
        row["distance_from_center"] = float(rng.uniform(0, 0.6))
        row["steering_angle"] = float(rng.uniform(-30, 30))
        row["speed"] = float(rng.uniform(0.5, 4))
        row["heading"] = float(rng.uniform(-180, 180))
        row["is_offtrack"] = bool(rng.random() < 0.2)
        row["closest_waypoints"] = [int(i) for i in sorted(rng.integers(0, 100, 2))]
        out.append(row)
    return out


@pytest.mark.parametrize("name", sorted(TYPICAL))
def test_typical_reward_matches_plain_python(name: str, params: dict[str, Any]) -> None:
    source = TYPICAL[name]
    plain = _plain(source)
    rows = _variants(params)
    expected = [float(plain(row)) for row in rows]
    with RewardSandbox(source) as sb:
        sb.set_constants({"waypoints": params["waypoints"], "track_length": params["track_length"]})
        single = [sb.score({k: v for k, v in row.items() if k != "waypoints"}) for row in rows[:5]]
        columns = {key: [row[key] for row in rows] for key in rows[0] if key != "waypoints"}
        batch = sb.score_many(columns)
    assert single == expected[:5]
    assert batch.tolist() == expected


def test_ordinary_code_runs_unchanged_and_state_persists() -> None:
    plain = _plain(ORDINARY)
    expected = [plain({}), plain({})]
    with RewardSandbox(ORDINARY) as sb:
        got = [sb.score({}), sb.score({})]
    assert got == pytest.approx(expected)
    assert got[1] - got[0] == pytest.approx(1000.001)  # module-level object and dict persisted


def test_restart_resets_module_state() -> None:
    source = "n = [0]\ndef reward_function(params):\n    n[0] += 1\n    return float(n[0])\n"
    with RewardSandbox(source) as sb:
        assert [sb.score({}), sb.score({})] == [1.0, 2.0]
        sb.restart()
        assert sb.score({}) == 1.0


def test_params_are_copied(params: dict[str, Any]) -> None:
    source = (
        "def reward_function(params):\n"
        "    params['closest_waypoints'].append(99)\n"
        "    params['objects_location'][0][0] = -1.0\n"
        "    params['x'] = 0.0\n"
        "    return float(len(params['closest_waypoints']))\n"
    )
    before = {k: v for k, v in params.items() if k != "waypoints"}
    snapshot = repr(before)
    with RewardSandbox(source) as sb:
        assert sb.score(before) == 3.0
        assert sb.score(before) == 3.0  # not 4: each call got a fresh copy
        columns = {"closest_waypoints": [[1, 2]] * 3, "objects_location": [[[0.0, 0.0]]] * 3, "x": [1.0] * 3}
        assert sb.score_many(columns).tolist() == [3.0, 3.0, 3.0]  # shared row objects are copied per row
        result = sb.run_in_worker("tests.sandbox.loop_helpers:mutate_check", before)
    assert repr(before) == snapshot
    assert result["closest_waypoints"] == [6, 7]


def test_constants_are_immutable_and_merged(params: dict[str, Any]) -> None:
    source = "def reward_function(params):\n    params['waypoints'].append((0, 0))\n    return 1.0\n"
    with RewardSandbox(source) as sb:
        sb.set_constants({"waypoints": params["waypoints"]})
        with pytest.raises(RewardRuntimeError, match="tuple"):
            sb.score({"x": 1.0})


def test_score_many_broadcasts_scalars_and_checks_lengths() -> None:
    source = "def reward_function(params):\n    return params['a'] * params['b'] + params['k']\n"
    with RewardSandbox(source) as sb:
        sb.set_constants({"k": 0.5})
        out = sb.score_many({"a": np.arange(5.0), "b": 2.0})
        assert out.dtype == np.float64
        assert out.tolist() == [0.5, 2.5, 4.5, 6.5, 8.5]
        big = sb.score_many({"a": np.arange(10_000.0) % 7, "b": np.ones(10_000)})
        assert big.tolist() == [(i % 7) + 0.5 for i in range(10_000)]
        with pytest.raises(ValueError):
            sb.score_many({"a": [1.0, 2.0], "b": [1.0]})


def test_runtime_error_names_line_and_params() -> None:
    source = "def reward_function(params):\n    x = 1\n    return params['speed'] / params['zero']\n"
    with RewardSandbox(source, filename="my_reward.py") as sb, pytest.raises(RewardRuntimeError) as info:
        sb.score_many({"speed": [1.0, 2.0, 3.0], "zero": [1.0, 1.0, 0.0]})
    err = info.value
    assert str(err).startswith("my_reward.py:3: ZeroDivisionError")
    assert "\n" not in str(err)
    assert err.params == {"speed": 3.0, "zero": 0.0}
    assert "my_reward.py" in err.traceback_text


def test_bad_values_are_typed_errors() -> None:
    source = "def reward_function(params):\n    return params['r']\n"
    with RewardSandbox(source) as sb:
        for bad in (float("nan"), float("inf"), -1e5 - 1, "1.0", None, [1.0]):
            with pytest.raises(BadRewardValue) as info:
                sb.score({"r": bad})
            assert info.value.params == {"r": bad}
        assert sb.score({"r": 1e5}) == 1e5
        assert sb.score({"r": True}) == 1.0
        assert sb.score({"r": np.float32(0.5)}) == 0.5
        assert sb.score({"r": 3}) == 3.0


def test_while_true_is_stopped_within_twice_the_limit_and_worker_replaced() -> None:
    source = "def reward_function(params):\n    while params['spin']:\n        pass\n    return 2.0\n"
    with RewardSandbox(source, limits=SandboxLimits(timeout_s=0.5)) as sb:
        first_pid = sb.isolation["pid"]
        start = time.monotonic()
        with pytest.raises(RewardTimeout) as info:
            sb.score({"spin": True})
        assert time.monotonic() - start < 1.0
        assert info.value.params == {"spin": True}
        assert sb.score({"spin": False}) == 2.0
        assert sb.isolation["pid"] != first_pid
        with pytest.raises(RewardTimeout) as batch_info:
            sb.score_many({"spin": [False, False, True, False]})
        assert batch_info.value.params == {"spin": True}


def test_memory_error_keeps_worker() -> None:
    source = "def reward_function(params):\n    if params['big']:\n        x = [0] * 10**10\n    return 1.0\n"
    with RewardSandbox(source, limits=SandboxLimits(memory_bytes=256 << 20)) as sb:
        pid = sb.isolation["pid"]
        with pytest.raises(SandboxError, match="MemoryError"):
            sb.score({"big": True})
        assert sb.score({"big": False}) == 1.0
        assert sb.isolation["pid"] == pid


def test_isolation_layers_are_in_effect() -> None:
    with RewardSandbox("def reward_function(params):\n    return 1.0\n") as sb:
        info = sb.isolation
        probes = sb.run_in_worker("tests.sandbox.loop_helpers:probe_isolation")
    assert info["seccomp"] == "on"
    assert info["network_namespace"] == "on"
    assert info["rlimits"]["RLIMIT_FSIZE"] == 0
    for name in ("fork", "exec", "socket", "write_tmp", "unlink", "big_alloc"):
        assert not probes[name].startswith("ALLOWED"), (name, probes[name])
    assert probes["system"] == "ALLOWED 32512"  # /bin/sh could not be started: status 127
    assert not Path("/tmp/reward_sandbox_attack_marker").exists()


def test_segfault_is_typed_and_worker_replaced() -> None:
    with RewardSandbox("def reward_function(params):\n    return 1.0\n") as sb:
        with pytest.raises(WorkerCrashed, match="SIGSEGV"):
            sb.run_in_worker("tests.sandbox.loop_helpers:segfault")
        assert sb.score({}) == 1.0


def test_run_in_worker_total_timeout_kills_sleeping_worker() -> None:
    with RewardSandbox("def reward_function(params):\n    return 1.0\n") as sb:
        start = time.monotonic()
        with pytest.raises(RewardTimeout):
            sb.run_in_worker("tests.sandbox.loop_helpers:sleep", 30.0, timeout=0.5)
        assert time.monotonic() - start < 2.0
        assert sb.run_in_worker("tests.sandbox.loop_helpers:sleep", 0.0) == "slept"


def test_run_in_worker_reward_errors_are_typed() -> None:
    source = "def reward_function(params):\n    return 1.0 / params['d']\n"
    with RewardSandbox(source, preload=["tests.sandbox.loop_helpers"]) as sb:
        sb.set_constants({"d": 2.0})
        assert sb.run_in_worker("tests.sandbox.loop_helpers:total", [{}, {"d": 4.0}]) == [0.5, 0.25]
        assert sb.run_in_worker("tests.sandbox.loop_helpers:catch_errors", [{"d": 0.0}, {}]) == [
            "RewardRuntimeError",
            "ok",
        ]
        with pytest.raises(RewardRuntimeError) as info:
            sb.run_in_worker("tests.sandbox.loop_helpers:total", [{"d": 1.0}, {"d": 0.0}])
    assert info.value.params == {"d": 0.0}


def test_worker_start_is_fast() -> None:
    start = time.monotonic()
    with RewardSandbox("import math\ndef reward_function(params):\n    return 1.0\n"):
        elapsed = time.monotonic() - start
    assert elapsed < 0.5


def test_stuck_batch_does_not_block_the_parent_on_a_full_pipe() -> None:
    source = "def reward_function(params):\n    while params['spin']:\n        pass\n    return 1.0\n"
    n = 5000
    columns = {f"c{i}": np.arange(float(n)) for i in range(20)}
    columns["spin"] = np.arange(n) == 5
    with RewardSandbox(source, limits=SandboxLimits(timeout_s=0.5)) as sb:
        start = time.monotonic()
        with pytest.raises(RewardTimeout) as info:
            sb.score_many(columns)
        assert time.monotonic() - start < 1.5
        assert info.value.params is not None and info.value.params["spin"] is True
        columns["spin"] = np.zeros(n, dtype=bool)
        assert sb.score_many(columns).tolist() == [1.0] * n


def test_raw_call_returns_the_unconverted_value_and_raises_user_errors(params: dict[str, Any]) -> None:
    source = "def reward_function(params):\n    return 1 if params['speed'] > 0 else params['nope']\n"
    with RewardSandbox(source, preload=["tests.sandbox.loop_helpers"]) as sb:
        assert sb.run_in_worker("tests.sandbox.loop_helpers:raw_type", params) == "int"
        assert sb.score(params) == 1.0  # the checked call converts with float()
        with pytest.raises(SandboxError, match="nope"):
            sb.run_in_worker("tests.sandbox.loop_helpers:raw_type", {**params, "speed": 0.0})


SPIN = """
def spin():
    try:
        yield 1
    finally:
        while True:
            pass

def parked():
    gen = spin()
    next(gen)
    return gen
"""
ESCAPES = {
    # each leaves a spinning generator where the worker releases it after the call returned
    "params": "def reward_function(params):\n    params['keep'] = parked()\n    return 1.0\n",
    "row_list": "def reward_function(params):\n    params['lst'].append(parked())\n    return 1.0\n",
    "result": "def reward_function(params):\n    return [parked()]\n",
    "exception": "def reward_function(params):\n    raise ValueError('x', parked())\n",
    "cycle": "def reward_function(params):\n    box = [parked()]\n    box.append(box)\n    return 1.0\n",
}


@pytest.mark.parametrize("where", sorted(ESCAPES))
@pytest.mark.parametrize("batched", [False, True], ids=["score", "score_many"])
def test_user_code_after_the_call_is_still_timed(where: str, batched: bool) -> None:
    """A suspended generator's ``finally`` block (user code the worker can trigger by releasing or collecting
    it) runs while the watchdog still counts: killed within timeout + ~1 s, never a day-long hang."""
    limits = SandboxLimits(timeout_s=0.5, grace_s=0.5, cpu_s=60)
    with RewardSandbox(SPIN + ESCAPES[where], limits=limits, preload=["tests.sandbox.test_runner"]) as sb:
        start = time.monotonic()
        with pytest.raises((RewardTimeout, SandboxError)) as info:
            if batched:
                sb.score_many({"lst": [[1], [2]], "x": [1.0, 2.0]})
            else:
                sb.score({"lst": [1]})
            if where == "cycle":  # the cycle survives the call: collect it from trusted code
                sb.run_in_worker("tests.sandbox.test_runner:collect")
        elapsed = time.monotonic() - start
    assert isinstance(info.value, RewardTimeout), repr(info.value)
    assert elapsed < limits.timeout_s + 2 * limits.grace_s + 0.5


def collect(reward: Any) -> int:
    """Worker side: a garbage collection in trusted code (what happens at some allocation after a call)."""
    import gc

    return gc.collect()


def cpu_limits(reward: Any) -> dict[str, float]:
    """Worker side: the soft and hard RLIMIT_CPU in force during this request, and the CPU seconds used."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    return {"soft": float(soft), "hard": float(hard), "used": usage.ru_utime + usage.ru_stime}


def test_rlimit_cpu_follows_each_request_budget() -> None:
    limits = SandboxLimits(timeout_s=0.5, grace_s=1.0, cpu_s=3600)
    with RewardSandbox("def reward_function(params):\n    return 1.0\n", limits=limits) as sb:
        short = sb.run_in_worker("tests.sandbox.test_runner:cpu_limits", timeout=5.0)
        long = sb.run_in_worker("tests.sandbox.test_runner:cpu_limits", timeout=100.0)
    assert short["hard"] == 3600
    assert short["used"] + 5.0 <= short["soft"] <= short["used"] + 5.0 + limits.grace_s + 4.0
    assert long["used"] + 100.0 <= long["soft"] <= long["used"] + 100.0 + limits.grace_s + 4.0
