"""PNG of a racing line over the track: borders and centre line in grey, the line coloured by target speed."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from reward_sdk.atomic import write_bytes_atomic
from reward_sdk.raceline.build import RacingLine

FIGURE_INCHES = (9.0, 7.0)
DPI = 120


def render_png(line: RacingLine) -> bytes:
    """The picture as PNG bytes (matplotlib's Agg backend, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    track = line.track
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    for border in (track.inner, track.outer):
        axes.plot(border[:, 0], border[:, 1], color="0.2", linewidth=1.5)
    axes.plot(track.center[:, 0], track.center[:, 1], color="0.6", linewidth=0.8, linestyle="--")
    closed = np.vstack([line.points, line.points[:1]]) if line.is_loop else line.points
    speeds = np.append(line.speeds, line.speeds[0]) if line.is_loop else line.speeds
    segments = np.stack([closed[:-1], closed[1:]], axis=1)
    colours = LineCollection(list(segments), cmap="plasma", linewidths=2.5)
    colours.set_array(0.5 * (speeds[:-1] + speeds[1:]))
    axes.add_collection(colours)
    bar = figure.colorbar(colours, ax=axes, shrink=0.8)
    bar.set_label("target speed (m/s)")
    axes.plot(*closed[0], marker="o", color="green", markersize=7)
    axes.set_aspect("equal")
    axes.set_xlabel("x (m)")
    axes.set_ylabel("y (m)")
    axes.set_title(
        f"{track.name}: {line.method} line, margin {line.margin:g} m, predicted lap {line.lap_time:.2f} s "
        f"(centre line {line.centre_lap_time:.2f} s)",
        fontsize=10,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def write_png(line: RacingLine, path: str | os.PathLike[str]) -> Path:
    """Write :func:`render_png` to ``path`` atomically; returns the path."""
    return write_bytes_atomic(path, render_png(line))
