"""The training SIM_TRACE_LOG: every finished training episode of every car, numbered in finishing order.

``logs/training-N.log`` has the ``SIM_TRACE_LOG:`` lines (17 fields, the simulator's printf precisions) and
``logs/training-N.csv`` the same rows at full precision (a simtrace CSV), so ``reward replay`` re-scores the CSV
with the same reward to the logged values exactly. Episodes are written whole when they end (rows of an episode
still running when training stops are dropped); both files are atomic (moved into place when the ``with`` block
ends, also after Ctrl-C).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

from reward_sdk.simtrace import SimTraceWriter
from reward_sdk.tracks import Track


class TrainingTrace:
    """Collects finished episodes from :class:`~trainer.vec_env.RaceCarVecEnv` (``on_episode=trace.episode``)."""

    def __init__(self, log_path: Path, csv_path: Path | None, track: Track) -> None:
        header = [f" * /WORLD_NAME: {track.name}", f" * /REVERSE_DIR: {track.is_reversed}"]
        self.writer = SimTraceWriter(log_path, csv_path=csv_path, header_lines=header)
        self.episodes = 0
        self._open = False

    def __enter__(self) -> TrainingTrace:
        self.writer.__enter__()
        self._open = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._open = False
        self.writer.__exit__(None, None, None)  # keep what was logged, also after Ctrl-C or a reward failure

    def episode(self, car: int, rows: list[dict[str, Any]], info: dict[str, Any]) -> None:
        """Write one finished episode (``rows``, PREPARE step first) as episode number :attr:`episodes`."""
        if not self._open:
            return
        number = self.episodes
        for row in rows:
            row["episode"] = number
        self.writer.write_many(rows)
        self.episodes += 1
