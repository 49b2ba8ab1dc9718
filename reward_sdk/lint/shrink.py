"""Classify sandbox failures into RW3xx codes and shrink a failing car pose to a minimal one.

:func:`minimal_pose` first asks hypothesis (``find()`` over :func:`reward_sdk.testing.car_pose`, scoring single
states in the sandbox) for a failing pose of the same kind and lets it shrink; when hypothesis cannot reproduce
the failure within its budget, the known failing pose is shrunk greedily, field by field, towards the simplest
values (centre line, aligned heading, speed 1, no steering, progress 0, steps 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from reward_sdk.testing import CarPose, car_pose
from reward_sdk.tracks import Track

__all__ = ["FailureKind", "classify", "minimal_pose"]

FIND_EXAMPLES = 150  # hypothesis examples tried to reproduce a failure
_LINE = re.compile(r":(\d+): ([A-Za-z_][\w.]*)")
_SIMPLE = {
    "lateral": 0.0,
    "heading_offset": 0.0,
    "steering_angle": 0.0,
    "speed": 1.0,
    "progress": 0.0,
    "steps": 2.0,
    "ndist": 0.0,
}


@dataclass(frozen=True)
class FailureKind:
    """A failure category: rule code, a label (exception type or value problem) and whether it has a line."""

    code: str
    label: str
    has_line: bool


def classify(exc: Any) -> FailureKind:
    """Map a sandbox error to its RW3xx code."""
    name = type(exc).__name__
    text = str(exc)
    if name == "BadRewardValue":
        if "not finite" in text:
            return FailureKind("RW302", "not finite", False)
        if "outside" in text:
            return FailureKind("RW304", "out of range", False)
        return FailureKind("RW303", "not a number", False)
    if name == "RewardTimeout":
        return FailureKind("RW305", "timeout", False)
    match = _LINE.search(text)
    return FailureKind("RW301", match.group(2) if match else name, True)


def _same(exc: Any, kind: FailureKind, line: int) -> bool:
    other = classify(exc)
    if other.code != kind.code or other.label != kind.label:
        return False
    match = _LINE.search(str(exc))
    return not kind.has_line or (match is not None and int(match.group(1)) == line)


def _fails(sandbox: Any, track: Track, pose: CarPose, kind: FailureKind, line: int) -> bool:
    from sandbox import SandboxError

    try:
        sandbox.score(pose.params(track))
    except SandboxError as exc:
        return _same(exc, kind, line)
    return False


def minimal_pose(sandbox: Any, track: Track, pose: CarPose, kind: FailureKind, line: int) -> CarPose:
    """A simple pose on ``track`` failing like ``pose`` (returns ``pose`` itself if nothing simpler fails)."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis.errors import NoSuchExample

    try:
        found = find(
            car_pose(track),
            lambda candidate: _fails(sandbox, track, candidate, kind, line),
            settings=settings(
                max_examples=FIND_EXAMPLES,
                database=None,
                derandomize=True,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
        return _greedy(sandbox, track, found, kind, line)
    except (NoSuchExample, Exception):  # hypothesis could not reproduce it: shrink the known pose
        return _greedy(sandbox, track, pose, kind, line)


def _greedy(sandbox: Any, track: Track, pose: CarPose, kind: FailureKind, line: int) -> CarPose:
    """Replace each field by its simplest value (or round it) while the failure persists."""
    for name, simple in _SIMPLE.items():
        value = getattr(pose, name)
        for candidate in (simple, round(value, 1), round(value)):
            if candidate == value:
                break
            trial = replace(pose, **{name: float(candidate)})
            if _fails(sandbox, track, trial, kind, line):
                pose = trial
                break
    return pose
