"""Racing lines: where to drive on a track and how fast (``reward raceline``).

* :func:`racing_line` places a line inside the road with a safety margin, by minimum curvature (bounded linear
  least squares, :mod:`reward_sdk.raceline.optimise`) or K1999 smoothing, and profiles its speed from the
  calibrated car's limits (:mod:`reward_sdk.raceline.speed`);
* :mod:`reward_sdk.raceline.plot` draws it (PNG), :mod:`reward_sdk.raceline.emit` writes a self-contained reward
  function and a discrete action space clustered from it.

numpy, scipy, shapely and matplotlib only.
"""

from __future__ import annotations

from reward_sdk.raceline.build import DEFAULT_MARGIN_M, METHODS, RacingLine, racing_line

__all__ = ["DEFAULT_MARGIN_M", "METHODS", "RacingLine", "racing_line"]
