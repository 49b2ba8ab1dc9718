"""RW0xx — the contract of a reward file: it parses, defines ``reward_function(params)``, returns a number on
every path, has no dead code, imports without failing (RW010) and is accepted by the official validator (RW011).

RW001–RW006 are static (:mod:`ast`); :func:`check_contract` returns raw ``(line, col, code, message)`` tuples that
the engine turns into :class:`~reward_sdk.lint.registry.Finding` objects. :func:`import_failure` turns a failed
module import in the sandbox into RW010, :func:`aws_rejection` an AWS verdict into RW011 (only when no other
finding already explains it). Their rule pages are :data:`CONTRACT_RULES` (registered by the registry).
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

from reward_sdk.lint.registry import Finding, Rule

if TYPE_CHECKING:
    from reward_sdk.lint.aws import AwsVerdict

__all__ = [
    "CONTRACT_RULES",
    "RawFinding",
    "aws_rejection",
    "check_contract",
    "find_reward_function",
    "import_failure",
    "parse_source",
]

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


# -- RW010 / RW011: what happens when the module is imported, and what the official validator answers ----------
IMPORT_CODE, AWS_CODE = "RW010", "RW011"
_AWS_WHY = (
    "The DeepRacer console validates the file before training; a rejected file cannot be trained, and its "
    "message (only the first error, often garbled) rarely says how to fix it."
)
CONTRACT_RULES = (
    Rule(
        IMPORT_CODE,
        "import-fails",
        "The module raises (or never finishes) when it is imported.",
        "Runs the module-level code once in the sandbox, as the simulator and the validator import the file; an "
        "exception there (NameError, ImportError, ZeroDivisionError...) is reported with its line, and so is "
        "module-level code that does not finish or a module that does not bind a callable `reward_function`.",
        "Nothing can call `reward_function` if the module cannot be imported: the validator rejects the file "
        "(IMPORT_ERROR for an ImportError) and training would fail at start.",
        "import math\nBASE = math.tau / ZERO\n\n\ndef reward_function(params):\n    return BASE",
        "import math\nBASE = math.tau / 2\n\n\ndef reward_function(params):\n    return BASE",
    ),
    Rule(
        AWS_CODE,
        "aws-would-reject",
        "The official AWS validator would reject this file, for a reason no other finding reports.",
        "Reproduces the validator's cheap static steps on every run (flake8 `--select=E,F "
        "--ignore=E5,E226,E261` when flake8 is installed, the import allowlist, the forbidden calls and "
        "substrings) and, when the runtime checks run, its five fixed calls with every import blocked during the "
        "first one. Reported once, at the line that fails, as `AWS would reject: E302 line 4: ...`, only when no "
        "other finding already explains the rejection; `--aws` gives the full verdict. Ignore it (`ignore = "
        '["RW011"]`) if you never upload through the console.',
        _AWS_WHY,
        "import math\n\ndef reward_function(params):\n    return float(math.pi)  # E302: one blank line",
        "import math\n\n\ndef reward_function(params):\n    return float(math.pi)",
    ),
)
_WHERE = re.compile(r":(\d+): ")
_STAGES = {
    "flake8": "flake8",
    "imports": "import allowlist",
    "builtins": "forbidden-call check",
    "strings": "forbidden-substring check",
    "import": "module import",
    "first-call": "first call",
    "runtime": "runtime tests",
}


def import_failure(exc: Any, path: str, limit_s: float) -> tuple[int, int, str, str, dict[str, Any]]:
    """RW010 for the sandbox error ``exc`` raised while the worker imported the module (``path`` as named in its
    messages; ``limit_s`` the module-level time limit)."""
    from sandbox import RewardTimeout

    message = str(getattr(exc, "message", exc))
    rest = message[len(path) :] if message.startswith(path) else message
    match = _WHERE.match(rest)
    line = int(match.group(1)) if match else 1
    text = rest[match.end() :] if match else rest.lstrip(": ")
    if isinstance(exc, RewardTimeout):
        text = f"module-level code does not finish within {limit_s:g} s"
    elif "is not defined by the module" in text:
        text = "the module does not bind a callable `reward_function` once it has run"
    else:
        text = f"the module fails when imported: {text}"
    return (line, 1, IMPORT_CODE, text, {})


def aws_rejection(verdict: AwsVerdict | None, findings: list[Finding]) -> tuple[int, int, str, str] | None:
    """RW011 when ``verdict`` rejects the file and none of ``findings`` explains why (see :data:`CONTRACT_RULES`).

    Explanations: a syntax error (RW001) for flake8's E999; an undefined-name finding (RW007) on the same line
    for pyflakes' F82x; a sandbox-policy finding (RW2xx) for the allowlist, forbidden calls and substrings; an
    import failure (RW010) or a missing function (RW002) for the module import; any contract, params-usage or
    runtime finding (RW0/RW1/RW3) for a failing call, except the validator's own import hook, which nothing
    else reports. flake8 style codes, the validator's walker crash and calls it cannot verify always report.
    """
    if verdict is None or verdict.passed:
        return None
    codes = {finding.code for finding in findings}
    families = {code[:3] for code in codes}
    stage, line = verdict.stage, verdict.lineno
    same_line = {finding.code for finding in findings if finding.line == line}
    if stage == "flake8":
        explained = (verdict.code == "E999" and "RW001" in codes) or (
            verdict.code.startswith("F82") and "RW007" in same_line
        )
    elif stage in ("imports", "builtins"):
        explained = "can only join" not in verdict.message and "RW2" in families
    elif stage == "strings":
        explained = any(code.startswith("RW2") for code in same_line)
    elif stage == "import":
        explained = bool(codes & {"RW002", IMPORT_CODE, "RW007"})
    elif (
        verdict.response is None and not verdict.hang
    ) or "Import should be put at the top" in verdict.message:
        explained = False  # calls we could not verify; the validator's own import hook
    else:
        explained = bool(families & {"RW0", "RW1", "RW3"})
    if explained:
        return None
    if stage == "flake8":
        text = f"AWS would reject: {verdict.code} line {line}: {verdict.detail or verdict.message.strip()}"
    else:
        label = _STAGES.get(stage, stage)
        where = f" (line {line})" if line else ""
        text = f"AWS would reject at its {label}{where}: {verdict.message}"
    return (line or 1, 1, AWS_CODE, text if len(text) <= 300 else text[:297] + "...")
