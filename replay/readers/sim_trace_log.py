"""Reader for robomaker/simulation logs: the ``SIM_TRACE_LOG:`` lines, in any of the 15–19-field formats.

Lines may carry ROS or container prefixes before the marker (``[agent-9] SIM_TRACE_LOG:…``); everything
before ``SIM_TRACE_LOG:`` is ignored. The field count of each line selects its field names
(:data:`reward_sdk.simtrace.FIELDS_BY_COUNT`); 15-field (2019) lines carry yaw and steering in radians and
are converted to degrees by the parser. Non-step lines are mined for metadata
(:mod:`replay.readers.log_metadata`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from replay.readers.log_metadata import mine_log_metadata
from replay.readers.text import decode, lines_containing, split_lines
from reward_sdk.simtrace import LINE_PREFIX


@dataclass
class LogRecords:
    """The step records of one log: text after ``SIM_TRACE_LOG:``, their line numbers, and metadata."""

    records: pa.Array
    lines: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)


def has_sim_trace(data: bytes) -> bool:
    """True if the bytes contain at least one ``SIM_TRACE_LOG:`` marker."""
    return LINE_PREFIX.encode() in data


def extract_log_records(data: bytes) -> LogRecords:
    """Return the step records (``\\r`` stripped) and the mined metadata of one log."""
    text = decode(data)
    idx, bodies = lines_containing(split_lines(text), LINE_PREFIX)
    if len(bodies) and b"\r" in data:
        bodies = pc.utf8_rtrim(bodies, characters="\r")
    return LogRecords(bodies, idx.astype(np.int64) + 1, mine_log_metadata(text))
