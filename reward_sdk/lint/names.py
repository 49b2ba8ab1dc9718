"""RW007 — undefined names, all of them at once, found statically by pyflakes (the checker flake8 runs).

:func:`check_names` runs :class:`pyflakes.checker.Checker` on the parsed module and keeps its undefined-name
messages (``UndefinedName``, ``UndefinedLocal``, ``UndefinedExport``), mapped to RW007 with 1-based positions.
Each message names the missing name and, when a defined name, parameter or builtin is close, suggests it
("did you mean 'heading'?"). Everything else pyflakes reports (unused imports, redefinitions...) is left to
``--aws`` (the official validator runs flake8 itself).

A name pyflakes cannot see defined is a ``NameError`` the first time that line runs: in training that stops the
job, and the runtime checks only find it when one of their states happens to reach the line.
"""

from __future__ import annotations

import ast
import builtins
from difflib import get_close_matches

from pyflakes import checker, messages

from reward_sdk.lint.contract import RawFinding

__all__ = ["check_names"]

_UNDEFINED = (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport)


def check_names(tree: ast.Module, filename: str = "reward_function.py") -> list[RawFinding]:
    """RW007 findings: one per use of a name that is defined nowhere in scope.

    :param tree: the parsed module (``ast.parse`` of the whole file).
    :param filename: shown by pyflakes only; positions come from the tree.
    :returns: ``(line, col, "RW007", message)`` tuples, line and column 1-based, sorted by position.
    """
    found = checker.Checker(tree, filename)
    known = _defined_names(tree)
    builtin = {name for name in dir(builtins) if not name.startswith("_")}
    out: list[RawFinding] = []
    for message in found.messages:
        if not isinstance(message, _UNDEFINED):
            continue
        name = str(message.message_args[0])
        close = get_close_matches(name, sorted(known - {name}), n=1, cutoff=0.75)
        close = close or get_close_matches(name, sorted(builtin - {name}), n=1, cutoff=0.85)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if isinstance(message, messages.UndefinedLocal):
            text = f"local variable {name!r} is used before it is assigned{hint}"
        else:
            text = f"undefined name {name!r}: NameError when this line runs{hint}"
        out.append((message.lineno, int(message.col) + 1, "RW007", text))
    return sorted(out)


def _defined_names(tree: ast.Module) -> set[str]:
    """Every name bound anywhere in the module (assignments, parameters, defs, imports)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".", 1)[0] for alias in node.names)
    return names
