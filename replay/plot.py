"""Pictures of a replay: reward heat maps on the track and a per-waypoint reward profile (matplotlib, Agg).

:func:`plot_replay` draws, on one figure,

- the logged reward of every RUN step at its (x, y), over the track's borders and dashed centre line;
- with ``--reward``: the re-scored reward the same way, and the difference (new − logged, or new − compare
  when ``--compare`` is given) on a diverging colour map;
- the per-waypoint reward profile: mean reward per logged ``closest_waypoint`` for each available series.

The PNG is rendered in memory and written atomically (temporary file + ``os.replace``).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from replay.schema import run_mask
from reward_sdk.atomic import write_bytes_atomic
from reward_sdk.tracks import Track

MAX_POINTS = 60_000
"""Points drawn per heat map (a random subset of larger logs; the picture looks the same)."""


def _draw_track(ax: object, track: Track) -> None:
    for line, style in ((track.inner, "-"), (track.outer, "-")):
        ax.plot(line[:, 0], line[:, 1], style, color="0.25", linewidth=1.2, zorder=1)  # type: ignore[attr-defined]
    ax.plot(track.center[:, 0], track.center[:, 1], "--", color="0.55", linewidth=0.8, zorder=1)  # type: ignore[attr-defined]
    ax.set_aspect("equal")  # type: ignore[attr-defined]
    ax.set_xticks([])  # type: ignore[attr-defined]
    ax.set_yticks([])  # type: ignore[attr-defined]


def _heat(
    ax: object,
    fig: object,
    track: Track,
    x: np.ndarray,
    y: np.ndarray,
    values: np.ndarray,
    title: str,
    diverging: bool = False,
) -> None:
    _draw_track(ax, track)
    finite = np.isfinite(values)
    x, y, values = x[finite], y[finite], values[finite]
    if len(values) > MAX_POINTS:
        pick = np.random.default_rng(0).choice(len(values), MAX_POINTS, replace=False)
        x, y, values = x[pick], y[pick], values[pick]
    if diverging:
        limit = float(np.nanmax(np.abs(values))) if len(values) else 1.0
        kwargs = {"cmap": "coolwarm", "vmin": -limit or -1.0, "vmax": limit or 1.0}
    else:
        kwargs = {"cmap": "viridis"}
    points = ax.scatter(x, y, c=values, s=4, linewidths=0, zorder=2, **kwargs)  # type: ignore[attr-defined]
    fig.colorbar(points, ax=ax, shrink=0.8)  # type: ignore[attr-defined]
    ax.set_title(title)  # type: ignore[attr-defined]


def plot_replay(
    out: str | os.PathLike[str],
    steps: pd.DataFrame,
    track: Track,
    new_reward: np.ndarray | None = None,
    other_reward: np.ndarray | None = None,
    *,
    new_name: str = "new reward",
    other_name: str = "compare",
) -> Path:
    """Write the replay figure as PNG to ``out`` (atomically) and return the path.

    :param steps: the rows to draw (replay schema), all on ``track``.
    :param new_reward: per-row re-scored reward (NaN on non-RUN rows), or None.
    :param other_reward: per-row reward of the ``--compare`` function, or None.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = run_mask(steps)
    x, y = steps["x"].to_numpy()[run], steps["y"].to_numpy()[run]
    series = {"logged": steps["reward"].to_numpy()[run]}
    if new_reward is not None:
        series[new_name] = np.asarray(new_reward)[run]
    if other_reward is not None:
        series[other_name] = np.asarray(other_reward)[run]
    maps: list[tuple[str, np.ndarray, bool]] = [("logged reward", series["logged"], False)]
    if new_reward is not None:
        maps.append((new_name, series[new_name], False))
        base_name = other_name if other_reward is not None else "logged"
        maps.append((f"{new_name} − {base_name}", series[new_name] - series[base_name], True))
    if other_reward is not None:
        maps.insert(2, (other_name, series[other_name], False))
    fig = plt.figure(figsize=(6.0 * len(maps), 10.0), dpi=90)
    grid = fig.add_gridspec(2, len(maps), height_ratios=[3, 1.3])
    for i, (title, values, diverging) in enumerate(maps):
        _heat(fig.add_subplot(grid[0, i]), fig, track, x, y, values, title, diverging)
    profile = fig.add_subplot(grid[1, :])
    waypoint = steps["closest_waypoint"].to_numpy()[run]
    for name, values in series.items():
        mean = pd.Series(values).groupby(waypoint).mean()
        profile.plot(mean.index, mean.to_numpy(), marker=".", linewidth=1, label=name)
    profile.set_xlabel("closest waypoint")
    profile.set_ylabel("mean reward per step")
    profile.set_title(f"per-waypoint reward profile ({track.name})")
    profile.legend(loc="best")
    profile.grid(alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return write_bytes_atomic(out, buffer.getvalue())
