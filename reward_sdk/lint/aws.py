"""The verdict the official DeepRacer validator would give (``reward lint --aws``), and what it would miss.

The official validator (``shared/spec/AWS_VALIDATOR.md`` §1.2) runs, stopping at the first failure:

1. ``flake8 --select=E,F --ignore=E5,E226,E261`` — the first finding fails validation. We run flake8 with the
   same selection when it is importable (the ``[aws]`` extra). Without flake8 a documented **approximation**
   is used: syntax errors (E999), unused imports (F401) and unused locals (F841) only;
2. the import allowlist (``math, random, numpy, scipy, shapely``; submodules allowed);
3. the call-name check (``open, exec, eval, compile, input``), including its crash on method calls whose base is
   not a name (``'{}'.format()``, ``params['x'].tolist()``): "can only join an iterable";
4. the forbidden-substring search over the raw text (comments included);
5. import of the module and one call on its first fixed dict (any exception → "Unsafe builtin function
   detected"; a hang never returns), then the signature check and the five fixed dicts (type and range;
   a call over 5 s → "Timed Out"). Steps 5 run in our sandbox (:mod:`reward_sdk.lint.aws_run`).

The official validator reports failures of its threaded tests in a non-deterministic order; we report the first
in a fixed order (signature, valid, start, progress, off-track, finish). Only the pass/fail verdict is stable.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass

__all__ = ["AwsVerdict", "aws_static_verdict", "flake8_available"]

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


@dataclass(frozen=True)
class AwsVerdict:
    """What the official validator would answer.

    :param passed: True for ``[]`` (the UI's "Your reward function passed validation.").
    :param message: the message the UI would show (empty when passed).
    :param stage: ``flake8``, ``imports``, ``builtins``, ``strings``, ``import``, ``first-call``, ``runtime``.
    :param hang: the validator would never answer (the first call does not return).
    :param note: how the verdict was obtained (e.g. the flake8 approximation, or code not executed).
    """

    passed: bool
    message: str = ""
    stage: str = ""
    hang: bool = False
    note: str = ""

    def line(self) -> str:
        """``aws-verdict: pass`` or ``aws-verdict: fail: <message>`` (stable, greppable)."""
        return "aws-verdict: pass" if self.passed else f"aws-verdict: fail: {self.message}"


def flake8_available() -> bool:
    return importlib.util.find_spec("flake8") is not None


def aws_static_verdict(source: str) -> AwsVerdict | None:
    """Steps 1–4; ``None`` when all pass (then the runtime steps decide)."""
    first = _flake8_first(source) if flake8_available() else _approx_first(source)
    if first is not None:
        return AwsVerdict(
            False,
            _parse_flake8_line(first),
            "flake8",
            note="" if flake8_available() else "approximated without flake8",
        )
    tree = ast.parse(source)
    illegal = [name for name in imported_roots(tree) if name not in ALLOWLIST_IMPORTS]
    if illegal == ["<crash>"] or "<crash>" in illegal:
        return AwsVerdict(False, "'NoneType' object has no attribute 'split'", "imports")
    if illegal:
        return AwsVerdict(False, f"The reward function contains illegal import(s): {illegal}", "imports")
    names = _call_names(tree)
    if names is None:
        return AwsVerdict(False, "can only join an iterable", "builtins")
    forbidden = [name for name in FORBID_ACCESS if name in names]
    if forbidden:
        return AwsVerdict(False, f"The reward function contains forbidden builtins: {forbidden}", "builtins")
    for text in FORBID_STRINGS:
        if text in source:
            return AwsVerdict(
                False,
                f'Your code snippet contains a restricted string "{text}" that is not allowed. '
                "Please remove or replace the string and try again.",
                "strings",
            )
    return None


def _flake8_first(source: str) -> str | None:
    with tempfile.TemporaryDirectory(prefix="reward-lint-aws-") as folder:
        path = os.path.join(folder, "reward_function.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        proc = subprocess.run(
            [sys.executable, "-m", "flake8", path, *FLAKE8_ARGS],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return lines[0] if lines else None


def _parse_flake8_line(line: str) -> str:
    """The message the validator derives from ``CODE:ROW:TEXT`` (its ":"-splitting garbles some texts)."""
    parts = line.split(":")
    if len(parts) > 3:
        return " : ".join(parts[3:])
    return parts[2] if len(parts) > 2 else line


def _approx_first(source: str) -> str | None:
    """Fallback without flake8: E999 syntax errors, F401 unused imports, F841 unused locals."""
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
    return None


def imported_roots(tree: ast.AST) -> list[str]:
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append(node.module.split(".")[0] if node.module else "<crash>")
    return out


def _chain(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        base = _chain(node.value)
        return None if base is None else [*base, node.attr]
    if isinstance(node, ast.Call):
        return _chain(node.func)
    return None


def _call_names(tree: ast.AST) -> set[str] | None:
    """Dotted names of every call and attribute, or None where the official walker would crash."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call | ast.Attribute):
            chain = _chain(node)
            if chain is None:
                return None
            names.add(".".join(chain))
    return names
