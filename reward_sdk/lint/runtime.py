"""RW3xx — run the reward function in the sandbox over many physically consistent states.

Each track gets a freshly loaded module (a new worker), like a real run that trains on one track: state a reward
keeps at module level (a cached copy of the first call's waypoints...) never leaks into another track's states.
States: for every track (built-in ones, plus real tracks when configured), a fixed grid of edge states
(:func:`reward_sdk.testing.edge_poses`) and random poses from the same distribution as the public hypothesis
strategy :func:`reward_sdk.testing.car_pose`; params come from ``geometry.params_batch`` and are scored with
``RewardSandbox.score_many`` in batches. When a state fails, hypothesis' ``find()`` searches and shrinks a
minimal failing pose (scoring single states); if it cannot reproduce the failure, the failing pose is shrunk
greedily instead. The finding shows the keys the function reads in that minimal state.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reward_sdk import geometry
from reward_sdk.lint.contract import find_reward_function
from reward_sdk.lint.params_usage import keys_read
from reward_sdk.lint.shrink import FailureKind, classify, minimal_pose
from reward_sdk.testing import CarPose, edge_poses, pose_columns, sample_poses
from reward_sdk.tracks import Track

__all__ = ["PROBE", "RuntimeFinding", "RuntimeOptions", "check_runtime"]

RuntimeFinding = tuple[int, int, str, str, dict[str, Any]]
PROBE = "reward_sdk.lint.probe"
_LINE = re.compile(r":(\d+): ")


@dataclass
class RuntimeOptions:
    """Settings of the runtime checks.

    :param states: total number of generated states (edge states included), spread over the tracks.
    :param tracks: tracks to place the car on.
    :param call_budget_ms: p99 budget of one call, milliseconds (RW305).
    :param timeout_s: per-call hard limit (a hang is reported as RW305).
    :param seed: seed of the random poses.
    :param shrink: search a minimal failing state (slower on failure).
    """

    states: int = 1000
    tracks: list[Track] = field(default_factory=list)
    call_budget_ms: float = 10.0
    timeout_s: float = 1.0
    seed: int = 0
    shrink: bool = True


def check_runtime(sandbox: Any, tree: ast.Module, options: RuntimeOptions) -> list[RuntimeFinding]:
    """RW301–RW307 findings for the function loaded in ``sandbox`` (a :class:`sandbox.RewardSandbox`)."""
    from sandbox import SandboxError

    fn = find_reward_function(tree)
    def_line = fn.lineno if fn is not None else 1
    read = keys_read(tree)
    out: list[RuntimeFinding] = []
    try:
        sandbox.start()
    except SandboxError as exc:
        kind = classify(exc)
        return [(_line(exc, def_line), 1, kind.code, f"module-level code fails: {exc.message}", {})]
    failures: dict[tuple[str, int, str], tuple[Track, CarPose, Any]] = {}
    rewards: list[np.ndarray] = []
    times: list[float] = []
    types: set[str] = set()
    per_track = max(1, options.states // max(1, len(options.tracks)))
    rng = np.random.default_rng(options.seed)
    for index, track in enumerate(options.tracks):
        if any(key[0] == "RW305" for key in failures):
            break  # a hang costs a killed worker per state: one is enough
        edges = edge_poses(track)
        poses = (edges + sample_poses(track, max(0, per_track - len(edges)), rng))[:per_track]
        columns = pose_columns(track, poses)
        _fresh_module(sandbox, track, restart=index > 0)
        rewards.append(_score_all(sandbox, track, poses, columns, failures, def_line))
        if not failures:  # timing and raw types on this track's worker, before the next one replaces it
            rows = [poses[i].params(track) for i in range(0, len(poses), max(1, len(poses) // 40))]
            times += _call_times(sandbox, rows)
            types |= _raw_type_names(sandbox, rows)
    for (code, line, label), (track, pose, error) in failures.items():
        if options.shrink and code != "RW305":
            _fresh_module(sandbox, track, restart=True)
        out.append(_failure_finding(sandbox, code, line, label, track, pose, error, read, options))
    scored = np.concatenate(rewards) if rewards else np.empty(0)
    scored = scored[np.isfinite(scored)]
    if len(scored) >= 10 and not failures and float(np.ptp(scored)) == 0.0:
        out.append(
            (
                def_line,
                1,
                "RW306",
                f"reward is {float(scored[0])!r} for all {len(scored)} states: no signal to learn from",
                {},
            )
        )
    if not failures:
        out += _timing(times, options, def_line) + _raw_types(types, def_line)
    return out


def _fresh_module(sandbox: Any, track: Track, *, restart: bool) -> None:
    """Give ``track`` a freshly loaded reward module, as a real run that trains on one track has.

    Module-level state (a cache of ``params['waypoints']`` filled on the first call, a class instance that
    remembers the previous step) must not leak from one track to the next: the worker is replaced (when
    ``restart``; the new one starts on the next call, so a failure to start is reported by that call) and the
    track's constants are sent to it.
    """
    if restart:
        sandbox.close()
    sandbox.set_constants({**geometry.track_constants(track), **geometry.default_object_params()})


def _line(exc: Any, default: int) -> int:
    match = _LINE.search(str(exc))
    return int(match.group(1)) if match else default


def _score_all(
    sandbox: Any,
    track: Track,
    poses: list[CarPose],
    columns: dict[str, Any],
    failures: dict[Any, Any],
    def_line: int,
) -> np.ndarray:
    """Score every row; on a failure record it (first of its kind) and go on after the failing row."""
    from sandbox import SandboxError

    done: list[np.ndarray] = []
    start, count = 0, len(poses)
    while start < count and len(failures) < 8:
        part = {name: values[start:] for name, values in columns.items()}
        try:
            done.append(sandbox.score_many(part))
            break
        except SandboxError as exc:
            index = _failing_row(exc, columns, start)
            kind = classify(exc)
            key = (kind.code, _line(exc, def_line) if kind.has_line else def_line, kind.label)
            if key in failures or kind.code == "RW305":  # known failure or a hang: this track is done
                failures.setdefault(key, (track, poses[index], exc))
                break
            failures[key] = (track, poses[index], exc)
            start = index + 1
    return np.concatenate(done) if done else np.empty(0)


def _failing_row(exc: Any, columns: dict[str, Any], start: int) -> int:
    """Index of the row whose params the error carries (matched on the per-state scalar columns)."""
    params = getattr(exc, "params", None) or {}
    mask = np.ones(len(columns["x"]) - start, dtype=bool)
    for key in ("x", "y", "heading", "progress", "steps", "speed", "steering_angle"):
        if key in params:
            mask &= np.asarray(columns[key][start:]) == params[key]
    hits = np.flatnonzero(mask)
    return start + int(hits[0]) if params and len(hits) else start


def _failure_finding(
    sandbox: Any,
    code: str,
    line: int,
    label: str,
    track: Track,
    pose: CarPose,
    exc: Any,
    read: list[str],
    options: RuntimeOptions,
) -> RuntimeFinding:
    kind = FailureKind(code, label, code != "RW305")
    if options.shrink and code != "RW305":
        pose = minimal_pose(sandbox, track, pose, kind, line)
    params = pose.params(track)
    shown = ", ".join(f"{key}={params[key]!r}" for key in read if key in params and key != "waypoints")
    text = str(exc).split(": ", 1)[-1] if code == "RW301" else str(exc).split("returned a bad value: ")[-1]
    if code == "RW305":
        text = f"a call hangs (over the {options.timeout_s:g} s limit)"
    state = f" (minimal state on {track.name}{' reversed' if track.is_reversed else ''}: {shown or 'any'})"
    extra = {"track": track.name, "params": {k: v for k, v in params.items() if k != "waypoints"}}
    return (line, 1, code, _short(text) + state, extra)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _call_times(sandbox: Any, rows: list[dict[str, Any]]) -> list[float]:
    """Seconds per checked call of ``rows`` in the running worker (empty when a call fails)."""
    from sandbox import SandboxError

    if not rows:
        return []
    try:
        return list(sandbox.run_in_worker(f"{PROBE}:time_calls", rows, timeout=30.0))
    except SandboxError:
        return []


def _raw_type_names(sandbox: Any, rows: list[dict[str, Any]]) -> set[str]:
    """Type names of the raw return values of ``rows`` in the running worker."""
    from sandbox import SandboxError

    try:
        return set(sandbox.run_in_worker(f"{PROBE}:raw_types", rows, timeout=30.0))
    except SandboxError:
        return set()


def _timing(times: list[float], options: RuntimeOptions, def_line: int) -> list[RuntimeFinding]:
    if not times:
        return []
    p99 = float(np.percentile(np.asarray(times), 99)) * 1000.0
    if p99 > options.call_budget_ms:
        msg = f"p99 call time {p99:.1f} ms is over the {options.call_budget_ms:g} ms budget (the simulator steps at 15 Hz)"
        return [(def_line, 1, "RW305", msg, {"p99_ms": p99})]
    return []


def _raw_types(names: set[str], def_line: int) -> list[RuntimeFinding]:
    bad = sorted(name for name in names if name != "float" and not name.endswith("float64"))
    if bad:
        msg = f"returns {', '.join(bad)} instead of float (the official validator rejects it); return float(reward)"
        return [(def_line, 1, "RW307", msg, {"types": sorted(names)})]
    return []
