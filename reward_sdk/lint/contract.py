"""RW0xx — the contract of a reward file: it parses, defines ``reward_function(params)``, returns a number on
every path, and has no dead code.

All checks are static (:mod:`ast`); :func:`check_contract` returns raw ``(line, col, code, message)`` tuples that
the engine turns into :class:`~reward_sdk.lint.registry.Finding` objects.
"""

from __future__ import annotations

import ast

__all__ = ["RawFinding", "check_contract", "find_reward_function", "parse_source"]

RawFinding = tuple[int, int, str, str]
FUNCTION_NAME = "reward_function"
_TERMINAL = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_NON_NUMERIC = {
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "a string",
    ast.ListComp: "a list",
    ast.DictComp: "a dict",
    ast.SetComp: "a set",
    ast.GeneratorExp: "a generator",
    ast.Lambda: "a function",
}


def parse_source(source: str, filename: str) -> tuple[ast.Module | None, RawFinding | None]:
    """Parse ``source``; on failure return ``(None, RW001 finding)`` with the parser's position."""
    try:
        return ast.parse(source, filename), None
    except SyntaxError as exc:
        kind = type(exc).__name__
        line, col = exc.lineno or 1, max(exc.offset or 1, 1)
        return None, (line, col, "RW001", f"{kind}: {exc.msg}")


def find_reward_function(tree: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The last top-level ``def reward_function`` (the one Python would bind), or None."""
    found = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == FUNCTION_NAME:
            found = node
    return found


def check_contract(tree: ast.Module) -> list[RawFinding]:
    """RW002–RW006 findings for a parsed module."""
    out: list[RawFinding] = []
    fn = find_reward_function(tree)
    if fn is None:
        out.append((1, 1, "RW002", "no top-level `def reward_function(params)` in this file"))
    else:
        out.extend(_signature(fn))
        out.extend(_returns(fn))
    out.extend(_unreachable(tree))
    return out


def _pos(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


def _signature(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[RawFinding]:
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    required = len(positional) - len(args.defaults)
    required_kw = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    line, col = _pos(fn)
    problem = ""
    if isinstance(fn, ast.AsyncFunctionDef):
        problem = "is async; the simulator calls it synchronously"
    elif required_kw:
        problem = f"has required keyword-only parameter(s) {', '.join(required_kw)}"
    elif required > 1:
        problem = f"requires {required} positional parameters"
    elif not positional and args.vararg is None:
        problem = "takes no positional parameter"
    if problem:
        return [
            (line, col, "RW003", f"`reward_function` {problem}; it must be `def reward_function(params)`")
        ]
    return []


def _returns(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[RawFinding]:
    out: list[RawFinding] = []
    for node in _own_nodes(fn):
        if not isinstance(node, ast.Return):
            continue
        line, col = _pos(node)
        value = node.value
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            out.append((line, col, "RW004", "`return` without a value returns None, not a number"))
        elif isinstance(value, ast.Constant) and isinstance(value.value, str | bytes):
            out.append((line, col, "RW005", f"returns a string ({value.value!r}), not a number"))
        elif type(value) in _NON_NUMERIC:
            out.append((line, col, "RW005", f"returns {_NON_NUMERIC[type(value)]}, not a number"))
    if not _terminates(fn.body):
        last = fn.body[-1]
        line = getattr(last, "end_lineno", None) or last.lineno
        out.append(
            (
                line,
                1,
                "RW004",
                "a path reaches the end of `reward_function` and returns None; add a final return",
            )
        )
    return out


def _own_nodes(fn: ast.AST) -> list[ast.AST]:
    """Nodes of ``fn``'s body, not descending into nested functions, lambdas or classes."""
    out: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        out.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _terminates(body: list[ast.stmt]) -> bool:
    """True when every path through ``body`` ends in ``return``/``raise`` (or an endless loop)."""
    return any(_stmt_terminates(stmt) for stmt in body)


def _stmt_terminates(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Return | ast.Raise):
        return True
    if isinstance(stmt, ast.If):
        return _terminates(stmt.body) and _terminates(stmt.orelse)
    if isinstance(stmt, ast.While):
        endless = isinstance(stmt.test, ast.Constant) and bool(stmt.test.value)
        return endless and not _has_break(stmt.body)
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return _terminates(stmt.body)
    if isinstance(stmt, ast.Try | ast.TryStar):
        if stmt.finalbody and _terminates(stmt.finalbody):
            return True
        main = _terminates(stmt.body) or bool(stmt.orelse and _terminates(stmt.orelse))
        return main and all(_terminates(handler.body) for handler in stmt.handlers)
    if isinstance(stmt, ast.Match):
        wildcard = any(
            isinstance(case.pattern, ast.MatchAs) and case.pattern.pattern is None and case.guard is None
            for case in stmt.cases
        )
        return wildcard and all(_terminates(case.body) for case in stmt.cases)
    return False


def _has_break(body: list[ast.stmt]) -> bool:
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Break):
            return True
        if isinstance(node, ast.For | ast.While | ast.AsyncFor | ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend(node.orelse if isinstance(node, ast.For | ast.While | ast.AsyncFor) else [])
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def _unreachable(tree: ast.Module) -> list[RawFinding]:
    out: list[RawFinding] = []
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if not isinstance(block, list):
                continue
            for index, stmt in enumerate(block[:-1]):
                if isinstance(stmt, _TERMINAL) or (isinstance(stmt, ast.If) and _stmt_terminates(stmt)):
                    nxt = block[index + 1]
                    kind = type(stmt).__name__.lower() if isinstance(stmt, _TERMINAL) else "if/else returning"
                    line, col = _pos(nxt)
                    out.append((line, col, "RW006", f"unreachable code after `{kind}`"))
                    break
    return out
