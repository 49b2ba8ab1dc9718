"""Snapshots of the main screens (pytest-textual-snapshot; fixed sizes, built-in data only, relative paths).

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the
SVGs in ``__snapshots__/`` (pytest writes a side-by-side report when one differs).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from reward_sdk.examples import example_source
from tests.tui.conftest import make_run
from tests.tui.helpers import settle
from tui.app import RewardTui

SnapCompare = Callable[..., bool]


@pytest.fixture
def snap_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with ``my_reward.py`` (the centre-line example); the app sees relative paths only."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REWARD_TRACKS_DIR", raising=False)
    Path("my_reward.py").write_text(example_source("follow_center_line"), encoding="utf-8")
    return tmp_path


def _app() -> RewardTui:
    return RewardTui(Path("my_reward.py"), runs_dir=Path("runs"))


async def _settled(pilot: Pilot[None]) -> None:
    pilot.app.query_one("#editor", TextArea).cursor_blink = False  # a blinking cursor is half the time hidden
    await settle(pilot)


def _keys(*keys: str) -> Callable[[Pilot[None]], object]:
    async def run(pilot: Pilot[None]) -> None:
        await _settled(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_editor_80x24(snap_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_settled)


def test_editor_with_a_finding_160x48(snap_dir: Path, snap_compare: SnapCompare) -> None:
    source = example_source("follow_center_line").replace('params["track_width"]', 'params["track_wdth"]')
    Path("my_reward.py").write_text(source, encoding="utf-8")
    assert snap_compare(_app(), terminal_size=(160, 48), run_before=_settled)


def test_reward_map_80x24(snap_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_keys("f3"))


def test_reward_map_faster_on_the_oval_160x48(snap_dir: Path, snap_compare: SnapCompare) -> None:
    source = (
        "def reward_function(params):\n    return params['speed'] / (1.0 + params['distance_from_center'])\n"
    )
    Path("my_reward.py").write_text(source, encoding="utf-8")
    assert snap_compare(_app(), terminal_size=(160, 48), run_before=_keys("f3", "plus", "t"))


def test_help_80x24(snap_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_keys("f1"))


def test_replay_empty_80x24(snap_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_keys("f4"))


def test_train_80x24(snap_dir: Path, snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_keys("f5"))


def test_runs_compared_80x24(snap_dir: Path, snap_compare: SnapCompare) -> None:
    make_run(Path("runs"), "slow", 1.0, "2026-01-01T00:00:00+00:00")
    make_run(Path("runs"), "fast", 2.0, "2026-01-02T00:00:00+00:00")
    assert Path(os.getcwd()) == snap_dir
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_keys("f6", "enter"))
