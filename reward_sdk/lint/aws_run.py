"""The runtime half of the official validator's verdict (step 5 of :mod:`reward_sdk.lint.aws`), run in our sandbox.

The five fixed dicts are rebuilt as the validator builds them (AWS_VALIDATOR.md §1.3) from a route array (N, 6)
— centre, inner and outer border — of the built-in club track, or of a real ``.npy`` route file the user names:
``waypoints`` is a numpy array of the **inner border**, ``x``/``y`` numpy floats, ints where the validator has
ints, ``is_reversed`` always True, and no ``projection_distance``/``objects_distance_from_center``/``sim_time``.

The user function is called unwrapped (raw return value, no float conversion) by the trusted helper
``reward_sdk.lint.probe:aws_calls`` inside the worker, once per dict. The first call blocks every import the way
the validator's ``__import__`` stub does. What comes back from the worker is checked before use
(:func:`check_reply`): a reply of the wrong shape or type is a failed check, never a pass.

Limits of the emulation: code our sandbox refuses (dunder access, ``f = open``...) cannot be executed; only its
call-time imports are emulated statically, otherwise we assume its runtime steps pass and say so in the note. A
first call (or module import) that does not return within ``hang_s`` is a hang (the real one never answers). The
validator reloads the module for each of its threads; we call the five dicts in one worker, in a fixed order.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from reward_sdk.lint.aws import (
    ALLOWLIST_IMPORTS,
    MISSING_FUNCTION,
    AwsVerdict,
    aws_static_verdict,
    explicit_failure,
    first_call_message,
    refused_first_call,
    wrapped_failure,
)
from reward_sdk.lint.contract import find_reward_function

__all__ = ["CallError", "CallOk", "aws_dicts", "aws_verdict", "check_reply", "runtime_verdict"]

TARGET = "reward_sdk.lint.probe:aws_calls"
TEXT_LIMIT = 2000
LAZY_METHODS = frozenset({"all", "any", "clip", "max", "mean", "min", "prod", "std", "sum", "var"})
_IMPORT_ERRORS = ("ImportError", "ModuleNotFoundError")
_NOT_EXCEPTIONS = ("SystemExit", "KeyboardInterrupt", "GeneratorExit")
# The validator's fixed object fields (test_reward_function.get_params), the same in all five dicts.
_OBJECTS = [
    [4.511289152034186, 1.3292364463761641],
    [6.537302737755836, 1.4140104486149618],
    [4.752976532490525, 3.1350845729056838],
    [3.103370840828792, 4.133062703357412],
    [0.7094212601659824, 4.217507179944688],
    [1.5996645329306798, 1.7124666440529925],
]
_OBJECT_HEADINGS = [
    2.717322296283114,
    2.368920328229894,
    -1.9305073380382327,
    -1.3586571052564007,
    0.00025041038280975884,
    0.5573269195381345,
]
_OBJECT_DISTANCES = [
    1.9501724549506574,
    4.139700164331426,
    7.997164727523002,
    10.024219705986598,
    12.56561517097048,
    15.090712948383509,
]
_DICT_MESSAGES = (
    "Reward score out of range. Reward: {r}, range: [-1e5, 1e5]",
    "Vehicle failed at start position. Reward: {r}",
    "Vehicle failed to make progress. Reward: {r}",
    "Off-track vehicle failed to make progress. Reward: {r}",
    "Vehicle failed to make it to end of track. Reward: {r}",
)
_SANDBOX_IMPORT = re.compile(r"^ImportError: import of '([\w.]+)' is not allowed")
_SANDBOX_FROM = re.compile(r"^ImportError: cannot import '(\w+)' from '([\w.]+)' \(not an allowed name\)")
_NOT_RUN = "runtime steps not executed: our sandbox lacks an attribute or module real Python has"
_MODULE_ATTRIBUTE = re.compile(r"^AttributeError: module '([\w.]+)' has no attribute '(\w+)'")


@dataclass(frozen=True)
class CallOk:
    """One call returned: whether the value is a float, its ``str()`` and the float (None if not a float)."""

    is_float: bool
    text: str
    value: float | None


@dataclass(frozen=True)
class CallError:
    """One call raised.

    :param kind: exception class name. :param text: ``str(exc)``. :param last: last line of the formatted
    exception. :param line: last user-file line in the traceback (0 = none). :param source: source text of the
    last (non-sandbox) frame. :param in_user: that frame is in the user's file.
    """

    kind: str
    text: str
    last: str
    line: int
    source: str
    in_user: bool


CallResult = CallOk | CallError | None  # None: the call did not finish within the limit


def aws_route(path: str | None = None) -> np.ndarray:
    """The (N, 6) route array: a real ``.npy`` route file, or the built-in club track's centre/inner/outer."""
    if path is not None:
        route = np.load(path, allow_pickle=False)
        if route.ndim == 2 and route.shape[1] == 6 and len(route) >= 2:
            return np.asarray(route, dtype=np.float64)
    from reward_sdk.builtin_tracks import builtin_track

    track = builtin_track("club")
    return np.column_stack([track.center, track.inner, track.outer]).astype(np.float64)


def aws_dicts(route: np.ndarray | None = None) -> list[dict[str, Any]]:
    """valid, start, progress, off-track and finish dicts, in that order, keys in the validator's order."""
    w = aws_route() if route is None else route
    n = len(w)
    width = math.sqrt((w[0, 4] - w[0, 2]) ** 2 + (w[0, 5] - w[0, 3]) ** 2)
    length: float = 0
    for i in range(1, n):
        length += math.sqrt((w[i, 2] - w[i - 1, 2]) ** 2 + (w[i, 3] - w[i - 1, 3]) ** 2)
    reach = math.sqrt((w[0, 4] - w[0, 0]) ** 2 + (w[0, 5] - w[0, 1]) ** 2)
    off_x = w[0, 0] + (w[0, 4] - w[0, 0]) / reach * width
    off_y = w[0, 1] + (w[0, 5] - w[0, 1]) / reach * width

    def state(x: Any, y: Any, **values: Any) -> dict[str, Any]:
        return {
            "all_wheels_on_track": values.get("all_wheels_on_track", True),
            "x": x,
            "y": y,
            "distance_from_center": values.get("distance_from_center", 0),
            "heading": values["heading"],
            "progress": values["progress"],
            "steps": values["steps"],
            "speed": values["speed"],
            "steering_angle": values["steering_angle"],
            "track_width": width,
            "waypoints": w[:, 2:4].copy(),
            "closest_waypoints": values["closest_waypoints"],
            "is_left_of_center": True,
            "is_reversed": True,
            "track_length": length,
            "closest_objects": [0, 1],
            "objects_location": [list(point) for point in _OBJECTS],
            "objects_left_of_center": [True, True, False, True, False, True],
            "object_in_camera": True,
            "objects_speed": [0.2] * 6,
            "objects_heading": list(_OBJECT_HEADINGS),
            "objects_distance": list(_OBJECT_DISTANCES),
            "is_crashed": False,
            "is_offtrack": values.get("is_offtrack", False),
        }

    mid = n // 2
    return [
        state((w[0, 2] + w[0, 0]) / 2, (w[0, 3] + w[0, 1]) / 2, heading=0, progress=0, steps=1, speed=0.5,
              steering_angle=6, closest_waypoints=[0, 1]),
        state(w[0, 2], w[0, 3], heading=0, progress=0, steps=1, speed=0.1, steering_angle=0.2,
              closest_waypoints=[0, 1]),
        state(w[mid, 2], w[mid, 3], heading=359.9, progress=50, steps=100, speed=1.0, steering_angle=6,
              closest_waypoints=[3, 4]),
        state(off_x, off_y, all_wheels_on_track=False, distance_from_center=width, heading=359.9, progress=0,
              steps=1, speed=1, steering_angle=15, closest_waypoints=[0, 1], is_offtrack=True),
        state(w[n - 1, 2], w[n - 1, 3], heading=359.9, progress=100, steps=10000, speed=5.0, steering_angle=0,
              closest_waypoints=[n - 2, n - 1]),
    ]  # fmt: skip


def aws_verdict(
    source: str, filename: str, tree: ast.Module | None, hang_s: float = 5.0, route_path: str | None = None
) -> AwsVerdict:
    """The official validator's verdict for ``source``: static steps, then the fixed dicts in a fresh sandbox.

    :param hang_s: limit of one call (the validator's thread timeout is 5 s); the module import gets
        ``max(2 * hang_s, 5)`` s. :param route_path: a real ``.npy`` route file for the dicts (default: club).
    """
    static = aws_static_verdict(source)
    if static is not None or tree is None:
        return static or explicit_failure("syntax error", "flake8")
    from reward_sdk.lint.runtime import PROBE
    from sandbox import RewardCompileError, RewardSandbox, SandboxError, SandboxLimits

    limits = SandboxLimits(timeout_s=hang_s, load_timeout_s=max(2 * hang_s, 5.0))
    try:
        sandbox = RewardSandbox(source, filename, limits, preload=[PROBE])
    except RewardCompileError:
        note = "runtime steps not executed: the code violates the sandbox policy (only imports checked)"
        return missing_import_name(tree, source) or refused_first_call(tree) or AwsVerdict(True, note=note)
    try:
        sandbox.start()
    except SandboxError as exc:
        sandbox.close()
        return import_verdict(exc, source, filename, tree)
    with sandbox:
        verdict = runtime_verdict(sandbox, source, filename, tree, hang_s, aws_route(route_path))
    return verdict or AwsVerdict(False, "could not be checked", "runtime", response=None)


def import_verdict(exc: Any, source: str, filename: str, tree: ast.Module) -> AwsVerdict:
    """The validator's answer when importing the module fails (``exc``: the sandbox error of the worker start)."""
    from sandbox import RewardRuntimeError, RewardTimeout

    message = str(getattr(exc, "message", exc))
    line = _line_of(message, filename)
    if isinstance(exc, RewardTimeout):
        text = "validation never returns (module-level code hangs until the 60 s Lambda timeout)"
        return AwsVerdict(False, text, "import", hang=True, response=None, lineno=line)
    if "is not defined by the module" in message:
        if not _binds_reward_function(tree):
            text, number = MISSING_FUNCTION
            last = "AttributeError: module 'reward_function' has no attribute 'reward_function'"
            return wrapped_failure(last, text, number, "import", is_import=False)
        inner = "'reward_function' is bound to an object that is not callable"
        return explicit_failure(f'Unsafe builtin function detected: "{inner}".', "first-call", note=inner)
    if isinstance(exc, RewardRuntimeError):
        lines = [item for item in exc.traceback_text.splitlines() if item.strip()]
        last = lines[-1] if lines else message
    else:
        last = "MemoryError"
    last = last.rstrip()
    last = last.removesuffix(": ()")  # the sandbox shows empty ``args`` as "()"; Python's str() is ""
    last = last[:-1] if last.endswith(":") else last  # an exception without text prints its name alone
    real = real_python_text(last)
    if real is None:
        return AwsVerdict(True, note=_NOT_RUN)
    rows = source.splitlines()
    text = rows[line - 1] if 0 < line <= len(rows) else ""
    kind = real.split(":", 1)[0]
    return wrapped_failure(real, text, line or None, "import", is_import=kind in _IMPORT_ERRORS, lineno=line)


def runtime_verdict(
    sandbox: Any,
    source: str,
    filename: str,
    tree: ast.Module,
    hang_s: float,
    route: np.ndarray | None = None,
    *,
    shared: bool = False,
) -> AwsVerdict | None:
    """The first call (imports blocked), the signature and the five dicts in a started ``sandbox``.

    :param source: the user's source (the text of the failing line). :param hang_s: the call limit used.
    :param shared: the sandbox is the runtime checks' own (call limit below the validator's 5 s): a timeout or a
        crash gives None (cannot tell) instead of a verdict.
    """
    from sandbox import RewardTimeout, SandboxError

    warm = tuple(sorted(module_level_methods(tree)))
    results: list[CallResult] = []
    count: int | None = None
    hooked = False
    for index, params in enumerate(aws_dicts(route)):
        try:
            reply = sandbox.run_in_worker(
                TARGET, [params], filename, block_imports=index == 0, warm_methods=warm, timeout=hang_s + 30.0
            )
        except RewardTimeout:
            if shared:
                return None
            if index == 0:
                text = "validation never returns (the first call hangs until the 60 s Lambda timeout)"
                return AwsVerdict(False, text, "first-call", hang=True, response=None)
            results.append(None)
            continue
        except SandboxError as exc:
            if shared or "raised" in str(exc):  # a crash we cannot attribute, or our own helper failed
                return None if shared else _unverified(f"the sandbox failed: {exc}")
            results.append(CallError("MemoryError", "", "MemoryError", 0, "", False))
            continue
        checked = check_reply(reply, 1)
        if checked is None:
            return _unverified("the sandbox worker sent an invalid reply")
        if index == 0:
            count, hooked = checked[0], checked[1]
        results.append(_with_source(checked[2][0], source))
    return judge(tree, results, count, hooked)


def _with_source(result: CallOk | CallError, source: str) -> CallOk | CallError:
    """Fill the text of a failing user line (the worker cannot read the user's file to show it)."""
    if isinstance(result, CallError) and result.in_user and not result.source and result.line:
        rows = source.splitlines()
        if result.line <= len(rows):
            text = rows[result.line - 1].strip()[:TEXT_LIMIT]
            return CallError(result.kind, result.text, result.last, result.line, text, True)
    return result


def _unverified(why: str) -> AwsVerdict:
    return AwsVerdict(
        False, f"reward lint could not check the runtime steps: {why}", "runtime", response=None
    )


def check_reply(reply: Any, count: int) -> tuple[int | None, bool, list[CallOk | CallError]] | None:
    """Validate what ``aws_calls`` sent back: ``(parameter count, hooked, results)`` with ``count`` results of
    the documented shapes and types; texts cut to :data:`TEXT_LIMIT`. None when anything is off."""
    if not isinstance(reply, tuple | list) or len(reply) != 3:
        return None
    params, hooked, items = reply
    if params is not None and (type(params) is not int or not 0 <= params < 10_000):
        return None
    if type(hooked) is not bool or not isinstance(items, list | tuple) or len(items) != count:
        return None
    out: list[CallOk | CallError] = []
    for item in items:
        checked = _check_item(item)
        if checked is None:
            return None
        out.append(checked)
    return params, hooked, out


def _check_item(item: Any) -> CallOk | CallError | None:
    if not isinstance(item, tuple | list) or not item or not isinstance(item[0], str):
        return None
    if item[0] == "ok" and len(item) == 4:
        _, is_float, text, value = item
        if type(is_float) is not bool or not isinstance(text, str):
            return None
        if (value is not None and type(value) is not float) or (is_float and value is None):
            return None
        return CallOk(is_float, text[:TEXT_LIMIT], value)
    if item[0] == "error" and len(item) == 7:
        _, kind, text, last, line, source, in_user = item
        if not all(isinstance(part, str) for part in (kind, text, last, source)):
            return None
        if type(line) is not int or not 0 <= line < 10_000_000 or type(in_user) is not bool:
            return None
        return CallError(kind[:200], text[:TEXT_LIMIT], last[:TEXT_LIMIT], line, source[:TEXT_LIMIT], in_user)
    return None


def judge(tree: ast.Module, results: list[CallResult], count: int | None, hooked: bool) -> AwsVerdict:
    """The validator's verdict from the five call results (first call, signature, then the dicts in order)."""
    first = results[0]
    if isinstance(first, CallError):
        match = _SANDBOX_IMPORT.match(first.last)
        if match and not hooked:  # our hook missed it, the sandbox's import guard refused it
            return explicit_failure(first_call_message(match.group(1)), "first-call", first.line)
        real = real_python_text(first.last)
        if real is None:
            return AwsVerdict(True, note=_NOT_RUN)
        if first.kind in _NOT_EXCEPTIONS:
            return explicit_failure(real, "first-call", first.line)
        text = real.split(": ", 1)[1] if real != first.last and ": " in real else first.text
        return explicit_failure(f'Unsafe builtin function detected: "{text}".', "first-call", first.line)
    fn = find_reward_function(tree)
    if count is None and fn is not None:
        args = fn.args
        count = len([*args.posonlyargs, *args.args, *args.kwonlyargs]) + bool(args.vararg) + bool(args.kwarg)
    if count is not None and count != 1:
        message = "Invalid reward function signature. Should be def reward_function(params)"
        return explicit_failure(message, "runtime", fn.lineno if fn else 0)
    for index, result in enumerate(results):
        if result is None:
            return explicit_failure("Timed Out", "runtime")
        if isinstance(result, CallError):
            real = real_python_text(result.last)
            if real is None:
                return AwsVerdict(True, note=_NOT_RUN)
            number = result.line if result.in_user else None
            kind = real.split(":", 1)[0]
            return wrapped_failure(
                real, result.source, number, "runtime", is_import=kind in _IMPORT_ERRORS, lineno=result.line
            )
        if not result.is_float or result.value is None or not -1e5 <= result.value <= 1e5:
            return explicit_failure(_DICT_MESSAGES[index].format(r=result.text), "runtime")
    return AwsVerdict(True)


def missing_import_name(tree: ast.Module, source: str) -> AwsVerdict | None:
    """For code our sandbox refuses: a module-level ``from X import Y`` that real Python cannot satisfy either
    (an allowlisted ``X`` without ``Y``) fails the validator's import with IMPORT_ERROR."""
    rows = source.splitlines()
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
            continue
        for alias in node.names:
            last = f"ImportError: cannot import '{alias.name}' from '{node.module}' (not an allowed name)"
            real = real_python_text(last) if alias.name != "*" else None
            if real is not None:
                text = rows[node.lineno - 1] if node.lineno <= len(rows) else ""
                return wrapped_failure(real, text, node.lineno, "import", is_import=True, lineno=node.lineno)
    return None


def real_python_text(last: str) -> str | None:
    """The last exception line real Python would print where our sandbox's differs (its import guard and module
    proxies are stricter); None when real Python would not raise at all there."""
    match = _SANDBOX_IMPORT.match(last)
    if match:
        found = _spec_exists(match.group(1))
        return None if found else f"ModuleNotFoundError: No module named '{match.group(1)}'"
    match = _SANDBOX_FROM.match(last) or _MODULE_ATTRIBUTE.match(last)
    if match is None:
        return last
    name, module_name = (
        (match.group(1), match.group(2)) if last.startswith("ImportError") else match.group(2, 1)
    )
    module = _real_module(module_name)
    if module is None:
        return last
    if hasattr(module, name) or _spec_exists(f"{module_name}.{name}"):
        return None
    if last.startswith("AttributeError"):
        return last
    where = getattr(module, "__file__", None) or "unknown location"
    return f"ImportError: cannot import name '{name}' from '{module_name}' ({where})"


def _real_module(name: str) -> Any:
    if name.split(".")[0] not in ALLOWLIST_IMPORTS:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _spec_exists(name: str) -> bool:
    if name.split(".")[0] not in ALLOWLIST_IMPORTS:
        return False
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def module_level_methods(tree: ast.Module) -> set[str]:
    """Lazily-importing numpy method names the module-level code calls (``X.sum()`` outside functions): the
    validator's import ran them before its stub, so they are warm during its first call."""
    aliases = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    found: set[str] = set()
    stack: list[ast.AST] = [
        node for node in tree.body if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LAZY_METHODS
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id in aliases)
        ):
            found.add(node.func.attr)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _line_of(message: str, filename: str) -> int:
    rest = message[len(filename) :] if message.startswith(filename) else message
    match = re.match(r":(\d+): ", rest)
    return int(match.group(1)) if match else 0


def _binds_reward_function(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "reward_function" and isinstance(node.ctx, ast.Store):
            return True
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == "reward_function"
        ):
            return True
        if isinstance(node, ast.alias) and (node.asname or node.name) == "reward_function":
            return True
    return False
