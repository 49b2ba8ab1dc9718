"""Reward variants: one reward file with some module-level constants set to other values.

``NAME = value`` (or ``NAME: type = value``) at module level is rewritten in the source text with the help of
:mod:`ast` positions, so the rest of the file (comments, layout) is unchanged. Each combination of the given
values (a cartesian product, in the order given) is one variant.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass
from typing import Any

from reward_sdk.errors import UserError

MAX_VARIANTS = 500


@dataclass(frozen=True)
class Variant:
    """One reward variant.

    :param label: ``stem[NAME=value,...]``, shown in the table and results.csv.
    :param filename: a safe file name (``stem__NAME-value.py``) for the sweep folder.
    :param source: the rewritten source text.
    :param constants: the values set, by name.
    """

    label: str
    filename: str
    source: str
    constants: dict[str, Any]


def constant_spans(source: str, filename: str = "reward_function.py") -> dict[str, tuple[int, int]]:
    """Character spans ``(start, end)`` of the value of every module-level ``NAME = value`` in ``source``.

    Only single-name assignments count (``A = B = 1`` and tuple targets do not); a name assigned more than once
    at module level is left out (which value would a variant change?).

    :raises UserError: the source does not parse.
    """
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise UserError(f"{filename}:{exc.lineno}: does not parse ({exc.msg})") from None
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    spans: dict[str, tuple[int, int]] = {}
    seen: set[str] = set()
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if not isinstance(target, ast.Name) or value is None or value.end_lineno is None:
            continue
        name = target.id
        if name in seen:
            spans.pop(name, None)
            continue
        seen.add(name)
        start = _char_offset(source, offsets, value.lineno, value.col_offset)
        end = _char_offset(source, offsets, value.end_lineno, value.end_col_offset or 0)
        spans[name] = (start, end)
    return spans


def _char_offset(source: str, offsets: list[int], lineno: int, col_utf8: int) -> int:
    """ast columns count UTF-8 bytes; convert to a character offset in ``source``."""
    line_start = offsets[lineno - 1]
    line = source[line_start : offsets[lineno]] if lineno < len(offsets) else source[line_start:]
    return line_start + len(line.encode("utf-8")[:col_utf8].decode("utf-8", errors="ignore"))


def make_variants(source: str, stem: str, constants: dict[str, list[Any]]) -> list[Variant]:
    """Every combination of ``constants`` applied to ``source`` (a reward file's text named ``stem``).

    :param constants: ``{NAME: [values]}``; values are numbers, strings, booleans or None (written with
        ``repr``).
    :raises UserError: a name that is not a single module-level assignment of the file, a value that is not a
        plain literal, or more than :data:`MAX_VARIANTS` combinations.
    """
    spans = constant_spans(source, f"{stem}.py")
    for name in constants:
        if name not in spans:
            known = ", ".join(sorted(n for n in spans if n.isupper())) or "none"
            raise UserError(
                f"constants: {name} is not a module-level constant (NAME = value) of {stem}.py "
                f"(constants found: {known})"
            )
    for name, values in constants.items():
        for value in values:
            if ast.literal_eval(repr(value)) != value:
                raise UserError(f"constants: {name}: {value!r} is not a plain literal")
    combos = list(itertools.product(*constants.values()))
    if len(combos) > MAX_VARIANTS:
        raise UserError(f"constants: {len(combos)} combinations; at most {MAX_VARIANTS}")
    names = list(constants)
    order = sorted(names, key=lambda n: spans[n][0], reverse=True)  # rewrite from the end: spans stay valid
    variants = []
    for combo in combos:
        chosen = dict(zip(names, combo, strict=True))
        text = source
        for name in order:
            start, end = spans[name]
            text = text[:start] + repr(chosen[name]) + text[end:]
        label = f"{stem}[{','.join(f'{n}={chosen[n]!r}' for n in names)}]"
        parts = "__".join(f"{n}-{_safe(repr(chosen[n]))}" for n in names)
        variants.append(Variant(label, f"{stem}__{parts}.py", text, chosen))
    return variants


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]", "_", text)[:40]
