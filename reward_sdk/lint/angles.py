"""RW107–RW109 — heading and angle mistakes: differences without wrap-around, radians mixed with degrees.

Static, per function, in source order. Every local gets an *angle unit* from what it was last assigned:

* ``deg`` — a direction in degrees: ``params['heading']``, ``math.degrees(...)``/``np.rad2deg(...)``;
* ``rad`` — a direction in radians: ``math.atan2/atan/asin/acos`` (and numpy's), ``math.radians(...)``;
* ``steer`` — ``params['steering_angle']`` (degrees, but within ±30°: its differences never wrap).

Units flow through ``abs``/``float``/``round``/``min``/``max``, unary minus, ``+``/``-`` with a constant,
scaling by a plain number, and through the return value of the module's own helper functions (a helper whose
returns are all in one unit). Anything involving ``pi`` in a product (``x * 180 / math.pi``) is a conversion
and gives an unknown unit. Findings:

* RW107: the difference of two directions (``abs(track_direction - heading)``) used without folding it into
  [-180°, 180°]. Folding is recognised as: the difference (or the local holding it) compared with 180/360 (or
  π/2π for radians), combined with 360 (``360 - diff``, ``% 360``), or passed to any function other than
  ``abs``/``float``/``round``/``int`` (a helper, ``min(d, 360 - d)``, ``math.cos``...).
* RW108: a radian value compared with or added to a degree value (``heading``, ``math.degrees(...)``), or
  compared with a degree-scale constant (|c| > 2π, such as 90 or 180).
* RW109: a radian value used as degrees: converted again with ``math.radians``/``np.deg2rad``, or combined with
  360/180/90 (``% 360``, ``360 - a``, ``a + 180``).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator

from reward_sdk.lint.contract import FUNCTION_NAME, RawFinding

__all__ = ["check_angles"]

_TO_RAD = frozenset(
    {"atan2", "atan", "asin", "acos", "arctan2", "arctan", "arcsin", "arccos", "radians", "deg2rad"}
)
_TO_DEG = frozenset({"degrees", "rad2deg"})
_DEG_TO_RAD = frozenset({"radians", "deg2rad"})
_PASS = frozenset({"abs", "fabs", "absolute", "float", "round", "int", "float64"})
_KEY_UNITS = {"heading": "deg", "steering_angle": "steer"}
_DIRECTIONS = frozenset({"deg", "rad"})
_RELATIVE = {"deg": "ddeg", "rad": "drad"}  # the difference of two directions
_DEGREE_LIKE = frozenset({"deg", "steer", "ddeg"})
_RADIAN_LIKE = frozenset({"rad", "drad"})
_WRAP_DEG = frozenset({180.0, 360.0, -180.0, -360.0})
_DEG_SCALE = 2.0 * math.pi + 0.01


def check_angles(tree: ast.Module) -> list[RawFinding]:
    """RW107–RW109 findings for every function of ``tree`` (nested ones and methods included)."""
    helpers = _helper_units(tree)
    out: list[RawFinding] = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            out.extend(_Function(fn, helpers).run())
    return sorted(set(out))


def _helper_units(tree: ast.Module) -> dict[str, str]:
    """Unit of the value returned by each top-level helper whose every ``return`` has the same known unit."""
    units: dict[str, str] = {}
    for _ in range(2):  # helpers calling helpers: a second pass sees the first one's units
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name != FUNCTION_NAME:
                scope = _Function(node, units)
                scope.run()
                found = set(scope.returns)
                if len(found) == 1 and None not in found:
                    units[node.name] = str(found.pop())
    return units


def literal_key(node: ast.AST, names: set[str] | None) -> str | None:
    """``'k'`` for ``P['k']`` or ``P.get('k', ...)`` where ``P`` is in ``names`` (any name when None)."""
    base: ast.AST | None = None
    key: ast.AST | None = None
    if isinstance(node, ast.Subscript):
        base, key = node.value, node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        base, key = node.func.value, node.args[0]
    if not isinstance(base, ast.Name) or not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    if names is None and base.id != "params":
        return None
    if names is not None and base.id not in names:
        return None
    return key.value


def call_name(node: ast.Call) -> str:
    """The called name: ``f`` for ``f(...)``, ``attr`` for ``obj.attr(...)``, "" otherwise."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def number_value(node: ast.AST) -> float | None:
    """The value of a numeric literal (with an optional sign), None for anything else (bools included)."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = number_value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    return None


def _mentions_pi(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id in {"pi", "tau"})
        or (isinstance(n, ast.Attribute) and n.attr in {"pi", "tau"})
        for n in ast.walk(node)
    )


def _parents(fn: ast.AST) -> dict[ast.AST, ast.AST]:
    out: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(fn):
        for child in ast.iter_child_nodes(node):
            out[child] = node
    return out


class _Function:
    """One function: the unit of its locals (in source order) and the RW107–RW109 checks."""

    def __init__(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, helpers: dict[str, str]) -> None:
        self.fn = fn
        self.helpers = helpers
        args = [*fn.args.posonlyargs, *fn.args.args]
        self.params = {a.arg for a in args if a.arg == "params"}
        if fn.name == FUNCTION_NAME and args:
            self.params.add(args[0].arg)
        self.env: dict[str, str] = {}
        self.returns: list[str | None] = []
        self.parent = _parents(fn)
        self.out: list[RawFinding] = []
        self.seen: set[int] = set()

    # -- units ----------------------------------------------------------------------------------------------------
    def unit(self, node: ast.AST) -> str | None:
        """The angle unit of expression ``node`` under the current locals (None when unknown or not an angle)."""
        if isinstance(node, ast.Name):
            return self.env.get(node.id)
        key = literal_key(node, self.params)
        if key is not None:
            return _KEY_UNITS.get(key)
        if isinstance(node, ast.Call):
            return self._call_unit(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return self.unit(node.operand)
        if isinstance(node, ast.IfExp):
            body, orelse = self.unit(node.body), self.unit(node.orelse)
            return body if body == orelse else None
        if isinstance(node, ast.BinOp):
            return self._binop_unit(node)
        return None

    def _call_unit(self, node: ast.Call) -> str | None:
        name = call_name(node)
        if name in _TO_DEG:
            return "deg"
        if name in _TO_RAD:
            return "rad"
        if isinstance(node.func, ast.Name) and name in self.helpers:
            return self.helpers[name]
        if name in _PASS and node.args:
            return self.unit(node.args[0])
        if name in {"min", "max", "fmin", "fmax", "minimum", "maximum"} and node.args:
            units = {self.unit(arg) for arg in node.args} - {None}
            return units.pop() if len(units) == 1 else None
        return None

    def _binop_unit(self, node: ast.BinOp) -> str | None:
        left, right = self.unit(node.left), self.unit(node.right)
        if isinstance(node.op, ast.Sub) and left == right and left in _DIRECTIONS:
            return _RELATIVE[left]  # direction - direction: a relative angle
        if isinstance(node.op, ast.Add | ast.Sub | ast.Mod):
            if {left, right} & _RADIAN_LIKE and {left, right} & _DEGREE_LIKE:
                return None  # mixed units (RW108): no unit, so one mistake gives one finding
            if left and right:
                if left in _DIRECTIONS or right in _DIRECTIONS:
                    return left if left in _DIRECTIONS else right
                return left if left == right else None
            return left or right
        if isinstance(node.op, ast.Mult | ast.Div):
            if _mentions_pi(node):
                return None  # x * 180 / pi and friends: a conversion
            known, other = (left, node.right) if left else (right, node.left)
            return known if known and number_value(other) is not None else None
        return None

    # -- walk -----------------------------------------------------------------------------------------------------
    def run(self) -> list[RawFinding]:
        for stmt in self._statements(self.fn.body):
            self._visit_statement(stmt)
        return self.out

    def _statements(self, body: list[ast.stmt]) -> Iterator[ast.stmt]:
        """Statements in source order, descending into blocks but not into nested functions or classes."""
        for stmt in body:
            yield stmt
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            for name in ("body", "orelse", "finalbody"):
                block = getattr(stmt, name, None)
                if isinstance(block, list):
                    yield from self._statements(block)
            for handler in getattr(stmt, "handlers", []):
                yield from self._statements(handler.body)

    def _visit_statement(self, stmt: ast.stmt) -> None:
        for expr in self._own_expressions(stmt):
            for node in reversed(list(ast.walk(expr))):  # inner expressions first: one mistake, one finding
                self._check(node)
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            self.returns.append(self.unit(stmt.value))
        if isinstance(stmt, ast.Assign):
            value_unit = self.unit(stmt.value)
            alias = isinstance(stmt.value, ast.Name) and stmt.value.id in self.params
            for target in stmt.targets:
                for name in _target_names(target):
                    if alias:
                        self.params.add(name)
                    elif value_unit and isinstance(target, ast.Name):
                        self.env[name] = value_unit
                    else:
                        self.env.pop(name, None)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor | ast.With):
            bound: list[ast.expr | None] = (
                [stmt.target] if not isinstance(stmt, ast.With) else [i.optional_vars for i in stmt.items]
            )
            for item in bound:
                for name in _target_names(item):
                    if not isinstance(stmt, ast.AugAssign):
                        self.env.pop(name, None)

    @staticmethod
    def _own_expressions(stmt: ast.stmt) -> list[ast.AST]:
        """The expressions evaluated by ``stmt`` itself (not by the statements of its blocks)."""
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return []
        out: list[ast.AST] = []
        for name, value in ast.iter_fields(stmt):
            if name in ("body", "orelse", "finalbody", "handlers"):
                continue
            items = value if isinstance(value, list) else [value]
            out.extend(item for item in items if isinstance(item, ast.expr))
        return out

    # -- checks ---------------------------------------------------------------------------------------------------
    def add(self, node: ast.AST, code: str, message: str) -> None:
        if id(node) not in self.seen:
            self.seen.add(id(node))
            self.out.append((node.lineno, node.col_offset + 1, code, message))  # type: ignore[attr-defined]

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Compare):
            self._check_compare(node)
        elif isinstance(node, ast.BinOp):
            self._check_binop(node)
        elif (
            isinstance(node, ast.Call)
            and call_name(node) in _DEG_TO_RAD
            and node.args
            and self.unit(node.args[0]) in _RADIAN_LIKE
        ):
            name = call_name(node)
            self.add(
                node, "RW109", f"{name}() of a value already in radians (atan2 result); drop the conversion"
            )

    def _check_compare(self, node: ast.Compare) -> None:
        sides = [node.left, *node.comparators]
        units = [self.unit(side) for side in sides]
        if _RADIAN_LIKE & set(units) and _DEGREE_LIKE & set(units):
            self.add(
                node,
                "RW108",
                "compares an angle in radians (atan2/radians) with one in degrees; use math.degrees()",
            )
            return
        for side, unit in zip(sides, units, strict=True):
            value = number_value(side)
            if unit is None and value is not None and abs(value) > _DEG_SCALE and _RADIAN_LIKE & set(units):
                self.add(
                    node,
                    "RW108",
                    f"compares an angle in radians with {value:g}, a degree value; convert with math.degrees() first",
                )
                return

    def _check_binop(self, node: ast.BinOp) -> None:
        left, right = self.unit(node.left), self.unit(node.right)
        pair = {left, right}
        if isinstance(node.op, ast.Add | ast.Sub) and pair & _RADIAN_LIKE and pair & _DEGREE_LIKE:
            self.add(
                node, "RW108", "adds or subtracts an angle in radians and one in degrees; use math.degrees()"
            )
            return
        if isinstance(node.op, ast.Add | ast.Sub | ast.Mod) and pair & _RADIAN_LIKE and None in pair:
            other, angle = (node.right, node.left) if left in _RADIAN_LIKE else (node.left, node.right)
            value = number_value(other)
            inner_seen = any(id(inner) in self.seen for inner in ast.walk(angle))  # (a + 360) % 360: once
            if value is not None and abs(value) in {90.0, 180.0, 270.0, 360.0} and not inner_seen:
                self.add(
                    node,
                    "RW109",
                    f"an angle in radians (atan2 result) combined with {value:g} as if it were in degrees;"
                    " convert with math.degrees() first",
                )
                return
        if (
            isinstance(node.op, ast.Sub)
            and left == right
            and left in _DIRECTIONS
            and not self._folded(node, left)
        ):
            unit = "180" if left == "deg" else "pi"
            self.add(
                node,
                "RW107",
                f"difference of two directions is not wrapped: it can exceed {unit} (e.g. 179 vs -179 is 2°, not 358°);"
                f" fold it: `if diff > {unit}: diff = {'360' if left == 'deg' else '2 * pi'} - diff`",
            )

    # -- wrap-around detection ------------------------------------------------------------------------------------
    def _folded(self, node: ast.BinOp, unit: str) -> bool:
        """Whether the difference ``node`` is folded into [-180°, 180°] where it is used."""
        current: ast.AST = node
        while True:
            parent = self.parent.get(current)
            if parent is None or isinstance(parent, ast.stmt):
                break
            if self._is_fold_use(parent, current, unit):
                return True
            if isinstance(parent, ast.Call) and call_name(parent) not in _PASS:
                return True
            current = parent
        statement = parent
        if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = {name for target in targets for name in _target_names(target)}
            return any(self._name_folded(name, statement, unit) for name in names)
        # a helper returning the raw difference leaves the folding to its caller
        return isinstance(statement, ast.Return) and self.fn.name != FUNCTION_NAME

    def _name_folded(self, name: str, statement: ast.stmt, unit: str) -> bool:
        after = getattr(statement, "end_lineno", statement.lineno)
        for node in ast.walk(self.fn):
            if (
                isinstance(node, ast.AugAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == name
                and (isinstance(node.op, ast.Mod) or number_value(node.value) in _WRAP_DEG)
            ):
                return True
            if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
                continue
            if node.lineno < statement.lineno or (node.lineno <= after and self._inside(node, statement)):
                continue
            use: ast.AST = node
            parent = self.parent.get(use)
            while parent is not None and isinstance(parent, ast.Call) and call_name(parent) in _PASS:
                use, parent = parent, self.parent.get(parent)
            if parent is None:
                continue
            if self._is_fold_use(parent, use, unit):
                return True
            if isinstance(parent, ast.Call) and use in parent.args and call_name(parent) not in _PASS:
                return True
        return False

    def _inside(self, node: ast.AST, statement: ast.stmt) -> bool:
        current: ast.AST | None = node
        while current is not None:
            if current is statement:
                return True
            current = self.parent.get(current)
        return False

    def _is_fold_use(self, parent: ast.AST, child: ast.AST, unit: str) -> bool:
        """``parent`` folds ``child``: compared with 180/360 (π/2π), or combined with 360 (2π) or ``%``."""
        others: list[ast.AST] = []
        if isinstance(parent, ast.Compare):
            others = [side for side in [parent.left, *parent.comparators] if side is not child]
        elif isinstance(parent, ast.BinOp):
            if isinstance(parent.op, ast.Mod):
                return True
            if isinstance(parent.op, ast.Add | ast.Sub):
                others = [parent.right if parent.left is child else parent.left]
        else:
            return False
        for other in others:
            if unit == "deg" and number_value(other) in _WRAP_DEG:
                return True
            if unit == "rad" and (_mentions_pi(other) or number_value(other) in {3.14, 3.1416, 6.28, 6.2832}):
                return True
        return False


def _target_names(target: ast.AST | None) -> list[str]:
    if target is None:
        return []
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
