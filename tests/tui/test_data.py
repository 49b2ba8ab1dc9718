"""The TUI's data modules (no UI): lint depths, the reward map, the replay view, run comparison, training."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from reward_sdk.builtin_tracks import builtin_track
from reward_sdk.examples import example_source
from tui.lint_runner import full_lint, static_lint
from tui.replay_data import episode_series, load_replay
from tui.reward_grid import compute_reward_map, raster_states
from tui.runs_compare import compare_segments, list_run_infos, run_laps
from tui.train_process import TrainProcess

TYPO = 'def reward_function(params):\n    return float(params["sped"])\n'


def test_static_lint_finds_the_typo_without_running_anything() -> None:
    result = static_lint(TYPO, "typo.py")
    assert [(f.line, f.code) for f in result.findings] == [(2, "RW101")]
    assert "'speed'" in result.findings[0].message
    assert not result.full
    assert static_lint(TYPO.replace("sped", "speed"), "ok.py").findings == ()


def test_full_lint_runs_the_function_in_the_sandbox() -> None:
    source = "def reward_function(params):\n    return 1.0 / (params['speed'] - params['speed'])\n"
    result = full_lint(source, "crash.py")
    codes = {f.code for f in result.findings}
    assert result.full and any(code.startswith("RW3") for code in codes), codes
    assert static_lint(source, "crash.py").findings == ()


def test_reward_map_is_highest_on_the_centre_line() -> None:
    track = builtin_track("club")
    reward_map = compute_reward_map(example_source("follow_center_line"), "f.py", track, 1.5, 80, 20)
    assert reward_map.error is None
    raster = reward_map.raster
    assert (raster.width, raster.height) == (80, 40)
    rewards = reward_map.rewards
    assert np.isfinite(rewards[raster.on_road]).all() and np.isnan(rewards[~raster.on_road]).all()
    assert reward_map.high == 1.0 and reward_map.low < 1.0
    from reward_sdk.geometry import params_batch

    on = raster.on_road
    distance = params_batch(track, raster.x[on], raster.y[on], raster.heading[on])["distance_from_center"]
    values = rewards[on]
    assert values[distance < 0.05].min() == 1.0
    assert values[distance > 0.4].max() < 1.0


def test_reward_map_passes_the_chosen_speed_and_track_heading() -> None:
    source = "def reward_function(params):\n    return params['speed'] * 10 + float(params['is_reversed'])\n"
    reward_map = compute_reward_map(source, "s.py", builtin_track("oval"), 2.5, 60, 16)
    on = reward_map.raster.on_road
    assert np.allclose(reward_map.rewards[on], 25.0)
    heading = "def reward_function(params):\n    return params['heading']\n"
    raster = raster_states(builtin_track("oval"), 60, 16)
    values = compute_reward_map(heading, "h.py", builtin_track("oval"), 1.0, 60, 16).rewards[raster.on_road]
    assert np.allclose(values, raster.heading[raster.on_road])


def test_reward_map_reports_a_failing_function_as_one_line() -> None:
    source = "def reward_function(params):\n    return 1 / 0\n"
    reward_map = compute_reward_map(source, "zero.py", builtin_track("oval"), 1.0, 40, 10)
    assert reward_map.error is not None and "ZeroDivisionError" in reward_map.error
    assert "\n" not in reward_map.error and np.isnan(reward_map.rewards).all()
    with pytest.raises(ValueError):
        raster_states(builtin_track("oval"), 3, 1)


def test_replay_view_of_a_real_log_rescores_with_the_editor_text(
    evaluation_log: Path, tracks_dir: Path
) -> None:
    view = load_replay(evaluation_log, tracks_dir, example_source("follow_center_line"), "f.py")
    assert view.track == "reinvent_base" and view.notes == []
    assert len(view.episodes) == 3 and set(view.episodes["phase"]) == {"evaluation"}
    # evaluation logs are scored by the default centre-line function: the new reward reproduces them
    assert np.allclose(view.episodes["new_reward"], view.episodes["reward"], atol=1e-6)
    series = episode_series(view, int(view.episodes["unique_episode"].iloc[0]))
    assert len(series.logged) == int(view.episodes["run_steps"].iloc[0])
    assert series.new is not None and np.allclose(series.new, series.logged)


def test_replay_view_without_a_track_still_lists_the_episodes(evaluation_log: Path) -> None:
    view = load_replay(evaluation_log, None, example_source("follow_center_line"), "f.py")
    assert len(view.episodes) == 3 and view.new_reward is None
    assert any(note.startswith("not re-scored") for note in view.notes)


def test_run_comparison_finds_where_the_slow_run_loses_time(two_runs: Path) -> None:
    runs = list_run_infos(two_runs)
    assert [info["name"] for info in runs] == ["slow", "fast"]
    slow, fast = run_laps(two_runs / "slow"), run_laps(two_runs / "fast")
    assert slow.laps == 2 and fast.laps == 2 and slow.note is None
    assert np.isclose(slow.segment_s.sum(), slow.lap_times.mean(), atol=0.2)
    assert slow.best_lap is not None and fast.best_lap is not None and fast.best_lap < slow.best_lap
    rows = compare_segments(slow, fast)
    assert len(rows) == 10 and all(row.delta_s < 0 for row in rows)  # the fast run gains everywhere


def test_run_without_logs_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "run.json").write_text('{"name": "empty", "track": "oval"}', encoding="utf-8")
    laps = run_laps(folder)
    assert laps.laps == 0 and laps.note is not None and "reward evaluate" in laps.note


@pytest.mark.slow
def test_stopping_training_leaves_a_checkpoint(reward_file: Path, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    process = TrainProcess(reward_file, "oval", 5.0, "stopme", runs_dir)
    assert process.command()[-1] == "--quiet"
    process.start()
    try:
        deadline = time.monotonic() + 90
        status = process.status()
        while time.monotonic() < deadline and status.running and status.steps == 0:
            time.sleep(0.5)
            status = process.status()
        assert status.running and status.steps > 0, process.output()
        assert status.mean_reward is not None and status.eval_completion_pct is not None
        process.stop()
        assert process.wait(60) == 130
        final = process.status()
    finally:
        process.close()
    assert (runs_dir / "stopme" / "checkpoints" / "last.zip").is_file()
    assert not final.running and final.fraction == 1.0 and "last.zip" in final.message
