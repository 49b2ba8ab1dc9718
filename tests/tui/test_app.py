"""The app driven through Textual's Pilot: live lint, finding → cursor, save, tabs, help, real log, map, runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Select, Sparkline, Static, TabbedContent, TextArea

from tests.tui.helpers import layout_problems, lint_lines, settle, sync
from tui.app import TABS, RewardTui
from tui.editor import DEBOUNCE_S
from tui.help import HelpScreen
from tui.map_view import MapPane, MapView

TYPO_LINE = '    bonus = params["sped"]'


def _static_text(app: RewardTui, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


@sync
async def test_typo_appears_in_the_lint_panel_and_goes_when_fixed(reward_file: Path) -> None:
    app = RewardTui(reward_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert lint_lines(app) == [] and "clean" in _static_text(app, "#lint-title")
        editor = app.query_one("#editor", TextArea)
        editor.cursor_location = (9, len(editor.document.get_line(9)))  # end of `track_width = ...`
        await pilot.press("enter", *TYPO_LINE)
        assert editor.document.get_line(10) == TYPO_LINE
        await settle(pilot, DEBOUNCE_S + 0.3)
        lines = lint_lines(app)
        assert (
            len(lines) == 1 and "RW101" in lines[0] and "'sped'" in lines[0] and lines[0].split()[0] == "11"
        )
        await pilot.press("backspace", "backspace", "backspace", *'ed"]')
        assert editor.document.get_line(10) == '    bonus = params["speed"]'
        await settle(pilot, DEBOUNCE_S + 0.3)
        assert lint_lines(app) == []


@sync
async def test_choosing_a_finding_moves_the_cursor_to_its_line(reward_file: Path) -> None:
    source = reward_file.read_text(encoding="utf-8").replace('params["track_width"]', 'params["track_wdth"]')
    reward_file.write_text(source, encoding="utf-8")
    app = RewardTui(reward_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert ["RW101" in line for line in lint_lines(app)] == [True]
        editor = app.query_one("#editor", TextArea)
        editor.cursor_location = (0, 0)
        options = app.query_one("#lint-list", OptionList)
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert editor.has_focus
        assert editor.cursor_location == (8, source.splitlines()[8].index('params["track_wdth"]'))


@sync
async def test_ctrl_s_saves_atomically_and_runs_the_runtime_rules(reward_file: Path) -> None:
    # the editor's lint reads [tool.reward-lint] like `reward lint`: a small runtime run keeps this test quick
    (reward_file.parent / "pyproject.toml").write_text(
        '[tool.reward-lint]\nstates = 200\ntracks = ["oval"]\naudit = false\n', encoding="utf-8"
    )
    app = RewardTui(reward_file)
    crash = "def reward_function(params):\n    return 1.0 / (params['speed'] - params['speed'])\n"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one("#editor", TextArea).text = crash
        await pilot.press("ctrl+s")
        assert reward_file.read_text(encoding="utf-8") == crash
        assert not list(reward_file.parent.glob(".*.tmp"))
        await settle(pilot)
        lines = lint_lines(app)
        assert any(" RW3" in line and line.endswith("(saved)") for line in lines), lines
        assert "at save" in _static_text(app, "#lint-runtime")
        assert not app.editor_pane.modified


@sync
async def test_function_keys_and_clicks_switch_tabs_and_f1_shows_help(reward_file: Path) -> None:
    app = RewardTui(reward_file)
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one("#tabs", TabbedContent)
        for index, name in enumerate(TABS):
            await pilot.press(f"f{index + 2}")
            await pilot.pause()
            assert tabs.active == f"tab-{name}"
        await pilot.click("#--content-tab-tab-replay")
        await pilot.pause()
        assert tabs.active == "tab-replay"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        assert "ctrl+s" in text and "F1" in text and "+ / -" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await settle(pilot)


@sync
async def test_replay_tab_opens_a_real_log(reward_file: Path, evaluation_log: Path, tracks_dir: Path) -> None:
    app = RewardTui(reward_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        app.query_one("#tracks-dir", Input).value = str(tracks_dir)
        log_input = app.query_one("#log-path", Input)
        log_input.value = str(evaluation_log)
        log_input.focus()
        await pilot.press("enter")
        await settle(pilot)
        status = _static_text(app, "#replay-status")
        assert "3 episodes" in status and "reinvent_base" in status, status
        table = app.query_one("#episodes", DataTable)
        assert table.row_count == 3
        for row in range(3):
            cells = table.get_row_at(row)
            assert cells[1] == "evaluation" and "lap" in cells[5]
            assert cells[6] == cells[7]  # the log was scored by the centre-line function the editor holds
        logged = app.query_one("#spark-logged", Sparkline).data
        new = app.query_one("#spark-new", Sparkline).data
        assert logged is not None and new is not None and len(logged) == len(new) > 200
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        assert "episode 1:" in _static_text(app, "#episode-title")


@sync
async def test_replay_tab_reports_a_missing_log_in_one_line(reward_file: Path, tmp_path: Path) -> None:
    app = RewardTui(reward_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        log_input = app.query_one("#log-path", Input)
        log_input.value = str(tmp_path / "nope.log")
        log_input.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert _static_text(app, "#replay-status").startswith("error: ")
        assert app.query_one("#episodes", DataTable).row_count == 0


@sync
async def test_map_keys_change_speed_and_track(reward_file: Path) -> None:
    reward_file.write_text("def reward_function(params):\n    return params['speed']\n", encoding="utf-8")
    app = RewardTui(reward_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        view = app.query_one(MapView)
        assert view.reward_map is not None and view.reward_map.track == "club"
        assert view.reward_map.low == view.reward_map.high == 1.0
        await pilot.press("plus", "plus")
        await settle(pilot)
        assert app.query_one(MapPane).speed == 2.0 and view.reward_map.high == 2.0
        await pilot.press("minus", "t")
        await settle(pilot)
        assert view.reward_map.track == "oval" and view.reward_map.high == 1.5
        assert "oval · 1.5 m/s" in _static_text(app, "#map-legend")


@sync
async def test_map_shows_a_failing_function_as_an_error_line(reward_file: Path) -> None:
    reward_file.write_text("def reward_function(params):\n    return 1 / 0\n", encoding="utf-8")
    app = RewardTui(reward_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        assert "error: " in _static_text(app, "#map-legend") and "ZeroDivisionError" in _static_text(
            app, "#map-legend"
        )


@sync
async def test_runs_tab_compares_two_runs(reward_file: Path, two_runs: Path) -> None:
    app = RewardTui(reward_file, runs_dir=two_runs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert app.query_one("#run-a", Select).value == str(two_runs / "slow")
        assert app.query_one("#run-b", Select).value == str(two_runs / "fast")
        await pilot.click("#runs-compare")
        await settle(pilot)
        summary = _static_text(app, "#runs-summary")
        assert "A slow" in summary and "B fast" in summary and "2 laps" in summary
        table = app.query_one("#segments", DataTable)
        assert table.row_count == 10
        assert all(str(table.get_row_at(i)[3]).startswith("-") for i in range(10))  # B gains everywhere


@sync
async def test_train_tab_refuses_bad_minutes_without_starting(reward_file: Path, tmp_path: Path) -> None:
    app = RewardTui(reward_file, runs_dir=tmp_path / "runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        app.query_one("#train-minutes", Input).value = "soon"
        await pilot.click("#train-start")
        await pilot.pause()
        assert _static_text(app, "#train-message") == "error: minutes must be a positive number"
        assert not (tmp_path / "runs").exists()


REQUIRED = {
    "editor": ("#editor", "#lint-title", "#lint-list", "#lint-runtime"),
    "map": ("#map", "#map-legend"),
    "replay": (
        "#log-path",
        "#tracks-dir",
        "#open-log",
        "#replay-status",
        "#episodes",
        "#spark-logged",
        "#spark-new",
    ),
    "train": (
        "#train-track",
        "#train-minutes",
        "#train-name",
        "#train-start",
        "#train-stop",
        "#train-progress",
    ),
    "runs": ("#runs-dir", "#run-a", "#run-b", "#runs-compare", "#runs-summary", "#segments"),
}
"""Widgets each tab must show with a non-empty area (a widget squeezed to nothing is clipped too)."""


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@sync
async def test_no_panel_is_clipped_or_overlapping(reward_file: Path, size: tuple[int, int]) -> None:
    app = RewardTui(reward_file)
    async with app.run_test(size=size) as pilot:
        for index, name in enumerate(TABS):
            await pilot.press(f"f{index + 2}")
            await settle(pilot)
            assert layout_problems(app) == [], name
            for selector in REQUIRED[name]:
                region = app.query_one(selector).region
                assert region.width >= 6 and region.height >= 1, (name, selector, region)
        await pilot.press("f1")
        await pilot.pause()
        assert layout_problems(app) == []
        await pilot.press("escape")
        await pilot.press("f2")
        await pilot.pause()
        editor, lint = app.query_one("#editor"), app.query_one("#lint-list")
        assert editor.region.height >= size[1] - 5 and editor.region.width >= size[0] // 2
        assert lint.region.height >= 5 and lint.region.width >= 20
