"""The ``"observation"`` key our runs add to DeepRacer's ``model_metadata.json`` (no torch)."""

from __future__ import annotations

import json
from pathlib import Path

from edge.simdrive import OBSERVATIONS
from reward_sdk.errors import UserError
from reward_sdk.sim.actions import read_metadata_bytes


def metadata_observation(metadata_path: Path) -> str:
    """``"observation"`` of a ``model_metadata.json``: ``features`` or ``camera`` (``features`` when absent).

    :raises UserError: unreadable file, not JSON, or an unknown value."""
    try:
        data = json.loads(read_metadata_bytes(metadata_path))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{metadata_path}: not valid JSON") from None
    kind = data.get("observation", "features") if isinstance(data, dict) else None
    if kind not in OBSERVATIONS:
        raise UserError(f'{metadata_path}: "observation" must be features or camera, got {kind!r}')
    return str(kind)
