"""Rules as data: every lint rule has a code, a name, a one-line summary and a doc page.

Codes follow ruff's scheme: a family prefix and a number (``RW101``). Families:

======  ====================  =================================================================
prefix  family                checked by
======  ====================  =================================================================
RW0     contract              :mod:`reward_sdk.lint.contract` (static)
RW1     params usage          :mod:`reward_sdk.lint.params_usage` (static)
RW2     sandbox policy        :mod:`reward_sdk.lint.policy` (static, same policy as the sandbox)
RW3     runtime               :mod:`reward_sdk.lint.runtime` (runs the function in the sandbox)
RW4     incentive audit       :mod:`reward_sdk.lint.audit` (scripted drivers in the simulator)
======  ====================  =================================================================

:func:`select_rules` turns ``--select``/``--ignore`` lists (codes or prefixes) into the set of active codes; an
unknown code raises :class:`~reward_sdk.errors.UserError`. Rules with ``default=False`` run only when selected
explicitly (by code or prefix), like ruff's opt-in rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reward_sdk.errors import UserError

__all__ = ["RULES", "Finding", "Rule", "explain", "register", "select_rules"]


@dataclass(frozen=True)
class Rule:
    """One lint rule.

    :param code: ``RW`` + three digits; the first digit is the family.
    :param name: kebab-case name (``unknown-param-key``).
    :param summary: one line: what is wrong.
    :param what: what the rule checks.
    :param why: why it matters (in the simulator, in training, or for the official validator).
    :param example: a short bad reward function.
    :param fix: how to fix it, usually with the fixed code.
    :param default: active without ``--select``.
    """

    code: str
    name: str
    summary: str
    what: str
    why: str
    example: str
    fix: str
    default: bool = True

    @property
    def family(self) -> str:
        return FAMILIES[self.code[:3]]


@dataclass(frozen=True, order=True)
class Finding:
    """One diagnostic: ``path:line:col CODE message``.

    :param line: 1-based line (1 when the finding concerns the whole file).
    :param col: 1-based column (1 when unknown).
    :param extra: machine-readable details (e.g. ``params`` of the minimal failing state); JSON-serialisable.
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col} {self.code} {self.message}"


FAMILIES = {
    "RW0": "contract",
    "RW1": "params usage",
    "RW2": "sandbox policy",
    "RW3": "runtime",
    "RW4": "incentive audit",
}

RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add ``rule`` to :data:`RULES` (codes are unique)."""
    if rule.code in RULES:
        raise ValueError(f"duplicate rule code {rule.code}")
    RULES[rule.code] = rule
    return rule


def _expand(token: str) -> set[str]:
    token = token.strip().upper()
    if token == "ALL":
        return set(RULES)
    matched = {code for code in RULES if code.startswith(token)}
    if not token.startswith("RW") or not matched:
        known = ", ".join(sorted(RULES))
        raise UserError(f"unknown rule code or prefix {token!r} (known: {known})")
    return matched


def split_codes(values: Iterable[str]) -> list[str]:
    """``["RW1,RW2", "RW301"]`` → ``["RW1", "RW2", "RW301"]`` (commas or spaces separate codes)."""
    out: list[str] = []
    for value in values:
        out.extend(part for part in value.replace(",", " ").split() if part)
    return out


def select_rules(select: Iterable[str] | None, ignore: Iterable[str] = ()) -> frozenset[str]:
    """Active rule codes: ``select`` (default: every rule with ``default=True``) minus ``ignore``.

    :raises UserError: a code or prefix matches no rule.
    """
    _load_rules()
    chosen: set[str] = set()
    if select is None:
        chosen = {code for code, rule in RULES.items() if rule.default}
    else:
        for token in split_codes(select):
            chosen |= _expand(token)
    for token in split_codes(ignore):
        chosen -= _expand(token)
    return frozenset(chosen)


def explain(code: str) -> str:
    """The rule's page (what, why, example, fix) as plain text, like ``ruff rule CODE``."""
    _load_rules()
    rule = RULES.get(code.strip().upper())
    if rule is None:
        raise UserError(
            f"unknown rule code {code!r}; run `reward lint --explain RW` codes: {', '.join(RULES)}"
        )
    opt_in = "" if rule.default else "\n(opt-in: enable it with --select " + rule.code + ")"
    return (
        f"{rule.code} {rule.name} ({rule.family})\n\n{rule.summary}{opt_in}\n\n"
        f"What it checks\n  {rule.what}\n\nWhy it matters\n  {rule.why}\n\n"
        f"Example\n{_indent(rule.example)}\n\nFix\n{_indent(rule.fix)}\n"
    )


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.strip("\n").splitlines())


def _load_rules() -> None:
    """Import the rule pages (kept in :mod:`reward_sdk.lint.rules`) once."""
    if not RULES:
        import reward_sdk.lint.rules  # noqa: F401  (registers every rule)
        from reward_sdk.lint.contract import CONTRACT_RULES  # RW010, RW011 (kept next to their checks)

        for rule in CONTRACT_RULES:
            register(rule)
