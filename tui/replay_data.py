"""The replay tab's data: the library call behind ``reward replay`` (:func:`replay.pipeline.run_replay`) with the
editor's text as the new reward, and per-episode reward series for the side-by-side view.

``replay`` is imported inside the functions, when the tab is used.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EpisodeSeries", "ReplayView", "episode_series", "load_replay"]


@dataclass
class ReplayView:
    """A replayed log ready to show.

    :param episodes: one row per episode (:func:`replay.flags.episode_summary` columns; ``new_reward`` when the
        editor's function re-scored the log).
    :param steps: the step frame (:mod:`replay.schema` columns).
    :param new_reward: (len(steps),) the editor's reward per step (NaN where it failed or did not run), or None.
    :param track: name of the matched track, or None.
    :param notes: one-line remarks (no track matched, re-scoring failures, reward compile error...).
    """

    episodes: Any
    steps: Any
    new_reward: np.ndarray | None = None
    track: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EpisodeSeries:
    """Per RUN step of one episode: the logged reward and the editor's reward (NaN where it failed)."""

    logged: np.ndarray
    new: np.ndarray | None
    progress: np.ndarray


def load_replay(
    log_path: str | Path,
    tracks_dir: str | Path | None,
    source: str | None,
    filename: str = "reward_function.py",
    time_budget: float | None = None,
) -> ReplayView:
    """Read the log(s) at ``log_path`` and re-score every step with ``source`` (the editor's text).

    :param tracks_dir: folder of ``.npy`` tracks the log's track is matched against (None: built-in tracks and
        ``$REWARD_TRACKS_DIR``).
    :param source: reward source to re-score with; None only reads the log and flags its episodes.
    :param filename: name of the reward file shown in messages.
    :param time_budget: re-scoring wall-time budget in seconds (default: ``reward replay``'s).
    :raises UserError: unreadable or missing log (one line, as the CLI prints it).
    When no track matches or the function does not compile, the log is still shown (without ``new_reward``)
    and the reason is in :attr:`ReplayView.notes`.
    """
    from replay.pipeline import run_replay
    from reward_sdk.errors import TrackError
    from sandbox import SandboxError

    notes: list[str] = []
    folder = Path(tracks_dir) if tracks_dir else None
    if source is not None:
        with tempfile.TemporaryDirectory(prefix="reward-tui-") as scratch:
            reward_path = Path(scratch) / (Path(filename).name or "reward_function.py")
            reward_path.write_text(source, encoding="utf-8")
            try:
                outcome = run_replay(
                    [log_path], tracks_dir=folder, reward=reward_path, time_budget=time_budget
                )
            except TrackError as exc:
                notes.append(f"not re-scored: {str(exc).splitlines()[0]}")
            except SandboxError as exc:
                notes.append(f"not re-scored: {str(exc).splitlines()[0]}")
            else:
                return _view(outcome, notes)
    outcome = run_replay([log_path], tracks_dir=folder, check_fidelity=False)
    return _view(outcome, notes)


def _view(outcome: Any, notes: list[str]) -> ReplayView:
    result = outcome.result
    notes = notes + list(result.notes)
    if outcome.new_failed is not None and outcome.new_failed.any():
        notes.append(
            f"the new reward failed on {int(outcome.new_failed.sum())} steps (NaN, left out of sums)"
        )
    track = outcome.groups[0].choice.track.name if outcome.groups else None
    return ReplayView(result.episodes, result.log.steps, outcome.new_reward, track, notes)


def episode_series(view: ReplayView, unique_episode: int) -> EpisodeSeries:
    """Logged and new reward of each RUN step of ``unique_episode`` (in step order)."""
    from replay.schema import run_mask

    steps = view.steps
    rows = (steps["unique_episode"].to_numpy() == unique_episode) & run_mask(steps)
    logged = steps["reward"].to_numpy()[rows].astype(np.float64)
    new = None if view.new_reward is None else np.asarray(view.new_reward)[rows].astype(np.float64)
    return EpisodeSeries(logged, new, steps["progress"].to_numpy()[rows].astype(np.float64))
