"""Whole episodes driven by a scripted driver — in process, or inside a sandbox worker (no IPC per step).

Inside the sandbox::

    with RewardSandbox(source, preload=["reward_sdk.sim.rollout"]) as sandbox:
        sandbox.set_constants(geometry.track_constants(track))
        result = sandbox.run_in_worker("reward_sdk.sim.rollout:drive", track, centre_line(1.0), 3)

``drive(reward, ...)`` receives the checked user function as ``reward`` and returns plain builtins (lists, dicts,
floats), which the sandbox decodes safely.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reward_sdk.sim.actions import CommandSpace
from reward_sdk.sim.episode import Race, RaceConfig, RewardFn, StepResult
from reward_sdk.tracks import Track

Driver = Callable[[Race], tuple[float, float]]
ROW_KEYS = ("params", "rows")


def run_episode(
    race: Race,
    driver: Driver,
    *,
    start_ndist: float | None = None,
    turned_around: bool = False,
    on_step: Callable[[StepResult], None] | None = None,
) -> dict[str, Any]:
    """Reset ``race`` and drive until the episode ends; return a summary.

    Summary keys: ``episode``, ``status``, ``steps`` (the last step's ``steps``), ``lap_time`` (s), ``progress``
    (%), ``reward_sum``, ``start_ndist``. Every figure comes from the race's own state, never from the params dict
    the reward function received (user code may rewrite it). ``on_step`` sees every step (the PREPARE step first).
    """
    result = race.reset(start_ndist=start_ndist, turned_around=turned_around)
    if on_step is not None:
        on_step(result)
    reward_sum = 0.0
    while not result.done:
        result = race.step(driver(race))
        reward_sum += result.reward
        if on_step is not None:
            on_step(result)
    return {
        "episode": race.episode,
        "status": result.status,
        "steps": float(race.steps),
        "lap_time": race.lap_time,
        "progress": race.progress,
        "reward_sum": reward_sum,
        "start_ndist": race.start_ndist,
    }


def drive(
    reward: RewardFn | None,
    track: Track,
    driver: Driver,
    episodes: int = 1,
    config: RaceConfig | None = None,
    *,
    start_ndist: float | None = None,
    turned_around: bool = False,
    keep: str = "",
) -> dict[str, Any]:
    """Drive ``episodes`` episodes with ``driver`` and the reward function ``reward`` (``None`` = reward 0).

    :param keep: ``"rows"`` to return every SIM_TRACE_LOG record, ``"params"`` to also return every params dict
        (large: each carries the waypoints).
    :returns: ``{"episodes": [summary, ...], "rows": [...], "params": [...]}`` (lists empty unless kept).
    """
    race = Race(track, CommandSpace(), reward if keep == "params" else _fresh(reward), config)
    rows: list[dict[str, Any]] = []
    params: list[dict[str, Any]] = []

    def record(result: StepResult) -> None:
        if keep in ROW_KEYS:
            rows.append(result.row)
        if keep == "params":
            params.append(result.params)

    summaries = [
        run_episode(
            race,
            driver,
            start_ndist=start_ndist if i == 0 else None,
            turned_around=turned_around,
            on_step=record if keep else None,
        )
        for i in range(episodes)
    ]
    return {"episodes": summaries, "rows": rows, "params": params}


def step_rate(
    reward: RewardFn | None, track: Track, driver: Driver, steps: int, call_reward: bool = True
) -> dict[str, float]:
    """Drive ``steps`` RUN steps (restarting episodes as needed) and return ``{"steps", "seconds"}``.

    Used by ``bench/env.py`` inside the sandbox worker to time the env loop with the reward in-process
    (``call_reward=False`` times the same loop in the worker without calling it).
    """
    import time

    fn = _fresh(reward) if call_reward else None
    race = Race(track, CommandSpace(), fn, RaceConfig(), record_rows=False)
    done = True
    begin = time.perf_counter()
    for _ in range(steps):
        if done:
            race.reset()
        done = race.step(driver(race)).done
    return {"steps": float(steps), "seconds": time.perf_counter() - begin}


def _fresh(reward: RewardFn | None) -> RewardFn | None:
    """The sandbox's no-copy entry point when there is one (``reward.fresh``): the simulator builds a new params
    dict with new lists on every step and reads nothing from it after the call, so no copy is needed."""
    fresh = getattr(reward, "fresh", None)
    return fresh if callable(fresh) else reward
