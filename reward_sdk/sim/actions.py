"""Action spaces as the real service defines them, and ``model_metadata.json`` (PARAMS.md §6).

* **discrete**: a list of ``{"steering_angle": deg, "speed": m/s}``; the list position is the action index.
* **continuous**: ranges ``{"steering_angle": {"low", "high"}, "speed": {"low", "high"}}``. A policy output in
  [−1, 1]² is clipped and mapped linearly onto the ranges (what clipped PPO does in the real service), and the
  params dict carries the unrounded result.

The params dict always carries the *commanded* values (unclipped); only the car model clips them to ±30° and
[0.1, 4.0] m/s.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_sdk.errors import InputLimitError, UserError
from reward_sdk.input_files import cap, read_regular

SENSORS = ("FRONT_FACING_CAMERA", "STEREO_CAMERAS", "LEFT_CAMERA", "observation")
NETWORKS = (
    "DEEP_CONVOLUTIONAL_NETWORK_SHALLOW",
    "DEEP_CONVOLUTIONAL_NETWORK",
    "DEEP_CONVOLUTIONAL_NETWORK_DEEP",
)
DEFAULT_STEERING_DEG = (-30.0, -15.0, 0.0, 15.0, 30.0)  # deg, default discrete grid
DEFAULT_SPEEDS_MPS = (1.0, 2.0)  # m/s, default discrete grid

MAX_METADATA_BYTES = 1 << 20
"""Largest ``model_metadata.json`` / ``hyperparameters.json`` read (bytes); real ones are 1-3 kB. Bigger files
are refused before they are read; ``$REWARD_MAX_METADATA_BYTES`` raises the cap."""
MAX_METADATA_BYTES_ENV = "REWARD_MAX_METADATA_BYTES"


@dataclass(frozen=True)
class DiscreteActionSpace:
    """A numbered list of ``(steering_angle deg, speed m/s)`` actions."""

    actions: tuple[tuple[float, float], ...]

    kind = "discrete"

    def __post_init__(self) -> None:
        if not self.actions:
            raise UserError("discrete action space is empty: give at least one {steering_angle, speed}")

    def __len__(self) -> int:
        return len(self.actions)

    def command(self, action: Any) -> tuple[float, float]:
        """``(steering_angle, speed)`` of action index ``action``."""
        return self.actions[int(action)]

    def log_action(self, action: Any) -> object:
        """The simtrace ``action`` field: the index."""
        return int(action)

    @property
    def default_action(self) -> int:
        """First action with zero steering (the real service's default), else 0."""
        return next((i for i, (steer, _) in enumerate(self.actions) if steer == 0.0), 0)

    def metadata(self) -> list[dict[str, float | int]]:
        return [{"steering_angle": s, "speed": v, "index": i} for i, (s, v) in enumerate(self.actions)]


@dataclass(frozen=True)
class ContinuousActionSpace:
    """Steering range (deg) and speed range (m/s); policies act in [−1, 1]²."""

    steering_low: float = -30.0
    steering_high: float = 30.0
    speed_low: float = 0.5
    speed_high: float = 3.0

    kind = "continuous"

    def __post_init__(self) -> None:
        if not (self.steering_low < self.steering_high and self.speed_low < self.speed_high):
            raise UserError(
                "continuous action space needs low < high for steering_angle and speed, got "
                f"steering [{self.steering_low}, {self.steering_high}], speed [{self.speed_low}, {self.speed_high}]"
            )

    def command(self, action: Any) -> tuple[float, float]:
        """Clip ``(a_steer, a_speed)`` to [−1, 1] and map onto the ranges."""
        a_steer = min(max(float(action[0]), -1.0), 1.0)
        a_speed = min(max(float(action[1]), -1.0), 1.0)
        steer = self.steering_low + (a_steer + 1.0) * 0.5 * (self.steering_high - self.steering_low)
        speed = self.speed_low + (a_speed + 1.0) * 0.5 * (self.speed_high - self.speed_low)
        return steer, speed

    def log_action(self, action: Any) -> object:
        """The simtrace ``action`` field: ``[steer speed]`` (space-separated, simapp ≥ 5.2)."""
        steer, speed = self.command(action)
        return f"[{steer} {speed}]"

    @property
    def default_action(self) -> tuple[float, float]:
        """Policy output for zero steering at the middle speed (when 0 lies in the steering range)."""
        zero = (
            0.0
            if self.steering_low <= 0.0 <= self.steering_high
            else 0.5 * (self.steering_low + self.steering_high)
        )
        return (2.0 * (zero - self.steering_low) / (self.steering_high - self.steering_low) - 1.0, 0.0)

    def metadata(self) -> dict[str, dict[str, float]]:
        return {
            "steering_angle": {"low": self.steering_low, "high": self.steering_high},
            "speed": {"low": self.speed_low, "high": self.speed_high},
        }


@dataclass(frozen=True)
class CommandSpace:
    """Actions that are already ``(steering_angle deg, speed m/s)`` commands (scripted drivers)."""

    kind = "continuous"

    def command(self, action: Any) -> tuple[float, float]:
        return float(action[0]), float(action[1])

    def log_action(self, action: Any) -> object:
        return f"[{float(action[0])} {float(action[1])}]"

    @property
    def default_action(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def metadata(self) -> dict[str, dict[str, float]]:
        return ContinuousActionSpace(-30.0, 30.0, 0.1, 4.0).metadata()


ActionSpace = DiscreteActionSpace | ContinuousActionSpace | CommandSpace


def nearest_action(space: DiscreteActionSpace, steering_angle: float, speed: float) -> int:
    """Index of the discrete action closest to a command (steering in units of 30°, speed in m/s)."""
    return min(
        range(len(space.actions)),
        key=lambda i: (
            ((space.actions[i][0] - steering_angle) / 30.0) ** 2 + (space.actions[i][1] - speed) ** 2
        ),
    )


def discrete_grid(
    steering_angles: Sequence[float] = DEFAULT_STEERING_DEG, speeds: Sequence[float] = DEFAULT_SPEEDS_MPS
) -> DiscreteActionSpace:
    """Every steering angle combined with every speed (the console's action-space builder)."""
    return DiscreteActionSpace(tuple((float(s), float(v)) for s in steering_angles for v in speeds))


@dataclass(frozen=True)
class ModelMetadata:
    """The parts of ``model_metadata.json`` the simulator uses."""

    action_space: ActionSpace
    sensor: tuple[str, ...] = ("FRONT_FACING_CAMERA",)
    neural_network: str = "DEEP_CONVOLUTIONAL_NETWORK_SHALLOW"
    training_algorithm: str = "clipped_ppo"
    version: str = "5"

    def to_json(self) -> dict[str, Any]:
        """The ``model_metadata.json`` content."""
        return {
            "action_space": self.action_space.metadata(),
            "sensor": list(self.sensor),
            "neural_network": self.neural_network,
            "training_algorithm": self.training_algorithm,
            "action_space_type": self.action_space.kind,
            "version": self.version,
        }


def _short(value: object) -> str:
    """``repr(value)`` cut to 60 characters (a hostile value may be megabytes long)."""
    text = (
        repr(value)
        if not isinstance(value, int) or abs(value) < 10**60
        else f"<{value.bit_length()}-bit int>"
    )
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UserError(f"{where}: expected a number, got {_short(value)}")
    try:
        number = float(value)
    except ValueError:
        raise UserError(f"{where}: expected a number, got {_short(value)}") from None
    except OverflowError:  # an integer beyond the float range
        raise UserError(f"{where}: expected a finite number, got {_short(value)}") from None
    if not math.isfinite(number):
        raise UserError(f"{where}: expected a finite number, got {_short(value)}")
    return number


@functools.cache
def _key_types() -> Any:
    """The pydantic model of the typed top-level keys of ``model_metadata.json`` (built on first use: pydantic is
    imported only when a metadata file is read)."""
    from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr

    class MetadataKeys(BaseModel):
        """Types of the keys besides ``action_space`` (checked by hand, for messages that name the action)."""

        model_config = ConfigDict(extra="allow")

        action_space_type: StrictStr | None = None
        sensor: list[StrictStr] | None = None
        neural_network: StrictStr | None = None
        training_algorithm: StrictStr | None = None
        version: StrictStr | StrictInt | StrictFloat | None = None

    return MetadataKeys


def check_metadata_types(data: object, source: str = "model_metadata.json") -> dict[str, Any]:
    """Check the JSON types of a decoded ``model_metadata.json`` (pydantic), not its meaning; returns ``data``.

    An object whose ``action_space_type``, ``neural_network``, ``training_algorithm`` are strings, ``sensor`` a
    list of strings and ``version`` a string or number (each optional), and whose ``action_space`` (optional) is
    a list of objects or an object.

    :raises UserError: one line naming the first key at fault.
    """
    from pydantic import ValidationError

    if not isinstance(data, dict):
        raise UserError(
            f"{source}: expected a JSON object with an 'action_space' key, got {type(data).__name__}"
        )
    try:
        _key_types().model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(
            str(part) for part in first["loc"] if not str(part).startswith(("str", "int", "float"))
        )
        raise UserError(f"{source}: '{where}': {first['msg']}, got {_short(first['input'])}") from None
    space = data.get("action_space")
    if space is not None and not (
        isinstance(space, dict) or (isinstance(space, list) and all(isinstance(a, dict) for a in space))
    ):
        raise UserError(
            f"{source}: 'action_space' must be a list of {{steering_angle, speed}} objects or an object of "
            f"ranges, got {_short(space)}"
        )
    return data


def decode_metadata_json(data: bytes, source: str) -> object:
    """The JSON value in ``data`` (a ``model_metadata.json`` or ``hyperparameters.json``).

    :raises InputLimitError: nested too deeply for the parser (e.g. 100 000 ``[``).
    :raises ValueError: not UTF-8 JSON (``json.JSONDecodeError`` for syntax errors, with line and column).
    """
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise InputLimitError(f"{source}: JSON nested too deeply, refused") from None


def parse_model_metadata(data: object, source: str = "model_metadata.json") -> ModelMetadata:
    """Validate a decoded ``model_metadata.json``; every problem is a one-line :class:`UserError`."""
    if not isinstance(data, dict):
        raise UserError(f"{source}: expected a JSON object with an 'action_space' key")
    check_metadata_types(data, source)
    if "action_space" not in data:
        raise UserError(f"{source}: missing required key 'action_space'")
    kind = str(data.get("action_space_type", "discrete")).strip().lower()
    raw = data["action_space"]
    space: ActionSpace
    if kind == "discrete":
        if not isinstance(raw, list) or not raw:
            raise UserError(
                f"{source}: discrete 'action_space' must be a non-empty list of {{steering_angle, speed}}"
            )
        actions = []
        for i, entry in enumerate(raw):
            if not isinstance(entry, dict) or "steering_angle" not in entry or "speed" not in entry:
                raise UserError(f"{source}: action_space[{i}] needs 'steering_angle' and 'speed'")
            where = f"{source}: action_space[{i}]"
            actions.append((_number(entry["steering_angle"], where), _number(entry["speed"], where)))
        space = DiscreteActionSpace(tuple(actions))
    elif kind == "continuous":
        if not isinstance(raw, dict):
            raise UserError(
                f"{source}: continuous 'action_space' must be an object with steering_angle/speed ranges"
            )
        ranges = []
        for key in ("steering_angle", "speed"):
            entry = raw.get(key)
            if not isinstance(entry, dict) or "low" not in entry or "high" not in entry:
                raise UserError(f"{source}: action_space.{key} needs 'low' and 'high'")
            where = f"{source}: action_space.{key}"
            ranges += [_number(entry["low"], where), _number(entry["high"], where)]
        try:
            space = ContinuousActionSpace(*ranges)
        except UserError as exc:
            raise UserError(f"{source}: {exc}") from None
    else:
        raise UserError(f"{source}: action_space_type must be 'discrete' or 'continuous', got {kind!r}")
    algorithm = str(data.get("training_algorithm", "clipped_ppo")).strip().lower()
    if algorithm not in ("clipped_ppo", "sac"):
        raise UserError(f"{source}: training_algorithm must be 'clipped_ppo' or 'sac', got {algorithm!r}")
    if algorithm == "sac" and kind != "continuous":
        raise UserError(f"{source}: training_algorithm 'sac' needs a continuous action space")
    sensor = data.get("sensor", ["FRONT_FACING_CAMERA"])
    if not isinstance(sensor, list) or not all(isinstance(s, str) for s in sensor):
        raise UserError(f"{source}: 'sensor' must be a list of sensor names")
    return ModelMetadata(
        action_space=space,
        sensor=tuple(sensor),
        neural_network=str(data.get("neural_network", NETWORKS[0])),
        training_algorithm=algorithm,
        version=str(data.get("version", "5")),
    )


def read_metadata_bytes(path: str | Path) -> bytes:
    """The bytes of a ``model_metadata.json`` / ``hyperparameters.json``: a regular file of at most
    :data:`MAX_METADATA_BYTES` (FIFOs and devices are refused before any read, so nothing blocks).

    :raises UserError: unreadable file; :class:`InputLimitError`: not a regular file, or too big.
    """
    limit = cap(MAX_METADATA_BYTES, MAX_METADATA_BYTES_ENV)
    try:
        return read_regular(path, limit, "metadata file", MAX_METADATA_BYTES_ENV)
    except OSError as exc:
        raise UserError(f"{path}: cannot read model metadata ({exc.strerror or exc})") from None


def load_model_metadata(path: str | Path) -> ModelMetadata:
    """Read and validate ``model_metadata.json``.

    :raises UserError: unreadable file, invalid JSON or invalid content (one line);
        :class:`InputLimitError`: not a regular file, bigger than :data:`MAX_METADATA_BYTES`, or nested too
        deeply.
    """
    file_path = Path(path)
    raw = read_metadata_bytes(file_path)
    try:
        data = decode_metadata_json(raw, str(file_path))
    except json.JSONDecodeError as exc:
        raise UserError(f"{file_path}:{exc.lineno}:{exc.colno}: invalid JSON ({exc.msg})") from None
    except ValueError as exc:  # not UTF-8, or an integer literal beyond Python's digit limit
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{file_path}: invalid JSON ({reason[:120]})") from None
    return parse_model_metadata(data, str(file_path))
