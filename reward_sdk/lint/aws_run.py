"""The runtime half of the official validator's verdict (steps 5 of :mod:`reward_sdk.lint.aws`), run in our sandbox.

The five fixed dicts are rebuilt as the validator builds them (AWS_VALIDATOR.md §1.3) on the built-in club track
(its route file is not shipped): ``waypoints`` is a numpy array of the **inner border**, ints where the validator
has ints, ``is_reversed`` always True, and no ``projection_distance``/``objects_distance_from_center``/``sim_time``.
The user function is called unwrapped (raw return value, no float conversion), as the validator does.

Limits of the emulation: code our sandbox refuses (dunder access, ``f = open``...) cannot be executed; the
official validator runs it with full builtins, so we assume its runtime steps pass and say so in the verdict note.
A first call that does not return within ``hang_s`` is a hang (the real one never answers).
"""

from __future__ import annotations

import ast
import re
from typing import Any

import numpy as np

from reward_sdk.lint.aws import AwsVerdict, aws_static_verdict, imported_roots
from reward_sdk.lint.contract import find_reward_function

__all__ = ["aws_dicts", "aws_verdict"]

_OBJECTS = [[1.0, 0.5], [2.5, 1.0], [4.0, -0.5], [5.5, 0.3], [7.0, 1.2], [8.5, -1.0]]
_OBJECT_HEADINGS = [2.717, 2.369, -1.931, -1.359, 0.00025, 0.557]
_OBJECT_DISTANCES = [1.95, 4.14, 8.00, 10.02, 12.57, 15.09]
_DICT_MESSAGES = (
    "Reward score out of range. Reward: {r}, range: [-1e5, 1e5]",
    "Vehicle failed at start position. Reward: {r}",
    "Vehicle failed to make progress. Reward: {r}",
    "Off-track vehicle failed to make progress. Reward: {r}",
    "Vehicle failed to make it to end of track. Reward: {r}",
)
_SANDBOX_IMPORT = re.compile(r"import of '([\w.]+)' is not allowed")
_PROXY_GAP = re.compile(r"module '(math|random|numpy|scipy|shapely)[\w.]*' has no attribute")


def aws_dicts() -> list[dict[str, Any]]:
    """valid, start, progress, off-track and finish dicts, in that order."""
    from reward_sdk.builtin_tracks import builtin_track

    track = builtin_track("club")
    inner, outer, centre = track.inner, track.outer, track.center
    n = len(inner)
    width = float(np.linalg.norm(inner[0] - outer[0]))
    length = float(np.sum(np.linalg.norm(np.diff(inner, axis=0), axis=1)))
    towards_outer = (outer[0] - centre[0]) / np.linalg.norm(outer[0] - centre[0])
    off = centre[0] + width * towards_outer
    common = {
        "track_width": width,
        "track_length": length,
        "waypoints": inner.copy(),
        "is_left_of_center": True,
        "is_reversed": True,
        "is_crashed": False,
        "closest_objects": [0, 1],
        "objects_location": [list(p) for p in _OBJECTS],
        "objects_left_of_center": [True, True, False, True, False, True],
        "object_in_camera": True,
        "objects_speed": [0.2] * 6,
        "objects_heading": list(_OBJECT_HEADINGS),
        "objects_distance": list(_OBJECT_DISTANCES),
    }

    def state(x: float, y: float, **values: Any) -> dict[str, Any]:
        base = {"all_wheels_on_track": True, "is_offtrack": False, "distance_from_center": 0, "heading": 0}
        return {**common, **base, "x": float(x), "y": float(y), **values}

    mid = (inner[0] + centre[0]) / 2
    return [
        state(*mid, progress=0, steps=1, speed=0.5, steering_angle=6, closest_waypoints=[0, 1]),
        state(*inner[0], progress=0, steps=1, speed=0.1, steering_angle=0.2, closest_waypoints=[0, 1]),
        state(
            *inner[n // 2],
            heading=359.9,
            progress=50,
            steps=100,
            speed=1.0,
            steering_angle=6,
            closest_waypoints=[3, 4],
        ),
        state(
            *off,
            all_wheels_on_track=False,
            is_offtrack=True,
            distance_from_center=width,
            heading=359.9,
            progress=0,
            steps=1,
            speed=1,
            steering_angle=15,
            closest_waypoints=[0, 1],
        ),
        state(
            *inner[n - 1],
            heading=359.9,
            progress=100,
            steps=10000,
            speed=5.0,
            steering_angle=0,
            closest_waypoints=[n - 2, n - 1],
        ),
    ]


def aws_verdict(source: str, filename: str, tree: ast.Module | None, hang_s: float = 5.0) -> AwsVerdict:
    """The official validator's verdict for ``source`` (static steps, then the fixed dicts in the sandbox)."""
    static = aws_static_verdict(source)
    if static is not None or tree is None:
        return static or AwsVerdict(False, "syntax error", "flake8")
    from sandbox import RewardCompileError, RewardSandbox, SandboxError, SandboxLimits

    try:
        sandbox = RewardSandbox(
            source, filename, SandboxLimits(timeout_s=hang_s), preload=["reward_sdk.lint.probe"]
        )
    except RewardCompileError:
        return AwsVerdict(True, note="runtime steps not executed: the code violates the sandbox policy")
    with sandbox:
        try:
            sandbox.start()
        except SandboxError as exc:
            return AwsVerdict(False, _module_message(str(exc)), "import")
        dicts = aws_dicts()
        results: list[tuple[Any, ...]] = []
        for index, params in enumerate(dicts):
            try:
                results += sandbox.run_in_worker(
                    "reward_sdk.lint.probe:aws_calls", [params], filename, timeout=hang_s
                )
            except SandboxError as exc:
                if index == 0 and "exceeded" in str(exc):
                    return AwsVerdict(
                        False,
                        "validation never returns (hangs until the 60 s Lambda timeout)",
                        "first-call",
                        hang=True,
                    )
                results.append(
                    ("timeout",) if "exceeded" in str(exc) else ("error", str(exc), 0, "SandboxError")
                )
    return _judge(tree, results)


def _module_message(text: str) -> str:
    if "is not defined by the module" in text:
        return "module 'reward_function' has no attribute 'reward_function'"
    return text.split(": ", 2)[-1]


def _exception_text(text: str) -> str:
    match = _SANDBOX_IMPORT.search(text)
    if match:  # the validator's __import__ stub blocks lazy imports during the first call
        inner = f"Import should be put at the top of file, module: {match.group(1)}"
        return '{"message": "' + inner + '", "type": "IMPORT_ERROR"}'
    return text


_LAZY_NUMPY_METHODS = frozenset(
    {"sum", "mean", "std", "var", "prod", "max", "min", "any", "all", "cumsum", "cumprod", "clip", "round"}
)
"""ndarray methods whose C code imports ``numpy._core._methods`` on first use. Our sandbox pre-warms them, the
official validator's ``__import__`` stub makes that first use fail (a false positive we must reproduce)."""


def _lazy_numpy_method_call(tree: ast.Module) -> bool:
    """True when ``reward_function`` calls an ndarray method that lazily imports inside the validator."""
    imports_numpy = any(name.split(".")[0] == "numpy" for name in imported_roots(tree))
    fn = find_reward_function(tree)
    if not imports_numpy or fn is None:
        return False
    module_aliases = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _LAZY_NUMPY_METHODS
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id in module_aliases)
        ):
            return True
    return False


def _judge(tree: ast.Module, results: list[tuple[Any, ...]]) -> AwsVerdict:
    first = results[0]
    if first[0] == "ok" and _lazy_numpy_method_call(tree):
        inner = _exception_text("import of 'numpy._core._methods' is not allowed")
        return AwsVerdict(False, f'Unsafe builtin function detected: "{inner}".', "first-call")
    if first[0] == "error" and _PROXY_GAP.search(first[1]):
        note = "runtime steps not executed: our sandbox does not expose an attribute real Python has"
        return AwsVerdict(True, note=note)
    if first[0] == "error":
        return AwsVerdict(
            False, f'Unsafe builtin function detected: "{_exception_text(first[1])}".', "first-call"
        )
    fn = find_reward_function(tree)
    if fn is not None:
        args = fn.args
        count = len([*args.posonlyargs, *args.args, *args.kwonlyargs]) + bool(args.vararg) + bool(args.kwarg)
        if count != 1:
            return AwsVerdict(
                False, "Invalid reward function signature. Should be def reward_function(params)", "runtime"
            )
    for index, result in enumerate(results):
        if result[0] == "timeout":
            return AwsVerdict(False, "Timed Out", "runtime")
        if result[0] == "error":
            return AwsVerdict(False, _exception_text(result[1]), "runtime")
        _, is_float, text, value = result
        if not is_float or value is None or not -1e5 <= value <= 1e5:
            return AwsVerdict(False, _DICT_MESSAGES[index].format(r=text), "runtime")
    return AwsVerdict(True)
