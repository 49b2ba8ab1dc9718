"""The vectorised shortcuts of the readers agree with their plain definitions."""

from __future__ import annotations

import random

from replay.readers.sim_trace_log import _MARKER, _marker_starts


def _find_all(data: bytes) -> list[int]:
    found, at = [], data.find(_MARKER)
    while at >= 0:
        found.append(at)
        at = data.find(_MARKER, at + 1)
    return found


def test_marker_search_matches_bytes_find_at_every_alignment() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        parts = []
        for _ in range(rng.randrange(8)):
            roll = rng.random()
            if roll < 0.4:
                parts.append(_MARKER)
            elif roll < 0.6:
                parts.append(_MARKER[: rng.randrange(1, len(_MARKER))])
            elif roll < 0.7:
                parts.append(_MARKER[rng.randrange(1, len(_MARKER)) :])
            else:
                parts.append(bytes(rng.choice(b"SIM_TRACELOG:\n x") for _ in range(rng.randrange(9))))
        data = b"".join(parts)
        assert _marker_starts(data).tolist() == _find_all(data)
