"""Ready-made, physically consistent params dicts (for ``reward call``, the demo and docs).

:func:`sample_params` places a car on a track and asks :mod:`reward_sdk.geometry` for the dict, so every key is
consistent with every other — unlike the official validator's fixed dicts (see AWS_VALIDATOR.md).
"""

from __future__ import annotations

from typing import Any

from reward_sdk.builtin_tracks import builtin_track
from reward_sdk.geometry import params_from_pose, start_pose, track_geometry
from reward_sdk.tracks import Track

DEFAULT_SAMPLE_TRACK = "club"


def sample_params(
    track: Track | None = None,
    *,
    lap_fraction: float = 0.1,
    lateral_offset_m: float = 0.1,
    speed: float = 2.0,
    steering_angle: float = 5.0,
    steps: float = 20.0,
) -> dict[str, Any]:
    """Params of a car ``lap_fraction`` of the way round ``track`` (default: the built-in club circuit).

    The car points along the track, ``lateral_offset_m`` to the left of the centre line (negative = right),
    and the episode started at the start line, so ``progress ≈ 100 · lap_fraction``.
    """
    chosen = track if track is not None else builtin_track(DEFAULT_SAMPLE_TRACK)
    track_geometry(chosen)
    origin_x, origin_y, yaw_deg = start_pose(chosen, lap_fraction)
    import math

    yaw = math.radians(yaw_deg)
    origin_x -= lateral_offset_m * math.sin(yaw)
    origin_y += lateral_offset_m * math.cos(yaw)
    return params_from_pose(
        chosen,
        origin_x,
        origin_y,
        yaw_deg,
        origin=True,
        speed=speed,
        steering_angle=steering_angle,
        steps=steps,
        start_ndist=0.0,
        prev_progress=100.0 * lap_fraction,
    )
