"""The ``params`` dict a DeepRacer reward function receives, as one Pydantic model.

:class:`RewardParams` is the single source of truth for the 27 input keys: their types, units, ranges and
meanings. The ``reward params`` table, the JSON Schema and the validation errors are all generated from it, and
:class:`RewardParamsDict` mirrors it as a ``TypedDict`` so editors can complete ``params["..."]``.

Conventions (see ``shared/spec/PARAMS.md`` for the evidence):

* positions are in metres in the simulator's world frame and refer to the point 0.14 m ahead of the car's origin;
* angles are in degrees, counter-clockwise positive (``steering_angle`` > 0 steers left), except
  ``objects_heading`` which the simulator fills in radians;
* ``speed`` and ``steering_angle`` are the *commanded* action values, not measurements;
* ``steps`` is a float that is 2.0 on the first call of an episode (step 1 is the prepare step);
* ``progress`` is measured from the episode's own start point and is capped at 100;
* every key is always present; object keys hold their defaults when the track has no objects;
* ``sim_time`` exists only in the community simulator (≥ 6.0.0), so it is optional here.

Validation of a dict never raises a Pydantic traceback at the user: :func:`validate_params` raises
:class:`~reward_sdk.errors.ParamsError` with one line naming the first offending key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reward_sdk.errors import ParamsError

Point = tuple[float, float]


def _unit(unit: str) -> dict[str, Any]:
    return {"unit": unit}


class RewardParams(BaseModel):
    """All input parameters of ``reward_function(params)``, in the order the simulator builds them.

    Construct from a dict with :func:`validate_params` (or ``RewardParams.model_validate``); convert back with
    :meth:`to_dict`, which gives exactly the structure the simulator passes (``waypoints`` as a list of tuples,
    ``objects_location`` as a list of lists).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    all_wheels_on_track: bool = Field(
        description="True when all four wheel centres are inside the road (on a border line counts as off).",
        json_schema_extra=_unit("-"),
    )
    x: float = Field(
        description="x of the car's front point (0.14 m ahead of the car origin) in the world frame; may be < 0.",
        json_schema_extra=_unit("m"),
    )
    y: float = Field(
        description="y of the car's front point in the world frame.", json_schema_extra=_unit("m")
    )
    heading: float = Field(
        ge=-180.0,
        le=180.0,
        description="Yaw of the car body: 0 points along +x, counter-clockwise positive.",
        json_schema_extra=_unit("deg"),
    )
    distance_from_center: float = Field(
        ge=0.0,
        description="Distance from the front point to the centre line; exceeds track_width/2 when off track.",
        json_schema_extra=_unit("m"),
    )
    projection_distance: float = Field(
        ge=0.0,
        description="Arc length along the centre line from waypoint 0 to the front point's projection.",
        json_schema_extra=_unit("m"),
    )
    progress: float = Field(
        le=100.0,
        description="Share of the lap driven since this episode's start point; 100 completes the lap.",
        json_schema_extra=_unit("%"),
    )
    steps: float = Field(
        ge=0.0,
        description="Steps taken in this episode, as a float; the first reward call sees 2.0 (prepare step).",
        json_schema_extra=_unit("count"),
    )
    speed: float = Field(
        description="Commanded speed of the chosen action (not measured, not clipped).",
        json_schema_extra=_unit("m/s"),
    )
    steering_angle: float = Field(
        description="Commanded steering of the chosen action; positive steers left.",
        json_schema_extra=_unit("deg"),
    )
    track_width: float = Field(
        gt=0.0,
        description="Road width measured at the car's position (between the border points nearest the centre).",
        json_schema_extra=_unit("m"),
    )
    track_length: float = Field(
        gt=0.0,
        description="Length of the centre line, closing segment included.",
        json_schema_extra=_unit("m"),
    )
    waypoints: list[Point] = Field(
        min_length=2,
        description="Centre-line points in the driving direction; on a loop the last equals the first.",
        json_schema_extra=_unit("m"),
    )
    closest_waypoints: tuple[int, int] = Field(
        description="[behind, ahead]: indices of the waypoints bracketing the car by arc length.",
        json_schema_extra=_unit("index"),
    )
    is_left_of_center: bool = Field(
        description="True when the car is left of the centre line, relative to the driving direction.",
        json_schema_extra=_unit("-"),
    )
    is_reversed: bool = Field(
        description="True when driving against the row order of the track file (not 'clockwise').",
        json_schema_extra=_unit("-"),
    )
    closest_objects: tuple[int, int] = Field(
        default=(0, 0),
        description="[behind, ahead]: indices into objects_location of the objects bracketing the car.",
        json_schema_extra=_unit("index"),
    )
    objects_location: list[list[float]] = Field(
        default_factory=list,
        description="[x, y] of every object (obstacle or bot car) on the track; empty without objects.",
        json_schema_extra=_unit("m"),
    )
    objects_left_of_center: list[bool] = Field(
        default_factory=list,
        description="For each object, True when it is left of the centre line.",
        json_schema_extra=_unit("-"),
    )
    object_in_camera: bool = Field(
        default=False,
        description="True when the object ahead is inside the camera's field of view.",
        json_schema_extra=_unit("-"),
    )
    objects_speed: list[float] = Field(
        default_factory=list,
        description="Speed of each object (the configured bot-car speed; 0 for obstacles).",
        json_schema_extra=_unit("m/s"),
    )
    objects_heading: list[float] = Field(
        default_factory=list,
        description="Yaw of each object; the simulator fills radians although the docs say degrees.",
        json_schema_extra=_unit("rad"),
    )
    objects_distance_from_center: list[float] = Field(
        default_factory=list,
        description="Distance from each object to the centre line.",
        json_schema_extra=_unit("m"),
    )
    objects_distance: list[float] = Field(
        default_factory=list,
        description="Arc length from waypoint 0 to each object's projection (compare with projection_distance).",
        json_schema_extra=_unit("m"),
    )
    is_crashed: bool = Field(
        default=False,
        description="True when the car's footprint overlaps an object's.",
        json_schema_extra=_unit("-"),
    )
    is_offtrack: bool = Field(
        description="True when no wheel centre is on the road (the episode ends on this step).",
        json_schema_extra=_unit("-"),
    )
    sim_time: float | None = Field(
        default=None,
        description="Simulator clock; community simulator ≥ 6.0.0 only, so read it with params.get('sim_time').",
        json_schema_extra=_unit("s"),
    )

    @field_validator("waypoints", mode="before")
    @classmethod
    def _waypoints_from_array(cls, value: Any) -> Any:
        # The official validator passes a numpy (N, 2) array; accept anything with .tolist().
        return value.tolist() if hasattr(value, "tolist") else value

    def to_dict(self) -> dict[str, Any]:
        """The dict exactly as the simulator would pass it (``sim_time`` omitted when ``None``)."""
        data = self.model_dump()
        data["waypoints"] = [tuple(point) for point in data["waypoints"]]
        data["closest_waypoints"] = list(data["closest_waypoints"])
        data["closest_objects"] = list(data["closest_objects"])
        if data["sim_time"] is None:
            del data["sim_time"]
        return data


class RewardParamsDict(TypedDict, total=False):
    """Editor-completion twin of :class:`RewardParams` (a test keeps the two key lists identical)."""

    all_wheels_on_track: bool
    x: float
    y: float
    heading: float
    distance_from_center: float
    projection_distance: float
    progress: float
    steps: float
    speed: float
    steering_angle: float
    track_width: float
    track_length: float
    waypoints: list[tuple[float, float]]
    closest_waypoints: list[int]
    is_left_of_center: bool
    is_reversed: bool
    closest_objects: list[int]
    objects_location: list[list[float]]
    objects_left_of_center: list[bool]
    object_in_camera: bool
    objects_speed: list[float]
    objects_heading: list[float]
    objects_distance_from_center: list[float]
    objects_distance: list[float]
    is_crashed: bool
    is_offtrack: bool
    sim_time: float


PARAM_NAMES: tuple[str, ...] = tuple(RewardParams.model_fields)
"""The 27 keys in the simulator's order."""

OBJECT_PARAM_NAMES: frozenset[str] = frozenset(
    {
        "closest_objects",
        "objects_location",
        "objects_left_of_center",
        "object_in_camera",
        "objects_speed",
        "objects_heading",
        "objects_distance_from_center",
        "objects_distance",
        "is_crashed",
    }
)
"""Keys that only carry real values when the track holds objects (obstacles or bot cars)."""


def param_unit(name: str) -> str:
    """Unit of a key as shown in the table (``"m"``, ``"deg"``, ``"-"``...)."""
    extra = RewardParams.model_fields[name].json_schema_extra
    return str(extra["unit"]) if isinstance(extra, dict) else "-"


def param_type_name(name: str) -> str:
    """Short type of a key for humans (``float``, ``list[(x, y)]``...)."""
    annotation = RewardParams.model_fields[name].annotation
    text = getattr(annotation, "__name__", None) if not hasattr(annotation, "__args__") else None
    if text is None:
        text = str(annotation).replace("typing.", "")
    return {"list[tuple[float, float]]": "list[(x, y)]", "float | None": "float (optional)"}.get(text, text)


def validate_params(data: Mapping[str, Any]) -> RewardParams:
    """Validate a params dict and return the model.

    :param data: a dict as a reward function would receive it. Missing object keys get their defaults.
    :raises ParamsError: one line naming the first bad key, what was wrong and the value given.
    """
    if not isinstance(data, Mapping):
        raise ParamsError(f"params must be a JSON object (dict), got {type(data).__name__}")
    try:
        return RewardParams.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first["loc"]) or "params"
        key = str(first["loc"][0]) if first["loc"] else "params"
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            from difflib import get_close_matches

            close = get_close_matches(key, PARAM_NAMES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ParamsError(f"params: unknown key '{key}'{hint}") from None
        if first["type"] == "missing":
            raise ParamsError(f"params: missing key '{key}' ({param_type_name(key)})") from None
        given = first.get("input")
        given_text = repr(given)
        if len(given_text) > 60:
            given_text = given_text[:57] + "..."
        raise ParamsError(f"params: bad value for '{location}': {message} (got {given_text})") from None


def params_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the params dict, with units and a schema version."""
    schema = RewardParams.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "DeepRacer reward function params"
    schema["x-schema-version"] = 1
    return schema
