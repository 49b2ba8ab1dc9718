"""Scoring many simulator steps with the user's reward: one batched sandbox call for all cars of a step.

:class:`BatchScorer` turns a list of params dicts (one per car) into columns and calls
``RewardSandbox.score_many`` once; ``waypoints`` and ``track_length`` travel once per worker as constants.

Failures (``on_error``):

* ``"raise"`` (default): the first failing step raises :class:`RewardFailedError`, a one-line
  :class:`~reward_sdk.errors.UserError` that names the sandbox error and the **minimal params** that still fail
  (:func:`shrink_params`: every key that can be replaced by the value of a plain car on the centre line at the
  start line without making the failure go away is replaced; the keys left are the ones that matter).
* ``"skip"``: a failing row scores 0.0 and is counted in :attr:`BatchScorer.skipped`; the first error message is
  kept in :attr:`BatchScorer.first_error`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reward_sdk import geometry
from reward_sdk.errors import UserError
from reward_sdk.tracks import Track

CONSTANT_KEYS = ("waypoints", "track_length")  # params sent to the sandbox once per worker, not per step
ON_ERROR = ("raise", "skip")
RewardInput = str | Path | Callable[[dict[str, Any]], float] | None


class RewardFailedError(UserError):
    """The reward function raised or returned a bad value during training; ``params`` are the minimal ones."""

    def __init__(self, message: str, params: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.params = params


def reward_source(reward: str | Path | None) -> tuple[str, str]:
    """``(source, filename)`` of a reward given as a file path, source text, or ``None`` (the console's
    default centre-line example). :raises UserError: unreadable file."""
    from reward_sdk.examples import example_source
    from reward_sdk.reward_file import read_reward_source

    if reward is None:
        return example_source("follow_center_line"), "follow_center_line.py"
    if isinstance(reward, Path) or ("\n" not in reward and reward.endswith(".py")):
        return read_reward_source(reward), str(reward)
    return str(reward), "reward_function.py"


class BatchScorer:
    """Score the params dicts of one vector-env step in one sandbox call.

    :param track: the track (its waypoints/track_length become the sandbox constants).
    :param reward: reward file path, source text, ``None`` (default centre-line example) or a trusted Python
        callable (tests: called in process, one dict at a time).
    :param on_error: ``"raise"`` or ``"skip"`` (see the module docstring).
    """

    def __init__(self, track: Track, reward: RewardInput = None, on_error: str = "raise") -> None:
        if on_error not in ON_ERROR:
            raise UserError(f"--on-error must be one of {', '.join(ON_ERROR)}, got {on_error!r}")
        self.track = track
        self.on_error = on_error
        self.skipped = 0
        self.first_error = ""
        self.sandbox: Any = None
        self._local: Callable[[dict[str, Any]], float] | None = None
        if callable(reward):
            self._local = reward
            self.filename = "<callable>"
            return
        from sandbox import RewardSandbox

        source, self.filename = reward_source(reward)
        self.source = source
        self.sandbox = RewardSandbox(source, filename=self.filename)
        self.sandbox.set_constants(geometry.track_constants(track))

    def score(self, batch: Sequence[dict[str, Any]]) -> np.ndarray:
        """Rewards (float64, one per dict) of ``batch``; the dicts are full params dicts (constants dropped)."""
        if not batch:
            return np.zeros(0)
        if self._local is not None:
            return np.array([float(self._local(params)) for params in batch], dtype=np.float64)
        keys = [key for key in batch[0] if key not in CONSTANT_KEYS]
        columns = {key: [params[key] for params in batch] for key in keys}
        from sandbox import SandboxError

        try:
            return np.asarray(self.sandbox.score_many(columns, n=len(batch)), dtype=np.float64)
        except SandboxError as exc:
            if self.on_error == "raise":
                raise self._failure(exc) from None
            return self._score_one_by_one(batch, keys, exc)

    def _score_one_by_one(
        self, batch: Sequence[dict[str, Any]], keys: list[str], first: Exception
    ) -> np.ndarray:
        from sandbox import SandboxError

        self.first_error = self.first_error or str(first)
        out = np.zeros(len(batch))
        for i, params in enumerate(batch):
            try:
                out[i] = self.sandbox.score({key: params[key] for key in keys})
            except SandboxError as exc:
                self.first_error = self.first_error or str(exc)
                self.skipped += 1
        return out

    def _failure(self, exc: Any) -> RewardFailedError:
        params = exc.params
        if params is None:
            return RewardFailedError(str(exc), None)
        try:
            minimal = shrink_params(self.sandbox, self.track, params, type(exc))
        except Exception:  # shrinking is best effort: show the params that failed
            minimal = {k: v for k, v in params.items() if k not in CONSTANT_KEYS}
        shown = ", ".join(f"{key}={value!r}" for key, value in minimal.items())
        return RewardFailedError(
            f"{exc} (training stopped; minimal failing params, other keys as a car on the centre line at the "
            f"start: {{{shown}}}; use --on-error skip to score such steps 0)",
            minimal,
        )

    def close(self) -> None:
        """Stop the sandbox worker (if any)."""
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None


def simple_params(track: Track) -> dict[str, Any]:
    """Params of a plain car: on the centre line at the start, aligned with the track, 1 m/s, no steering."""
    x, y, heading = geometry.start_pose(track, 0.0)
    params = geometry.params_from_pose(track, x, y, heading, speed=1.0, steps=2.0, origin=True)
    return {key: value for key, value in params.items() if key not in CONSTANT_KEYS}


def shrink_params(
    sandbox: Any, track: Track, failing: dict[str, Any], kind: type[Exception]
) -> dict[str, Any]:
    """The keys of ``failing`` that matter: each key is set, in turn, to the plain car's value
    (:func:`simple_params`) and kept so while the call still raises ``kind``.

    :returns: the keys whose failing values are still needed (with those values), constants left out. One
        sandbox call per key (about 25).
    """
    base = simple_params(track)
    current = {key: value for key, value in failing.items() if key not in CONSTANT_KEYS}

    def fails(candidate: dict[str, Any]) -> bool:
        try:
            sandbox.score(candidate)
        except kind:
            return True
        except Exception:
            return False
        return False

    for key in list(current):
        if key in base and base[key] != current[key]:
            trial = {**current, key: base[key]}
            if fails(trial):
                current = trial
    return {key: value for key, value in current.items() if base.get(key, object()) != value}
