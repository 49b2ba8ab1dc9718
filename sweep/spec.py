"""The sweep spec: a YAML file validated by a pydantic model, with one-line errors.

Schema (keys not listed are refused)::

    name: lr-vs-reward                 # sweep name: letters, digits, '.', '_', '-' (default folder sweeps/NAME)
    rewards: [a.py, b.py]              # reward files (paths relative to the spec file) ...
    reward: a.py                       # ... or one file and module-level constants to vary:
    constants: {WEIGHT: [1.0, 2.0]}    #     one variant per combination (NAME = value rewritten with ast)
    tracks: [reinvent_base]            # built-in names, .npy paths or stems in tracks_dir (grid)
    tracks_dir: ../shared/data/tracks  # optional; default $REWARD_TRACKS_DIR
    algos: [ppo]                       # ppo and/or sac (grid; default [ppo])
    hyperparameters:                   # trainer.hyperparams keys (DeepRacer names):
      lr: [3.0e-4, 1.0e-3]             #   a list is a grid dimension
      beta_entropy: {uniform: [0.005, 0.02]}   # or a distribution: uniform, loguniform, choice
    samples: 1                         # repeats of the grid (each repeat draws the distributions anew)
    budget: {minutes: 1}               # per trial: minutes (wall time of training) or steps (env steps)
    objective: first_lap_time          # first_lap_time (min) | completion (max) | best_lap_time (min)
    actions: discrete                  # optional: discrete, continuous or a model_metadata.json
    envs: 2                            # optional: cars per trial (default: trainer's, 8 PPO / 4 SAC)
    seed: 0
    physics: droa-2026
    early_stopping: true               # ASHA: stop trials in the worse half at ~31 % and ~62 % of the budget
    eval_every: null                   # env steps between evaluations (default: one PPO rollout)
    eval_laps: 3                       # laps per evaluation (from evenly spaced starts)
    checkpoint_every_s: 10             # seconds between checkpoints a killed trial restarts from

:func:`load_spec` reads and validates a file; any problem is a :class:`~reward_sdk.errors.UserError` naming the
file and the key (exit 2 in the CLI).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reward_sdk.errors import UserError

MAX_TRIALS = 1_000  # grid points × samples: a typo such as a 100-value grid of every key is refused
MAX_SPEC_BYTES = 1 << 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
Scalar = bool | int | float | str
Algo = Literal["ppo", "sac"]
DISTRIBUTIONS = ("uniform", "loguniform", "choice")

# objective -> (metric reported by each trial, Tune mode)
OBJECTIVES: dict[str, tuple[str, str]] = {
    "first_lap_time": ("first_lap_s", "min"),
    "completion": ("completion_pct", "max"),
    "best_lap_time": ("best_lap_time", "min"),
}


class Budget(BaseModel):
    """The budget of each trial: ``minutes`` of training wall time or ``steps`` env steps (exactly one)."""

    model_config = ConfigDict(extra="forbid")

    minutes: float | None = Field(default=None, gt=0, le=24 * 60)
    steps: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> Budget:
        if (self.minutes is None) == (self.steps is None):
            raise ValueError("give exactly one of minutes or steps")
        return self


class Distribution(BaseModel):
    """A sampled hyperparameter: ``kind`` uniform/loguniform (``values`` = [low, high]) or choice."""

    kind: Literal["uniform", "loguniform", "choice"]
    values: list[Scalar]


class SweepSpec(BaseModel):
    """A validated sweep spec (see the module docstring); paths are absolute after :func:`load_spec`."""

    model_config = ConfigDict(extra="forbid")

    name: str
    rewards: list[Path] | None = None
    reward: Path | None = None
    constants: dict[str, list[Scalar | None]] | None = None
    tracks: list[str] = Field(min_length=1)
    tracks_dir: Path | None = None
    algos: list[Algo] = Field(default_factory=lambda: list[Algo](["ppo"]), min_length=1)
    hyperparameters: dict[str, list[Scalar] | Distribution] = Field(default_factory=dict)
    samples: int = Field(default=1, ge=1, le=100)
    budget: Budget
    objective: Literal["first_lap_time", "completion", "best_lap_time"] = "first_lap_time"
    actions: str | None = None
    envs: int | None = Field(default=None, ge=1, le=256)
    seed: int = 0
    physics: str = "droa-2026"
    early_stopping: bool = True
    eval_every: int | None = Field(default=None, ge=1)
    eval_laps: int = Field(default=3, ge=1, le=20)
    checkpoint_every_s: float = Field(default=10.0, gt=0)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use letters, digits, '.', '_' and '-' (at most 64)")
        return value

    @field_validator("hyperparameters", mode="before")
    @classmethod
    def _distributions(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {key: _distribution(key, item) for key, item in value.items()}

    @model_validator(mode="after")
    def _rewards(self) -> SweepSpec:
        if (self.rewards is None) == (self.reward is None):
            raise ValueError("give either rewards: [files] or reward: FILE (with constants:)")
        if self.rewards is not None and not self.rewards:
            raise ValueError("rewards: give at least one file")
        if self.constants is not None and self.reward is None:
            raise ValueError("constants: needs reward: FILE (one file whose constants vary)")
        for name, values in (self.constants or {}).items():
            if not name.isidentifier():
                raise ValueError(f"constants: {name!r} is not a Python name")
            if not values:
                raise ValueError(f"constants: {name}: give at least one value")
        for key, item in self.hyperparameters.items():
            if isinstance(item, list) and not item:
                raise ValueError(f"hyperparameters: {key}: give at least one value")
        return self

    @property
    def metric(self) -> str:
        """The metric Tune optimises (``first_lap_s``, ``completion_pct`` or ``best_lap_time``)."""
        return OBJECTIVES[self.objective][0]

    @property
    def mode(self) -> str:
        """``min`` or ``max``."""
        return OBJECTIVES[self.objective][1]

    def grid_size(self) -> int:
        """Trials the spec asks for: rewards × tracks × algos × grid lists × samples (variants counted)."""
        rewards = len(self.rewards or []) or math.prod(len(v) for v in (self.constants or {}).values())
        grids = math.prod(len(v) for v in self.hyperparameters.values() if isinstance(v, list))
        return rewards * len(self.tracks) * len(self.algos) * grids * self.samples


def _distribution(key: str, item: Any) -> Any:
    """``{uniform: [a, b]}`` → :class:`Distribution`; lists and anything else pass through (checked later)."""
    if not isinstance(item, dict):
        return item
    if len(item) != 1 or next(iter(item)) not in DISTRIBUTIONS:
        raise ValueError(f"{key}: expected a list of values or one of {{uniform|loguniform|choice: [...]}}")
    kind, values = next(iter(item.items()))
    if not isinstance(values, list) or not values:
        raise ValueError(f"{key}: {kind} needs a list of values")
    if kind != "choice":
        if len(values) != 2 or not all(_is_number(v) for v in values) or not values[0] < values[1]:
            raise ValueError(f"{key}: {kind} needs [low, high] with low < high")
        if kind == "loguniform" and values[0] <= 0:
            raise ValueError(f"{key}: loguniform needs low > 0")
    return Distribution(kind=kind, values=values)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def load_spec(path: str | Path) -> SweepSpec:
    """Read, validate and check a sweep spec; reward/track paths become absolute (relative to the spec file).

    Checks beyond the schema: reward files exist, hyperparameter keys and values are valid for every listed
    algorithm (``trainer.hyperparams.check``), the physics profile exists, at most :data:`MAX_TRIALS` trials.
    Tracks and reward code are checked by :func:`sweep.prepare.prepare` (they need the sandbox).

    :raises UserError: one line, ``SPEC: key: problem``.
    """
    import yaml

    spec_path = Path(path)
    if not spec_path.is_file():
        raise UserError(f"{spec_path}: no such spec file")
    if spec_path.stat().st_size > MAX_SPEC_BYTES:
        raise UserError(f"{spec_path}: larger than {MAX_SPEC_BYTES} bytes; not a sweep spec")
    try:
        data = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{spec_path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise UserError(f"{spec_path}:{where}: {problem}") from None
    if not isinstance(data, dict):
        raise UserError(f"{spec_path}: expected a mapping of keys (name:, rewards:, tracks:, budget: ...)")
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise UserError(f"{spec_path}: {_first_error(exc)}") from None
    return _checked(spec, spec_path)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-after"))
    message = str(error["msg"]).removeprefix("Value error, ")
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{location}: {message}{more}" if location else f"{message}{more}"


def _checked(spec: SweepSpec, spec_path: Path) -> SweepSpec:
    from reward_sdk.sim.car import physics_profile
    from trainer import hyperparams

    base = spec_path.resolve().parent

    def absolute(value: Path) -> Path:
        return value if value.is_absolute() else (base / value).resolve()

    updates: dict[str, Any] = {}
    if spec.rewards is not None:
        updates["rewards"] = [absolute(p) for p in spec.rewards]
    if spec.reward is not None:
        updates["reward"] = absolute(spec.reward)
    for reward in updates.get("rewards") or [updates.get("reward")]:
        if not reward.is_file():
            raise UserError(f"{spec_path}: reward file {reward} does not exist")
    if spec.tracks_dir is not None:
        updates["tracks_dir"] = absolute(spec.tracks_dir)
        if not updates["tracks_dir"].is_dir():
            raise UserError(f"{spec_path}: tracks_dir {updates['tracks_dir']} is not a folder")
    updates["tracks"] = [
        str(absolute(Path(t))) if t.endswith(".npy") and not Path(t).is_absolute() else t for t in spec.tracks
    ]
    if spec.actions is not None and spec.actions not in ("discrete", "continuous"):
        updates["actions"] = str(absolute(Path(spec.actions)))
    try:
        physics_profile(spec.physics)
    except ValueError as exc:
        raise UserError(f"{spec_path}: physics: {exc}") from None
    for algo in spec.algos:
        for key, item in spec.hyperparameters.items():
            values = item.values if isinstance(item, Distribution) else item
            for value in values:
                hyperparams.check(algo, {key: value}, f"{spec_path}: hyperparameters")
    if spec.grid_size() > MAX_TRIALS:
        raise UserError(f"{spec_path}: {spec.grid_size()} trials; at most {MAX_TRIALS} (fewer grid values)")
    return spec.model_copy(update=updates)
