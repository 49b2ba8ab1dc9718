"""The reward map tab: the reward function over a built-in track, drawn with half-block characters.

Each terminal cell shows two square pixels (``▀``: foreground = upper pixel, background = lower one); a pixel's
colour is the reward of a car there (heading along the track, the chosen speed), from dark (the map's lowest
reward) to bright yellow (its highest). Keys while the map has focus: ``+``/``-`` speed (0.5 m/s steps),
``t`` next track, ``r`` recompute. The numbers come from :func:`tui.reward_grid.compute_reward_map` (one batched
sandbox call), run in a background thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from tui.reward_grid import RewardMap, compute_reward_map

__all__ = ["MapPane", "MapView", "reward_colour"]

SPEEDS = tuple(round(0.5 * i, 1) for i in range(1, 9))
"""Speeds offered by ``+``/``-``, m/s."""

_STOPS = np.array(
    [(40, 11, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], dtype=np.float64
)  # dark violet → blue → teal → green → yellow


def reward_colour(fraction: float) -> Color:
    """Colour of a reward at ``fraction`` of the way from the map's lowest (0) to its highest (1) reward."""
    position = float(np.clip(fraction, 0.0, 1.0)) * (len(_STOPS) - 1)
    low = min(int(position), len(_STOPS) - 2)
    mix = _STOPS[low] + (_STOPS[low + 1] - _STOPS[low]) * (position - low)
    red, green, blue = (int(v + 0.5) for v in mix)
    return Color.from_rgb(red, green, blue)


def _fractions(rewards: np.ndarray, low: float, high: float) -> np.ndarray:
    if not np.isfinite(low):
        return rewards
    if high - low <= 1e-12:
        return np.where(np.isfinite(rewards), 0.5, np.nan)
    return (rewards - low) / (high - low)


def render_map(reward_map: RewardMap) -> Text:
    """The map as rich text: one line per two pixel rows, ``▀``/``▄`` coloured by reward."""
    fractions = _fractions(reward_map.rewards, reward_map.low, reward_map.high)
    text = Text(no_wrap=True, overflow="crop")
    height, width = fractions.shape
    cache: dict[float, Color] = {}

    def colour(value: float) -> Color:
        key = round(value, 3)
        if key not in cache:
            cache[key] = reward_colour(key)
        return cache[key]

    for row in range(0, height - 1, 2):
        if row:
            text.append("\n")
        for column in range(width):
            top, bottom = fractions[row, column], fractions[row + 1, column]
            if np.isfinite(top) and np.isfinite(bottom):
                text.append("▀", Style(color=colour(top), bgcolor=colour(bottom)))
            elif np.isfinite(top):
                text.append("▀", Style(color=colour(top)))
            elif np.isfinite(bottom):
                text.append("▄", Style(color=colour(bottom)))
            else:
                text.append(" ")
    return text


def legend(reward_map: RewardMap | None, track: str, speed: float, state: str) -> Text:
    """The line under the map: track, speed and the colour scale with its lowest and highest reward (the keys
    are in the footer)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{track} · {speed:.1f} m/s · ", "bold")
    if reward_map is not None and reward_map.error:
        text.append(f"error: {reward_map.error}", "red")
    elif reward_map is not None and np.isfinite(reward_map.low):
        text.append(f"{reward_map.low:.3g} ")
        for step in range(10):
            text.append("█", Style(color=reward_colour(step / 9)))
        text.append(f" {reward_map.high:.3g}")
    else:
        text.append(state)
    return text


class MapView(Widget, can_focus=True):
    """Shows a :class:`RewardMap` (blank until the first one is computed)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.reward_map: RewardMap | None = None

    def show(self, reward_map: RewardMap) -> None:
        self.reward_map = reward_map
        self.refresh()

    def render(self) -> Text:
        if self.reward_map is None:
            return Text("computing the reward map…", "dim")
        return render_map(self.reward_map)


class MapPane(Vertical):
    """Reward map + legend; ``source`` returns the editor's ``(text, filename)`` when the map is computed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus,equals_sign", "faster", "faster", key_display="+"),
        Binding("minus", "slower", "slower", key_display="-"),
        Binding("t", "next_track", "track"),
        Binding("r", "recompute", "recompute"),
    ]

    def __init__(self, source: Callable[[], tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.tracks: tuple[str, ...] = ("club", "oval", "technical")
        self.track_index = 0
        self.speed = 1.0
        self.computed_for: tuple[str, str, float, int, int] | None = None
        self.state = "computing…"

    def compose(self) -> ComposeResult:
        yield MapView(id="map")
        yield Static(legend(None, self.track, self.speed, self.state), id="map-legend")

    @property
    def track(self) -> str:
        return self.tracks[self.track_index]

    def refresh_map(self, force: bool = False) -> None:
        """Compute the map for the current text, track, speed and size unless it already shows exactly that."""
        view = self.query_one(MapView)
        cols, rows = view.size.width, view.size.height
        if cols < 4 or rows < 2:
            return
        text, filename = self.source()
        key = (text, self.track, self.speed, cols, rows)
        if key == self.computed_for and not force:
            return
        self.computed_for = key
        self.state = "computing…"
        self._legend()
        self._compute(text, filename, self.track, self.speed, cols, rows)

    @work(thread=True, exclusive=True, group="reward-map")
    def _compute(self, text: str, filename: str, track: str, speed: float, cols: int, rows: int) -> None:
        from reward_sdk.builtin_tracks import builtin_track

        reward_map = compute_reward_map(text, filename, builtin_track(track), speed, cols, rows)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._done, reward_map)

    def _done(self, reward_map: RewardMap) -> None:
        self.query_one(MapView).show(reward_map)
        self.state = "ready"
        self._legend(reward_map)

    def _legend(self, reward_map: RewardMap | None = None) -> None:
        shown = reward_map or self.query_one(MapView).reward_map
        if shown is not None and (shown.track != self.track or shown.speed != self.speed):
            shown = None
        self.query_one("#map-legend", Static).update(legend(shown, self.track, self.speed, self.state))

    def on_resize(self) -> None:
        if self.display and self.is_on_screen:
            self.call_after_refresh(self.refresh_map)

    def action_faster(self) -> None:
        self.speed = next((s for s in SPEEDS if s > self.speed), SPEEDS[-1])
        self.refresh_map()

    def action_slower(self) -> None:
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0])
        self.refresh_map()

    def action_next_track(self) -> None:
        self.track_index = (self.track_index + 1) % len(self.tracks)
        self.refresh_map()

    def action_recompute(self) -> None:
        self.refresh_map(force=True)
