"""Static policy: parse, check and compile untrusted reward source with RestrictedPython.

:func:`check_source` reports *every* violation with line and (1-based) column, without running anything; it is
shared with ``reward lint``. :func:`compile_reward` turns clean source into a restricted code object or raises
:class:`~sandbox.errors.RewardCompileError` (:class:`~sandbox.errors.ForbiddenImport` when an import is refused).

Violation kinds:

=================  ==========================================================================================
``syntax``         the source does not parse
``import``         module (full dotted name) or imported name outside the allowlist, relative or ``*`` import
``forbidden-name`` ``exec eval compile open input globals locals vars breakpoint setattr delattr ...``
``dunder``         a name, attribute or keyword argument starting with ``_`` (``__class__``, ``__import__``,
                   ``random._os``, ``f(__array_interface__=...)``, ``global _x``)
``io``             file I/O attributes (``save load tofile memmap genfromtxt ...``)
``native``         native/process escape hatches (``ctypes ctypeslib f2py cffi``)
``restricted``     anything else RestrictedPython refuses (frames, ``except*``, ``nonlocal`` ...)
=================  ==========================================================================================
"""

from __future__ import annotations

import ast
import types
from dataclasses import dataclass

from RestrictedPython.compile import compile_restricted_exec
from RestrictedPython.transformer import (
    INSPECT_ATTRIBUTES,
    IOPERATOR_TO_STR,
    RestrictingNodeTransformer,
    copy_locations,
)

from sandbox.errors import ForbiddenImport, RewardCompileError
from sandbox.modules import ALLOWED_MODULES

__all__ = [
    "FORBIDDEN_NAMES",
    "IO_ATTRIBUTES",
    "NATIVE_ATTRIBUTES",
    "Violation",
    "check_source",
    "compile_reward",
    "imported_roots",
]

#: Builtins whose use is refused statically (most are also absent at run time).
FORBIDDEN_NAMES = frozenset(
    [
        "exec",
        "eval",
        "compile",
        "open",
        "input",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "setattr",
        "delattr",
        "help",
        "exit",
        "quit",
        "memoryview",
        "copyright",
        "credits",
        "license",
    ]
)
#: File-I/O attribute names (numpy/scipy/shapely readers and writers, ndarray.tofile/dump).
IO_ATTRIBUTES = frozenset(
    [
        "save",
        "savez",
        "savez_compressed",
        "savetxt",
        "load",
        "loads",
        "loadtxt",
        "genfromtxt",
        "fromfile",
        "fromregex",
        "memmap",
        "open_memmap",
        "tofile",
        "dump",
        "dumps",
        "DataSource",
        "recfromtxt",
        "recfromcsv",
    ]
)
#: Native-code and process escape hatches.
NATIVE_ATTRIBUTES = frozenset(["ctypes", "ctypeslib", "f2py", "cffi"])


@dataclass(frozen=True, order=True)
class Violation:
    """One policy violation at ``line`` (1-based) and ``col`` (1-based; 0 when unknown)."""

    line: int
    col: int
    kind: str
    message: str

    def format(self, filename: str) -> str:
        """``file:line:col: message`` (the one-line form used in errors and lint output)."""
        return f"{filename}:{self.line}:{self.col}: {self.message}"


class _Transformer(RestrictingNodeTransformer):
    """RestrictedPython's transformer, recording node positions and allowing ``a.b += x`` / ``a[i] += x``."""

    def __init__(
        self,
        errors: list[str] | None = None,
        warnings: list[str] | None = None,
        used_names: dict[str, bool] | None = None,
    ) -> None:
        super().__init__(errors, warnings, used_names)
        self.positions: list[tuple[int, int, str]] = []

    def error(self, node: ast.AST, info: str) -> None:
        super().error(node, info)
        self.positions.append(
            (getattr(node, "lineno", 0) or 0, (getattr(node, "col_offset", -1) or 0) + 1, info)
        )

    def _check_attr(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_") and node.attr != "_":
            self.error(node, f'"{node.attr}" is an invalid attribute name because it starts with "_".')
        if node.attr in INSPECT_ATTRIBUTES:
            self.error(node, f'"{node.attr}" is a restricted name, that is forbidden to access.')

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST | list[ast.stmt]:  # noqa: N802
        target = node.target
        if not isinstance(target, ast.Attribute | ast.Subscript):
            result: ast.AST = super().visit_AugAssign(node)  # type: ignore[assignment]
            return result
        op = ast.Constant(IOPERATOR_TO_STR[type(node.op)])
        rhs = self.visit(node.value)
        obj_tmp = self.gen_tmp_name()
        stmts: list[ast.stmt] = [ast.Assign([ast.Name(obj_tmp, ast.Store())], self.visit(target.value))]
        store_obj = ast.Call(ast.Name("_write_", ast.Load()), [ast.Name(obj_tmp, ast.Load())], [])
        if isinstance(target, ast.Attribute):
            self._check_attr(target)
            load = ast.Call(
                ast.Name("_getattr_", ast.Load()),
                [ast.Name(obj_tmp, ast.Load()), ast.Constant(target.attr)],
                [],
            )
            store: ast.expr = ast.Attribute(store_obj, target.attr, ast.Store())
        else:
            idx_tmp = self.gen_tmp_name()
            stmts.append(ast.Assign([ast.Name(idx_tmp, ast.Store())], self.visit(target.slice)))
            load = ast.Call(
                ast.Name("_getitem_", ast.Load()),
                [ast.Name(obj_tmp, ast.Load()), ast.Name(idx_tmp, ast.Load())],
                [],
            )
            store = ast.Subscript(store_obj, ast.Name(idx_tmp, ast.Load()), ast.Store())
        value = ast.Call(ast.Name("_inplacevar_", ast.Load()), [op, load, rhs], [])
        stmts.append(ast.Assign([store], value))
        for stmt in stmts:
            copy_locations(stmt, node)
            for child in ast.walk(stmt):
                if "lineno" in child._attributes and not hasattr(child, "lineno"):
                    copy_locations(child, node)  # type: ignore[arg-type]
        return stmts


def _rp_kind(info: str) -> str:
    if 'starts with "_"' in info or "__roles__" in info:
        return "dunder"
    if "reserved name" in info:
        return "forbidden-name"
    return "restricted"


def _import_violations(node: ast.Import | ast.ImportFrom) -> list[Violation]:
    line, col = node.lineno, node.col_offset + 1
    out: list[Violation] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name not in ALLOWED_MODULES:
                out.append(Violation(line, col, "import", f"import of module {alias.name!r} is not allowed"))
        return out
    if node.level:
        return [Violation(line, col, "import", "relative imports are not allowed")]
    module = node.module or ""
    if module not in ALLOWED_MODULES:
        return [Violation(line, col, "import", f"import from module {module!r} is not allowed")]
    vetted = ALLOWED_MODULES[module]
    for alias in node.names:
        if alias.name == "*":
            out.append(Violation(line, col, "import", f"'from {module} import *' is not allowed"))
        elif vetted is not None and alias.name not in vetted:
            kind = "io" if alias.name in IO_ATTRIBUTES else "import"
            out.append(Violation(line, col, kind, f"name {alias.name!r} of module {module!r} is not allowed"))
    return out


def _static_violations(tree: ast.AST) -> list[Violation]:
    assigned = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)
    } | {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    out: list[Violation] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.extend(_import_violations(node))
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES and node.id not in assigned:
            out.append(
                Violation(
                    node.lineno, node.col_offset + 1, "forbidden-name", f"use of {node.id!r} is not allowed"
                )
            )
        elif isinstance(node, ast.Attribute) and node.attr in IO_ATTRIBUTES:
            msg = f"file I/O attribute {node.attr!r} is not allowed"
            out.append(Violation(node.lineno, node.col_offset + 1, "io", msg))
        elif isinstance(node, ast.Attribute) and node.attr in NATIVE_ATTRIBUTES:
            msg = f"native-code attribute {node.attr!r} is not allowed"
            out.append(Violation(node.lineno, node.col_offset + 1, "native", msg))
        elif isinstance(node, ast.keyword) and node.arg is not None and node.arg.startswith("_"):
            # RestrictedPython checks no keyword names: f(__array_interface__=...) would give any
            # keyword-storing callable (scipy's OptimizeResult ...) a numpy protocol member.
            msg = f'"{node.arg}" is an invalid keyword argument name because it starts with "_".'
            out.append(Violation(node.lineno, node.col_offset + 1, "dunder", msg))
        elif isinstance(node, ast.Global | ast.Nonlocal):
            out.extend(
                Violation(
                    node.lineno,
                    node.col_offset + 1,
                    "dunder",
                    f'"{name}" is an invalid name (starts with "_").',
                )
                for name in node.names
                if name.startswith("_")
            )
    return out


def _restricted_compile(source: str, filename: str) -> tuple[types.CodeType | None, list[Violation]]:
    holder: list[_Transformer] = []

    class _Policy(_Transformer):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            holder.append(self)

    result = compile_restricted_exec(source, filename=filename, policy=_Policy)
    found: list[Violation] = []
    if holder:
        found = [Violation(line, col, _rp_kind(info), info) for line, col, info in holder[0].positions]
    return result.code, found


def check_source(source: str, filename: str = "reward.py") -> list[Violation]:
    """Return every policy violation of ``source`` sorted by position (empty list = compiles cleanly).

    Never executes the source. A syntax error yields a single ``syntax`` violation (nothing else can be checked).
    """
    return _check(source, filename)[1]


def _check(source: str, filename: str) -> tuple[types.CodeType | None, list[Violation]]:
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        line = exc.lineno or 0
        return None, [Violation(line, exc.offset or 0, "syntax", f"SyntaxError: {exc.msg}")]
    found = _static_violations(tree)
    code, rp_found = _restricted_compile(source, filename)
    seen = {(v.line, v.col) for v in found}
    found.extend(v for v in rp_found if (v.line, v.col) not in seen)
    found.sort()
    return (code if not found else None), found


def compile_reward(source: str, filename: str = "reward_function.py") -> types.CodeType:
    """Compile ``source`` under the policy; raise :class:`RewardCompileError` listing all violations.

    Raises :class:`ForbiddenImport` (a subclass) when any violation is of kind ``import``.
    """
    code, found = _check(source, filename)
    if found or code is None:
        first = found[0].format(filename) if found else f"{filename}: does not compile"
        more = f" (+{len(found) - 1} more violations)" if len(found) > 1 else ""
        cls = ForbiddenImport if any(v.kind == "import" for v in found) else RewardCompileError
        raise cls(first + more, found)
    return code


def imported_roots(source: str) -> set[str]:
    """Top-level package names imported anywhere in ``source`` (empty set if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".", 1)[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".", 1)[0])
    return roots
