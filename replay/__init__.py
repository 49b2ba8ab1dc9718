"""Replay real DeepRacer logs: read every log variant, match the track, re-score, flag behaviours, plot.

Public API:

- :func:`read_logs` → :class:`ReplayLog` (``.steps`` DataFrame with the schema of
  :data:`replay.schema.STEP_COLUMNS`, ``.sources`` metadata, ``.warnings``);
- :mod:`replay.tracks_match`, :mod:`replay.rescore`, :mod:`replay.flags`, :mod:`replay.report`,
  :mod:`replay.plot` for the later steps.
"""

from replay.detect import LogInputError
from replay.load import ReplayLog, read_logs
from replay.schema import SCHEMA_VERSION, STEP_COLUMNS, SourceInfo

__all__ = ["SCHEMA_VERSION", "STEP_COLUMNS", "LogInputError", "ReplayLog", "SourceInfo", "read_logs"]
