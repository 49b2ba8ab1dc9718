"""Hyperparameters: DeepRacer names and defaults, ``--hp key=value`` parsing, ``hyperparameters.json``.

Names follow the console's ``hyperparameters.json`` (``batch_size``, ``beta_entropy``, ``discount_factor``, ``lr``,
``num_epochs``, ``sac_alpha``...) plus the few Stable-Baselines3 settings the console does not expose
(``n_steps``, ``clip_range``, ``gae_lambda``, ``buffer_size``, ``learning_starts``, ``gradient_steps``).

Where our defaults differ from the console's, and why:

* ``discount_factor`` 0.99 (console 0.999): at 15 steps/s the effective horizon of 0.99 is ~100 steps (≈ 7 s, a
  lap), which gives lower-variance advantages and learns a lap several times faster in our tests; 0.999 still
  works with ``--hp discount_factor=0.999``.
* PPO ``n_steps`` 256 per car × K cars per iteration (the console collects ``num_episodes_between_training`` = 20
  episodes): fixed-size rollouts give SB3's PPO regular updates from the first seconds.
* SAC ``sac_alpha`` ``auto`` (console: fixed 0.2, which keeps exploring long after a lap is possible),
  ``learning_starts`` 1,000 steps, one gradient step per K env steps (``gradient_steps``).
* Networks: two hidden layers of 64 units for the policy and the value/Q functions (PPO's SB3 default; SAC's
  SB3 default is 256 — four times the cost per gradient step on a 2-core CPU, for a 10-number observation).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from reward_sdk.errors import UserError

ALGOS = ("ppo", "sac")

PPO_DEFAULTS: dict[str, Any] = {
    "batch_size": 64,
    "num_epochs": 10,
    "lr": 3e-4,
    "beta_entropy": 0.01,
    "discount_factor": 0.99,
    "n_steps": 256,
    "clip_range": 0.2,
    "gae_lambda": 0.95,
    "net_width": 64,
}
SAC_DEFAULTS: dict[str, Any] = {
    "batch_size": 64,
    "lr": 3e-4,
    "discount_factor": 0.99,
    "sac_alpha": "auto",
    "buffer_size": 300_000,
    "learning_starts": 1_000,
    "gradient_steps": 1,
    "net_width": 64,
}
CONSOLE_DEFAULTS: dict[str, Any] = {
    "batch_size": 64,
    "beta_entropy": 0.01,
    "discount_factor": 0.999,
    "e_greedy_value": 0.05,
    "epsilon_steps": 10000,
    "exploration_type": "categorical",
    "loss_type": "huber",
    "lr": 0.0003,
    "num_episodes_between_training": 20,
    "num_epochs": 10,
    "stack_size": 1,
    "term_cond_avg_score": 350.0,
    "term_cond_max_episodes": 1000,
}
_INTS = {
    "net_width",
    "batch_size",
    "num_epochs",
    "n_steps",
    "buffer_size",
    "learning_starts",
    "gradient_steps",
}
_UNIT = {"discount_factor", "gae_lambda", "clip_range"}  # in (0, 1]


def defaults(algo: str) -> dict[str, Any]:
    """The default hyperparameters of ``algo`` (``ppo`` or ``sac``)."""
    return dict(PPO_DEFAULTS if algo == "ppo" else SAC_DEFAULTS)


def parse_value(text: str) -> Any:
    """``--hp`` value text: a JSON number/bool/string, else the text itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def check(algo: str, values: dict[str, Any], source: str = "--hp") -> dict[str, Any]:
    """Validate ``values`` for ``algo``; return them normalised (ints where needed).

    :raises UserError: unknown key (lists the known ones) or a value of the wrong type/range (one line).
    """
    known = defaults(algo)
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in CONSOLE_DEFAULTS and key not in known:  # a console key this algorithm does not use: kept
            out[key] = value
            continue
        if key not in known:
            raise UserError(
                f"{source}: unknown hyperparameter {key!r} for {algo} (known: {', '.join(sorted(known))})"
            )
        if key == "sac_alpha" and value == "auto":
            out[key] = value
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise UserError(f"{source}: {key} must be a number, got {value!r}")
        if key in _INTS:
            if float(value) != int(value) or value < 1:
                raise UserError(f"{source}: {key} must be a positive integer, got {value!r}")
            value = int(value)
        elif key in _UNIT and not 0.0 < value <= 1.0:
            raise UserError(f"{source}: {key} must be in (0, 1], got {value!r}")
        elif key in ("lr", "sac_alpha") and value <= 0:
            raise UserError(f"{source}: {key} must be > 0, got {value!r}")
        elif value < 0:
            raise UserError(f"{source}: {key} must be >= 0, got {value!r}")
        out[key] = value
    return out


def resolve(algo: str, specs: list[str], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Hyperparameters of a run: ``base`` (defaults when None) updated by each ``--hp`` spec in order.

    A spec is ``key=value`` or the path of a JSON file (DeepRacer ``hyperparameters.json`` or a flat object).
    :raises UserError: unreadable/invalid file, a spec without ``=``, or a bad key/value.
    """
    values = dict(defaults(algo) if base is None else base)
    for spec in specs:
        if "=" in spec:
            key, _, text = spec.partition("=")
            values.update(check(algo, {key.strip(): parse_value(text.strip())}))
            continue
        path = Path(spec)
        if not path.is_file():
            raise UserError(f"--hp {spec!r}: expected key=value or a hyperparameters.json file")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UserError(f"{path}: cannot read hyperparameters ({exc})") from None
        if not isinstance(data, dict):
            raise UserError(f"{path}: expected a JSON object of hyperparameters")
        values.update(check(algo, data, str(path)))
    return values


def deepracer_json(algo: str, values: dict[str, Any]) -> dict[str, Any]:
    """``hyperparameters.json`` content: the console's keys (ours where we set them), then our extra keys."""
    out: dict[str, Any] = {key: values.get(key, default) for key, default in CONSOLE_DEFAULTS.items()}
    if algo == "sac":
        out["sac_alpha"] = values.get("sac_alpha", "auto")
    out.update({key: value for key, value in values.items() if key not in out})
    return out
