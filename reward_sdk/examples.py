"""The example reward functions shipped in ``examples/`` and the JSON params used to try them.

``reward new FILE --template NAME`` copies one; the demo, the tests and the benchmarks load them by name.
The examples live in the repository's ``examples/`` folder (the SDK is installed in editable mode by
``make``); a non-editable install looks in ``reward_sdk/templates`` instead.
"""

from __future__ import annotations

from pathlib import Path

from reward_sdk.errors import UserError

EXAMPLE_NAMES: tuple[str, ...] = (
    "follow_center_line",
    "stay_inside_borders",
    "penalize_zigzag",
    "speed_center_line",
    "waypoint_heading",
    "progress_speed",
)

_REPO_EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"


def example_path(name: str) -> Path:
    """Path of an example by name (``follow_center_line``...).

    :raises UserError: unknown name (lists the known ones) or examples missing from the installation.
    """
    if name not in EXAMPLE_NAMES:
        raise UserError(f"unknown template '{name}' (choose one of: {', '.join(EXAMPLE_NAMES)})")
    for folder in (_REPO_EXAMPLES, _PACKAGED_TEMPLATES):
        candidate = folder / f"{name}.py"
        if candidate.is_file():
            return candidate
    raise UserError(f"example '{name}' is missing from this installation")


def example_source(name: str) -> str:
    """Source text of an example."""
    return example_path(name).read_text(encoding="utf-8")
