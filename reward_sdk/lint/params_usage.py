"""RW1xx — how the function uses ``params``: unknown keys, wrong types, degrees in trigonometry, signed steering
thresholds, mutation, object keys indexed without a guard, and exact ``==`` on measured floats (RW110); the angle
rules RW107–RW109 live in :mod:`reward_sdk.lint.angles` and are reported with these.

Static and intentionally simple: within each function, ``params`` is the parameter of ``reward_function`` (or any
parameter named ``params``) plus plain aliases (``p = params``); a local bound by ``v = params['key']`` carries the
key's type. Key types come from :class:`reward_sdk.params.RewardParams`, never from a second list.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from difflib import get_close_matches

from reward_sdk.lint.angles import call_name, check_angles, literal_key, number_value
from reward_sdk.lint.contract import FUNCTION_NAME, RawFinding
from reward_sdk.params import PARAM_NAMES, param_type_name

__all__ = ["check_params_usage", "keys_read"]

_TYPES = {name: param_type_name(name) for name in PARAM_NAMES}
SCALAR_KEYS = frozenset(k for k, t in _TYPES.items() if t.startswith(("float", "bool")))
BOOL_KEYS = frozenset(k for k, t in _TYPES.items() if t == "bool")
LIST_KEYS = frozenset(k for k, t in _TYPES.items() if t.startswith(("list", "tuple")))
OBJECT_LIST_KEYS = frozenset(k for k in LIST_KEYS if k.startswith("objects_"))
DEGREE_KEYS = frozenset({"heading", "steering_angle"})
_TRIG = frozenset({"sin", "cos", "tan"})
_CONVERTERS = frozenset({"radians", "deg2rad"})
_MUTATORS = frozenset({"update", "pop", "popitem", "clear", "setdefault"})
_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
#: float keys whose exact values are legitimate: discrete actions send their exact speed/steering, steps counts
#: whole steps, and progress is capped with ``min(p, 100)`` to exactly 100 on a finished lap (PARAMS.md 2.6-2.9).
EXACT_VALUES: dict[str, frozenset[float] | None] = {
    "speed": None,
    "steering_angle": None,
    "steps": None,
    "progress": frozenset({100.0}),
}
FLOAT_KEYS = frozenset(k for k, t in _TYPES.items() if t.startswith("float"))


def keys_read(tree: ast.AST) -> list[str]:
    """Every string key used as ``params[...]``/``params.get(...)`` anywhere, in first-use order."""
    seen: dict[str, None] = {}
    for node in ast.walk(tree):
        key = literal_key(node, None)
        if key is not None:
            seen.setdefault(key, None)
    return list(seen)


def check_params_usage(tree: ast.Module) -> list[RawFinding]:
    """RW101–RW110 findings for every function that receives ``params`` (RW107–RW109 from
    :mod:`reward_sdk.lint.angles`)."""
    out: list[RawFinding] = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args] if a.arg == "params"}
        if fn.name == FUNCTION_NAME and (fn.args.posonlyargs or fn.args.args):
            names.add([*fn.args.posonlyargs, *fn.args.args][0].arg)
        if names:
            out.extend(_Scope(fn, names).run())
    return sorted(set(out + check_angles(tree)))


def _pos(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


class _Scope:
    """One function: its params names, key-bound locals, degree-valued locals, and the checks."""

    def __init__(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]) -> None:
        self.fn = fn
        self.names = set(names)
        self.bound: dict[str, str] = {}  # local -> params key it was read from
        self.degrees: set[str] = set()  # locals holding a degree value
        self.out: list[RawFinding] = []

    def run(self) -> list[RawFinding]:
        nodes = sorted(
            (n for n in ast.walk(self.fn) if hasattr(n, "lineno")),
            key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)),
        )
        for node in nodes:
            if isinstance(node, ast.Assign):
                self._bind(node)
        for node in nodes:
            self._check(node)
        self._check_steering(nodes)
        self._check_objects(nodes)
        return self.out

    # -- bookkeeping ----------------------------------------------------------------------------------------------
    def key_of(self, node: ast.AST) -> str | None:
        """The params key ``node`` evaluates to (direct access or a bound local)."""
        key = literal_key(node, self.names)
        if key is None and isinstance(node, ast.Name):
            key = self.bound.get(node.id)
        return key if key in _TYPES else None

    def _bind(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        target, value = node.targets[0].id, node.value
        if isinstance(value, ast.Name) and value.id in self.names:
            self.names.add(target)
            return
        key = self.key_of(value)
        if key is not None:
            self.bound[target] = key
        if self._is_degrees(value):
            self.degrees.add(target)

    def _is_degrees(self, expr: ast.AST) -> bool:
        """Whether ``expr`` mentions a degree quantity and no degree→radian conversion."""
        mentions = False
        for node in ast.walk(expr):
            if isinstance(node, ast.Call) and call_name(node) in _CONVERTERS:
                return False
            if (isinstance(node, ast.Name) and node.id == "pi") or (
                isinstance(node, ast.Attribute) and node.attr == "pi"
            ):
                return False
            if self.key_of(node) in DEGREE_KEYS or (isinstance(node, ast.Name) and node.id in self.degrees):
                mentions = True
        return mentions

    def add(self, node: ast.AST, code: str, message: str) -> None:
        self.out.append((*_pos(node), code, message))

    # -- checks ---------------------------------------------------------------------------------------------------
    def _check(self, node: ast.AST) -> None:
        key = literal_key(node, self.names)
        if key is not None and key not in _TYPES:
            close = get_close_matches(key, PARAM_NAMES, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else "; run `reward params` for the list"
            self.add(node, "RW101", f"unknown params key {key!r}{hint}")
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            inner = self.key_of(node.value)
            if inner in SCALAR_KEYS:
                self.add(node, "RW102", f"params[{inner!r}] is a {_TYPES[inner]}, it cannot be indexed")
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            operands = [node.left, node.right] if isinstance(node, ast.BinOp) else [node.operand]
            for operand in operands:
                inner = self.key_of(operand)
                if inner in LIST_KEYS and _is_numeric_op(node, operands):
                    self.add(node, "RW102", f"params[{inner!r}] is a {_TYPES[inner]}, not a number")
                    break
        if isinstance(node, ast.Compare):
            self._check_compare(node)
        if isinstance(node, ast.Call):
            self._check_call(node)
        self._check_mutation(node)

    def _check_compare(self, node: ast.Compare) -> None:
        self._check_float_equality(node)
        sides = [node.left, *node.comparators]
        keys = [self.key_of(side) for side in sides]
        numbers = [_is_number(side) or self.key_of(side) in (SCALAR_KEYS - BOOL_KEYS) for side in sides]
        for key in keys:
            if key in BOOL_KEYS and any(numbers):
                self.add(
                    node, "RW102", f"params[{key!r}] is a bool; comparing it with a number is misleading"
                )
                return
            if key in LIST_KEYS and any(numbers) and any(isinstance(op, _ORDER) for op in node.ops):
                self.add(node, "RW102", f"params[{key!r}] is a {_TYPES[key]}, not a number")
                return

    def _check_float_equality(self, node: ast.Compare) -> None:
        """RW110: ``==``/``!=`` between a measured float key and a number (exact values are legitimate only for
        the keys of :data:`EXACT_VALUES`)."""
        sides = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            if not isinstance(op, ast.Eq | ast.NotEq):
                continue
            pair = (sides[index], sides[index + 1])
            for side, other in (pair, pair[::-1]):
                key, value = self.key_of(side), number_value(other)
                if key not in FLOAT_KEYS or value is None:
                    continue
                exact = EXACT_VALUES.get(key, frozenset())
                if key in EXACT_VALUES and (exact is None or value in exact):
                    continue
                fix = f"{key} <= 0.01" if value == 0 else f"abs({key} - {value:g}) <= 0.01"
                self.add(
                    node,
                    "RW110",
                    f"params[{key!r}] == {value:g} is almost never exactly true for a measured float;"
                    f" compare with a tolerance (`{fix}` or math.isclose)",
                )
                return

    def _check_call(self, node: ast.Call) -> None:
        name = call_name(node)
        if name in _TRIG and node.args and self._is_degrees(node.args[0]):
            self.add(node, "RW103", f"{name}() of a value in degrees; convert with math.radians() first")
        if (
            name in {"sqrt", "exp", "log", "floor", "ceil"}
            and node.args
            and self.key_of(node.args[0]) in LIST_KEYS
        ):
            key = self.key_of(node.args[0])
            self.add(node, "RW102", f"params[{key!r}] is a {_TYPES[str(key)]}, not a number")

    def _check_mutation(self, node: ast.AST) -> None:
        target: ast.AST | None = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            target = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
        ):
            target = node.func.value
        if isinstance(target, ast.Name) and target.id in self.names:
            self.add(
                node, "RW105", "modifies params; the simulator passes a fresh copy, use a local variable"
            )

    def _check_steering(self, nodes: list[ast.AST]) -> None:
        found: list[tuple[ast.Compare, float]] = []
        for node in nodes:
            if not isinstance(node, ast.Compare) or len(node.ops) != 1 or not isinstance(node.ops[0], _ORDER):
                continue
            left, right = node.left, node.comparators[0]
            for side, other in ((left, right), (right, left)):
                value = number_value(other)
                if self.key_of(side) == "steering_angle" and value is not None and value != 0:
                    found.append((node, value))
        signs = {value > 0 for _, value in found}
        if len(signs) == 1:
            for node, _ in found:
                self.add(node, "RW104", "steering_angle is signed (+ left); compare abs(steering_angle)")

    def _check_objects(self, nodes: list[ast.AST]) -> None:
        guarded = False
        for node in nodes:
            if isinstance(node, ast.Call) and call_name(node) == "len" and node.args:
                guarded |= self.key_of(node.args[0]) in OBJECT_LIST_KEYS
            tests: list[ast.AST] = []
            if isinstance(node, ast.If | ast.While | ast.IfExp):
                tests = [node.test]
            elif isinstance(node, ast.BoolOp):
                tests = list(node.values)
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                tests = [node.operand]
            guarded |= any(self.key_of(test) in OBJECT_LIST_KEYS for test in tests)
        if guarded:
            return
        for node in nodes:
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                key = self.key_of(node.value)
                if key in OBJECT_LIST_KEYS:
                    self.add(
                        node,
                        "RW106",
                        f"params[{key!r}] is empty when the track has no objects; check its length",
                    )
                    return


def _is_number(node: ast.AST) -> bool:
    return number_value(node) is not None


def _is_numeric_op(node: ast.BinOp | ast.UnaryOp, operands: Sequence[ast.AST]) -> bool:
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.USub | ast.UAdd)
    if isinstance(node.op, ast.Add | ast.Mult):  # list + list and list * int are legal
        return any(isinstance(o, ast.Constant) and isinstance(o.value, float) for o in operands)
    return True
