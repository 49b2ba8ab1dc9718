"""The verdict the official DeepRacer validator would give (``reward lint --aws``), and what it would miss.

The official validator (``shared/spec/AWS_VALIDATOR.md`` §1.2) runs, stopping at the first failure:

1. ``flake8 --select=E,F --ignore=E5,E226,E261`` — the first finding fails validation. We run flake8 in-process
   with the same selection when it is importable (the ``[aws]`` extra). Without flake8, ``--aws`` uses a
   documented **approximation** (syntax errors E999, unused imports F401 and unused locals F841 only) and the
   default ``reward lint`` skips this step;
2. the import allowlist (``math, random, numpy, scipy, shapely``; submodules allowed; ``from . import x`` crashes
   the validator's analyser);
3. the call-name check (``open, exec, eval, compile, input``), walked the way the validator walks the tree —
   including its crash on a call or attribute whose base is not a name (``'{}'.format()``,
   ``params['x'].tolist()``): "can only join an iterable";
4. the forbidden-substring search over the raw text (comments included);
5. import of the module, one call on its first fixed dict with every ``import`` blocked, then the signature check
   and the five fixed dicts (type and range; a call over 5 s → "Timed Out"). Step 5 runs in our sandbox
   (:mod:`reward_sdk.lint.aws_run`); :func:`refused_first_call` emulates its import hook statically for code our
   sandbox refuses to run.

Every verdict carries ``response``: the JSON list the validator's Lambda returns, in its exact shapes (§1.4) —
a flake8 finding ``{"type", "message", "line", "lineNumber": "<str>"}``, a wrapped exception ``{"type",
"message", "line"[, "lineNumber": <int>]}`` or an explicit failure ``{"message", "type": "TEST_FAILURE"}``. The
UI shows only ``response[0]["message"]`` (:attr:`AwsVerdict.message`).
"""

from __future__ import annotations

import ast
import importlib.util
import logging
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AwsVerdict",
    "aws_static_verdict",
    "explicit_failure",
    "flake8_available",
    "refused_first_call",
    "wrapped_failure",
]

ALLOWLIST_IMPORTS = ("math", "random", "numpy", "scipy", "shapely")
FORBID_ACCESS = ("open", "exec", "eval", "compile", "input")
FORBID_STRINGS = (
    "__import__",
    "load",
    "fromfile",
    "genfromtxt",
    "loadtxt",
    "tofile",
    "savez",
    "save",
    "savetxt",
    "memmap",
)
FLAKE8_ARGS = ("--select=E,F", "--ignore=E5,E226,E261", "--format=%(code)s:%(row)d:%(text)s", "--isolated")
IMPORT_HOOK_MESSAGE = "Import should be put at the top of file, module: {module}"
#: The validator's own source lines (its ``test_reward_function.py`` also ends with ``reward_function.py``, so
#: their line numbers leak into the response): the analyser crash, the walker crash, the missing function.
ANALYSER_CRASH = ('all_imports = [x.split(".")[0] for x in all_imports]', 201)
WALKER_CRASH = ('c.append(".".join(_parse_chain(d, c)))', 181)
MISSING_FUNCTION = ("rf = reward_function.reward_function", 306)


@dataclass(frozen=True)
class AwsVerdict:
    """What the official validator would answer.

    :param passed: True for ``[]`` (the UI's "Your reward function passed validation.").
    :param message: the message the UI would show (empty when passed).
    :param stage: ``flake8``, ``imports``, ``builtins``, ``strings``, ``import``, ``first-call``, ``runtime``.
    :param hang: the validator would never answer (module import or first call does not return).
    :param note: how the verdict was obtained (e.g. the flake8 approximation, or code not executed).
    :param response: the validator's JSON list (``[]`` when passed, None when it never answers or when our
        emulation could not tell).
    :param lineno: the line of the user's file that causes the failure (0 when unknown or whole-file); the
        validator's own ``lineNumber`` is in ``response``.
    :param code: the flake8 code of a ``flake8`` failure (``E302``), else empty.
    :param detail: flake8's own text of that failure (before the validator garbles it), else empty.
    """

    passed: bool
    message: str = ""
    stage: str = ""
    hang: bool = False
    note: str = ""
    response: list[dict[str, Any]] | None = field(default_factory=list)
    lineno: int = 0
    code: str = ""
    detail: str = ""

    def line(self) -> str:
        """``aws-verdict: pass`` or ``aws-verdict: fail: <message>`` (stable, greppable)."""
        return "aws-verdict: pass" if self.passed else f"aws-verdict: fail: {self.message}"


def explicit_failure(message: str, stage: str, lineno: int = 0, note: str = "") -> AwsVerdict:
    """A failure the validator raises itself (``fail()``): ``{"message": ..., "type": "TEST_FAILURE"}``."""
    return AwsVerdict(
        False,
        message,
        stage,
        note=note,
        response=[{"message": message, "type": "TEST_FAILURE"}],
        lineno=lineno,
    )


def wrapped_failure(
    last_line: str, source_line: str, line_number: int | None, stage: str, *, is_import: bool, lineno: int = 0
) -> AwsVerdict:
    """An exception caught by the validator's ``@wrap``: ``{"type", "message", "line"[, "lineNumber"]}``.

    :param last_line: the last line of the formatted exception (``KeyError: 'speeed'``); ``message`` is the text
        after its first ``:``. Without a ``:`` the validator's own unpacking fails and the response is that
        ValueError as an explicit failure (reproduced).
    :param line_number: the validator's ``lineNumber`` (only when the last frame is in a ``reward_function.py``).
    :param is_import: the exception is an ImportError (type ``IMPORT_ERROR``, else ``TEST_FAILURE``).
    """
    if ":" not in last_line:
        return explicit_failure("ValueError: not enough values to unpack (expected 2, got 1)", stage, lineno)
    message = last_line.split(":", 1)[1].strip()
    item: dict[str, Any] = {
        "type": "IMPORT_ERROR" if is_import else "TEST_FAILURE",
        "message": message,
        "line": source_line.strip(),
    }
    if line_number is not None:
        item["lineNumber"] = line_number
    return AwsVerdict(False, message, stage, response=[item], lineno=lineno)


def flake8_available() -> bool:
    return importlib.util.find_spec("flake8") is not None


def aws_static_verdict(source: str, *, approximate: bool = True) -> AwsVerdict | None:
    """Steps 1–4; ``None`` when all pass (then the runtime steps decide).

    :param approximate: without flake8, approximate step 1 (True, ``--aws``) or skip it (False, the default
        ``reward lint``, which must not claim a rejection it cannot reproduce).
    """
    have_flake8 = flake8_available()
    lines = _flake8_lines(source) if have_flake8 else ([_approx_first(source)] if approximate else [])
    first = _flake8_verdict([line for line in lines if line], source, have_flake8)
    if first is not None:
        return first
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:  # flake8 skipped: the validator's flake8 step would report E999 here
        return _flake8_verdict([f"E999:{exc.lineno or 1}:{type(exc).__name__}: {exc.msg}"], source, False)
    return _imports_verdict(tree) or _builtins_verdict(tree) or _strings_verdict(source)


# -- step 1: flake8 ----------------------------------------------------------------------------------------------
def _flake8_lines(source: str) -> list[str]:
    """flake8's output lines for ``source`` saved as ``reward_function.py`` (in-process, no config files).

    Only pycodestyle E and pyflakes F codes are kept: a plugin installed next to flake8 is not on AWS.
    """
    from flake8.main.application import Application

    with tempfile.TemporaryDirectory(prefix="reward-lint-aws-") as folder:
        path = os.path.join(folder, "reward_function.py")
        out = os.path.join(folder, "flake8.txt")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        logger = logging.getLogger("flake8")
        level = logger.level
        logger.setLevel(
            logging.ERROR
        )  # it warns that a %-pattern --format is not a formatter name (it is fine)
        try:
            Application().run([*FLAKE8_ARGS, "--output-file", out, path])
        finally:
            logger.setLevel(level)
        with open(out, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    return [line for line in lines if line.strip() and _is_core_code(line.split(":", 1)[0])]


def _is_core_code(code: str) -> bool:
    return len(code) == 4 and code[1:].isdigit() and (code[0] == "F" or (code[0] == "E" and code[1] != "8"))


def _flake8_verdict(lines: list[str], source: str, exact: bool) -> AwsVerdict | None:
    """The validator's response to flake8 output ``CODE:ROW:TEXT`` lines: the first one, parsed its way."""
    if not lines:
        return None
    note = "" if exact else "approximated without flake8 (pip install 'reward-sdk[aws]')"
    content = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    try:
        items = [_flake8_item(line, content) for line in lines]
    except (ValueError, IndexError) as exc:
        item: dict[str, Any] = {"type": "Unexpected Error", "message": str(exc), "lineNumber": "1"}
        return AwsVerdict(False, str(exc), "flake8", note=note, response=[item])
    code, row, detail = [*lines[0].split(":", 2), "", ""][:3]
    return AwsVerdict(
        False,
        items[0]["message"],
        "flake8",
        note=note,
        response=[items[0]],
        lineno=int(row) if row.isdigit() else 0,
        code=code,
        detail=detail,
    )


def _flake8_item(line: str, content: list[str]) -> dict[str, Any]:
    """One flake8 line as the validator parses it: it splits on every ``:``, which garbles texts containing one."""
    parts = line.split(":")
    if len(parts) > 3:
        kind, row, message = parts[2].strip(), parts[1].strip(), " : ".join(parts[3:])
    elif len(parts) == 3:
        kind, row, message = parts[0].strip(), parts[1].strip(), parts[2]
    else:
        kind, row, message = "Unexpected Error", "1", line.strip()
    number = int(row)
    text = content[number - 1].strip() if number <= len(content) else ""
    return {"type": kind, "message": message, "line": text, "lineNumber": row}


def flake8_message(line: str) -> str:
    """The message the validator derives from one ``CODE:ROW:TEXT`` line."""
    return str(_flake8_item(line, [])["message"])


def _approx_first(source: str) -> str:
    """Fallback without flake8: E999 syntax errors, F401 unused imports, F841 unused locals ("" when none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return f"E999:{exc.lineno or 1}:{type(exc).__name__}: {exc.msg}"
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    loaded |= {
        n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound not in loaded and alias.name != "*":
                    return f"F401:{node.lineno}:'{alias.name}' imported but unused"
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            for n in ast.walk(fn):
                if not isinstance(n, ast.Assign) or len(n.targets) != 1:
                    continue
                target = n.targets[0]
                if isinstance(target, ast.Name) and target.id not in used:
                    return f"F841:{n.lineno}:local variable '{target.id}' is assigned to but never used"
    return ""


# -- step 2: import allowlist --------------------------------------------------------------------------------------
def imported_names(tree: ast.AST) -> list[tuple[str | None, int]]:
    """``(module name, line)`` of every import, in the validator's visiting order, first occurrence only (it
    keeps a set). ``from . import x`` gives None (its ``node.module``)."""
    seen: dict[str | None, int] = {}
    for node in _preorder(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                seen.setdefault(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.names:
            seen.setdefault(node.module, node.lineno)
    return list(seen.items())


def imported_roots(tree: ast.AST) -> list[str]:
    """Top-level package of every import (``"<crash>"`` for a relative ``from . import``)."""
    return [name.split(".")[0] if name else "<crash>" for name, _ in imported_names(tree)]


def _preorder(node: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(list(ast.iter_child_nodes(current))))
    return out


def _imports_verdict(tree: ast.Module) -> AwsVerdict | None:
    names = imported_names(tree)
    for name, line in names:
        if name is None:
            text, number = ANALYSER_CRASH
            last = "AttributeError: 'NoneType' object has no attribute 'split'"
            return wrapped_failure(last, text, number, "imports", is_import=False, lineno=line)
    illegal = [
        (name.split(".")[0], line)
        for name, line in names
        if name and name.split(".")[0] not in ALLOWLIST_IMPORTS
    ]
    if illegal:
        roots = [root for root, _ in illegal]
        return explicit_failure(
            f"The reward function contains illegal import(s): {roots}", "imports", illegal[0][1]
        )
    return None


# -- step 3: forbidden calls, walked the validator's way ---------------------------------------------------------
class _WalkerCrashError(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _collect(node: Any, out: list[tuple[str, int]]) -> None:
    """Dotted names of calls and attributes; at a Call or Attribute the walk follows only the chain (and the
    positional arguments of calls in it), like the validator's ``parse``."""
    if isinstance(node, ast.Call | ast.Attribute):
        chain = _chain(node, out)
        if chain is None:
            raise _WalkerCrashError(getattr(node, "lineno", 0))
        out.append((".".join(chain), node.lineno))
        return
    for name in getattr(node, "_fields", ()):
        value = getattr(node, name, None)
        for item in value if isinstance(value, list) else [value]:
            _collect(item, out)


def _chain(node: ast.AST, out: list[tuple[str, int]]) -> list[str] | None:
    suffix: list[str] = []
    while True:
        if isinstance(node, ast.Name):
            return [node.id, *suffix]
        if isinstance(node, ast.Call):
            for arg in node.args:
                _collect(arg, out)
            node = node.func
        elif isinstance(node, ast.Attribute):
            suffix.insert(0, node.attr)
            node = node.value
        else:
            return None


def _builtins_verdict(tree: ast.Module) -> AwsVerdict | None:
    names: list[tuple[str, int]] = []
    try:
        _collect(tree, names)
    except _WalkerCrashError as crash:
        text, number = WALKER_CRASH
        last = "TypeError: can only join an iterable"
        return wrapped_failure(last, text, number, "builtins", is_import=False, lineno=crash.line)
    except RecursionError:
        return explicit_failure(
            "maximum recursion depth exceeded", "builtins", note="nesting too deep to walk"
        )
    forbidden = [(name, line) for name, line in names if name in FORBID_ACCESS]
    if forbidden:
        listed = [name for name, _ in forbidden]
        return explicit_failure(
            f"The reward function contains forbidden builtins: {listed}", "builtins", forbidden[0][1]
        )
    return None


# -- step 4: forbidden substrings ------------------------------------------------------------------------------------
def _strings_verdict(source: str) -> AwsVerdict | None:
    for text in FORBID_STRINGS:
        if text in source:
            line = source[: source.index(text)].count("\n") + 1
            return explicit_failure(
                f'Your code snippet contains a restricted string "{text}" that is not allowed. '
                "Please remove or replace the string and try again.",
                "strings",
                line,
            )
    return None


# -- step 5 for code our sandbox refuses: the first call's import hook, statically -----------------------------
def first_call_message(module: str) -> str:
    """The UI message when the first call hits the validator's ``__import__`` stub."""
    inner = '{"message": "' + IMPORT_HOOK_MESSAGE.format(module=module) + '", "type": "IMPORT_ERROR"}'
    return f'Unsafe builtin function detected: "{inner}".'


def refused_first_call(tree: ast.Module) -> AwsVerdict | None:
    """For code our sandbox will not run: the first import the validator's first call would execute.

    Follows ``reward_function`` and the module-level functions it calls by name (transitively). An ``import``
    statement there fails; so does calling ``__builtins__[<key>]`` / ``getattr(__builtins__, <key>)`` when the key
    folds to ``"__import__"`` (fetched at call time, it is the validator's stub; captured at module level it is
    the real one and passes — a known bypass). None when nothing is found (other runtime failures cannot be told
    without running the code).
    """
    from reward_sdk.lint.contract import find_reward_function

    functions = {
        node.name: node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    start = find_reward_function(tree)
    queue, done = ([start] if start is not None else []), set()
    while queue:
        fn = queue.pop(0)
        if fn.name in done:
            continue
        done.add(fn.name)
        fetched: set[str] = set()
        for node in _preorder(fn):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.names[0].name if isinstance(node, ast.Import) else (node.module or "")
                return explicit_failure(first_call_message(module), "first-call", node.lineno)
            if isinstance(node, ast.Assign) and _fetches_import(node.value):
                fetched |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            if isinstance(node, ast.Call):
                direct = _fetches_import(node.func)
                if direct or (isinstance(node.func, ast.Name) and node.func.id in fetched):
                    name = _fold(node.args[0]) if node.args else None
                    return explicit_failure(first_call_message(name or "?"), "first-call", node.lineno)
                if isinstance(node.func, ast.Name) and node.func.id in functions:
                    queue.append(functions[node.func.id])
    return None


def _fetches_import(node: ast.AST) -> bool:
    if isinstance(node, ast.Subscript):
        base, key = node.value, node.slice
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        if len(node.args) < 2:
            return False
        base, key = node.args[0], node.args[1]
    else:
        return False
    return isinstance(base, ast.Name) and base.id == "__builtins__" and _fold(key) == "__import__"


def _fold(node: ast.AST) -> str | None:
    """A string constant or a ``+`` of string constants, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fold(node.left), _fold(node.right)
        return None if left is None or right is None else left + right
    return None
