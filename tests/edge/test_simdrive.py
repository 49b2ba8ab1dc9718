"""``edge.simdrive.drive`` is ``trainer.evaluation.evaluate``'s loop with chosen starts and recorded
observations: from evaluate's starts it gives evaluate's laps, for features and camera policies alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge.simdrive import drive, observation_shape, spread_starts
from reward_sdk.errors import UserError
from trainer.evaluation import evaluate


@pytest.mark.parametrize("which", ["features_run", "camera_run"])
def test_drive_equals_evaluate_from_the_same_starts(which: str, request: pytest.FixtureRequest) -> None:
    from edge.policy import load_run_policy, torch_predict

    run: Path = request.getfixturevalue(which)
    policy = load_run_policy(run)
    predict = torch_predict(policy.actor())
    laps = 2
    ours = drive(
        predict,
        policy.track,
        policy.actions,
        spread_starts(laps),
        policy.observation,
        policy.car,
        400,
        record=True,
    )
    theirs = evaluate(
        predict, policy.track, policy.actions, laps, policy.car, max_steps=400, observation=policy.observation
    )
    assert ours.result.statuses == theirs.statuses
    assert ours.result.starts == theirs.starts
    assert np.allclose(ours.result.progress, theirs.progress)
    assert np.allclose(ours.result.lap_times, theirs.lap_times)
    assert ours.observations is not None and ours.observations.shape[1:] == observation_shape(
        policy.observation
    )
    assert len(ours.observations) == ours.frames and ours.predict_calls > 0


def test_unknown_observation_and_no_starts() -> None:
    with pytest.raises(UserError, match="observation must be one of features, camera"):
        observation_shape("lidar")
    with pytest.raises(UserError, match="at least one start"):
        from reward_sdk.builtin_tracks import builtin_track
        from reward_sdk.sim.actions import discrete_grid

        drive(lambda obs: np.zeros(len(obs), int), builtin_track("oval"), discrete_grid(), [])
