"""``reward sim``: the simulator's car model — calibrate it against real logs, drive laps with a scripted driver."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from reward_sdk.cli.common import console, error_console
from reward_sdk.errors import UserError

DRIVERS = ("centre", "weave", "hug-left", "hug-right", "crawl", "reverse", "off-track")
BUDGET_FLOOR_S = 60.0  # smallest default --time-budget of `reward sim drive`, seconds
BUDGET_PER_EPISODE_S = 60.0  # default --time-budget per episode, seconds
DEFAULT_PHYSICS = "droa-2026"  # reward_sdk.sim.car.DEFAULT_PHYSICS (not imported: keeps `reward --help` fast)
PHYSICS_NAMES = ("droa-2026", "drfc-2022")  # the keys of reward_sdk.sim.car.PHYSICS_PROFILES


def register(app: typer.Typer) -> None:
    """Add the ``sim`` sub-app (``calibrate``, ``drive``) to the main ``reward`` app."""
    sim_app = typer.Typer(
        help="The simulator: calibrate its car model on real logs, drive scripted laps.", no_args_is_help=True
    )

    @sim_app.command("calibrate")
    def calibrate_cmd(
        logs: list[Path] = typer.Argument(
            ..., help="Gazebo training logs: simtrace CSVs, robomaker logs, folders."
        ),
        holdout_every: int = typer.Option(4, help="Every N-th episode is held out for the error table."),
        horizon: int = typer.Option(15, help="Steps predicted ahead (15 ≈ 1 s)."),
        subsample: int = typer.Option(2, help="Use every N-th training window in the fit (speed)."),
        phase: str = typer.Option(
            "training", help="Only steps of this phase (training, evaluation, ...) or 'all'."
        ),
        step_time: str = typer.Option(
            "auto",
            help="Duration of each logged step: tstamp (its sim time), nominal (1/15 s) or auto (tstamp when it "
            "tracks the motion).",
        ),
        by_generation: bool = typer.Option(
            False,
            "--by-generation",
            help="Fit each simulator generation in the logs (2019-2020, 2021-2023, 2026) separately.",
        ),
        output_format: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """Fit the car model to real logs and print the parameters and the 1-s prediction error table.

        From each logged pose, the model replays the logged commands for HORIZON steps and its front point and
        heading are compared with the logged row HORIZON steps later. The initial speed/steering state is estimated
        from the preceding rows. Parameters are fitted on training episodes, starting from the built-in physics
        profile that predicts them best; the table (median/p90 position error in m and heading error in degrees,
        by initial speed) is computed on held-out episodes.
        """
        result = run_calibration(
            logs,
            holdout_every=holdout_every,
            horizon=horizon,
            subsample=subsample,
            phase=phase,
            step_time=step_time,
            by_generation=by_generation,
        )
        if output_format == "json":
            print(json.dumps(result, indent=2))
            return
        if output_format != "text":
            raise UserError(f"--format must be text or json, got {output_format!r}")
        if "by_generation" not in result:
            _print_calibration(result)
            return
        for name, part in result["by_generation"].items():
            console.rule(f"simulator generation {name}")
            if "skipped" in part:
                console.print(f"skipped: {part['skipped']}")
            else:
                _print_calibration({**part, "generations": [name]})

    @sim_app.command("drive")
    def drive_cmd(
        track: str = typer.Option("oval", "--track", "-t", help="Built-in name, .npy path or file stem."),
        tracks_dir: Path | None = typer.Option(None, help="Folder of real .npy tracks."),
        driver: str = typer.Option("centre", help=f"Scripted driver: {', '.join(DRIVERS)}."),
        speed: float = typer.Option(1.0, help="Commanded speed, m/s."),
        laps: int = typer.Option(1, help="Episodes to drive (round-robin starts)."),
        reverse_track: bool = typer.Option(False, "--reverse", help="Drive the track the other way round."),
        reward: Path | None = typer.Option(None, help="Reward file scored in the sandbox (default: none)."),
        simtrace: Path | None = typer.Option(None, help="Write every step to this SIM_TRACE_LOG file."),
        physics: str = typer.Option(
            DEFAULT_PHYSICS, help=f"Calibrated car model: {', '.join(PHYSICS_NAMES)}."
        ),
        time_budget: float | None = typer.Option(
            None,
            "--time-budget",
            help=f"Wall-time budget in seconds for all episodes (default {BUDGET_PER_EPISODE_S:g} s per "
            f"episode, at least {BUDGET_FLOOR_S:g} s); past it the run stops with exit 2.",
        ),
    ) -> None:
        """Drive laps with a scripted driver and print status, progress and lap time of each episode.

        With --reward the episodes run inside the sandbox worker, one request per episode, each limited to what
        is left of --time-budget (the worker is killed when it runs out).
        """
        summaries = run_drive(
            track,
            tracks_dir,
            driver,
            speed,
            laps,
            reverse_track,
            reward,
            simtrace,
            physics=physics,
            time_budget=time_budget,
        )
        for s in summaries:
            console.print(
                f"{s['track']}  episode {s['episode']}  {s['status']:<12} progress {s['progress']:6.2f} %  "
                f"steps {int(s['steps'])}  lap time {s['lap_time']:.2f} s  reward {s['reward_sum']:.2f}",
                soft_wrap=True,
            )

    app.add_typer(sim_app, name="sim")


def run_calibration(
    logs: list[Path],
    holdout_every: int,
    horizon: int,
    subsample: int,
    phase: str = "training",
    step_time: str = "auto",
    by_generation: bool = False,
) -> dict[str, Any]:
    """Read ``logs`` (``replay.read_logs``), fit, and return parameters and error tables as builtins.

    With ``by_generation`` the steps are split by simulator generation (:data:`GENERATIONS`) and each part is
    fitted on its own: ``{"version", "sources", "generations", "by_generation": {name: result or {"skipped":
    reason}}}``.
    """
    import numpy as np

    from reward_sdk.sim import calibrate

    try:
        from replay import read_logs
    except ImportError as exc:  # pragma: no cover - replay is part of the distribution
        raise UserError("reward sim calibrate needs the replay stage (pip install reward-sdk)") from exc
    if holdout_every < 2 or horizon < 1 or subsample < 1:
        raise UserError("--holdout-every must be >= 2, --horizon and --subsample >= 1")
    if step_time not in calibrate.STEP_TIMES:
        raise UserError(f"--step-time must be one of {', '.join(calibrate.STEP_TIMES)}, got {step_time!r}")
    with error_console.status("reading logs…"):
        try:
            replay_log = read_logs(logs, duplicates="prefer_csv")
        except Exception as exc:
            raise UserError(str(exc)) from None
    steps = replay_log.steps
    if phase != "all" and "phase" in steps.columns:
        steps = steps[steps["phase"].astype(str) == phase]
    if steps.empty:
        raise UserError(f"no {phase} steps in the given logs (use --phase all to keep every step)")
    source_generation = {
        str(info.source): _generation(max(info.field_counts))
        for info in replay_log.sources
        if info.field_counts
    }
    if "source" in steps.columns:
        step_generation = steps["source"].astype(str).map(source_generation).fillna("unknown").to_numpy()
    else:
        step_generation = np.full(len(steps), "unknown")
    generations = sorted(set(step_generation.tolist()))

    def fit_part(part: Any, label: str = "") -> dict[str, Any]:
        return _calibrate_steps(part, holdout_every, horizon, subsample, step_time, label)

    if not by_generation:
        result = fit_part(steps)
        return {"version": 2, "sources": len(replay_log.sources), "generations": generations, **result}
    parts: dict[str, Any] = {}
    for name in generations:
        chosen = steps[step_generation == name]
        sources = chosen["source"].nunique() if "source" in chosen.columns else len(replay_log.sources)
        try:
            parts[name] = {"sources": sources, **fit_part(chosen, f"{name}: ")}
        except UserError as exc:
            parts[name] = {"sources": sources, "skipped": str(exc)}
    return {
        "version": 2,
        "sources": len(replay_log.sources),
        "generations": generations,
        "by_generation": parts,
    }


def _calibrate_steps(
    steps: Any, holdout_every: int, horizon: int, subsample: int, step_time: str, label: str = ""
) -> dict[str, Any]:
    """Fit the car model to the per-step frame ``steps`` and return the figures (see :func:`run_calibration`)."""
    from dataclasses import asdict

    from reward_sdk.sim import calibrate
    from reward_sdk.sim.car import PHYSICS_PROFILES, PLAIN_KINEMATIC

    arrays = calibrate.arrays_from_frame(steps, step_time=step_time)
    train, held = calibrate.split_episodes(arrays, holdout_every)
    train_starts = calibrate.window_starts(arrays, horizon, train)
    held_starts = calibrate.window_starts(arrays, horizon, held)
    if len(train_starts) == 0 or len(held_starts) == 0:
        raise UserError(
            f"not enough logged episodes of >= {horizon + calibrate.HISTORY_STEPS + 1} steps to fit"
        )
    fit_starts = train_starts[::subsample]
    with error_console.status(f"{label}fitting the car model on {len(fit_starts)} windows…"):
        start_profile = calibrate.closest_profile(arrays, fit_starts, PHYSICS_PROFILES, horizon)
        fitted = calibrate.fit(arrays, fit_starts, PHYSICS_PROFILES[start_profile], horizon=horizon)
        floor = calibrate.floor_errors(arrays, train_starts, held_starts, fitted, horizon)
        noise = calibrate.slip_noise_estimate(arrays, fitted)
        travel = calibrate.travel_deviation(arrays)
    return {
        "steps": len(steps),
        "episodes": {"train": len(train), "holdout": len(held)},
        "windows": {"train": len(train_starts), "holdout": len(held_starts)},
        "horizon_steps": horizon,
        "step_time": {"used": arrays.step_time, "tstamp_agreement": _finite_or_none(arrays.tstamp_agreement)},
        "start_profile": start_profile,
        "parameters": fitted.as_dict(),
        "table": [asdict(r) for r in calibrate.error_table(arrays, held_starts, fitted, horizon)],
        "profile_tables": {
            name: asdict(calibrate.error_table(arrays, held_starts, profile, horizon)[0])
            for name, profile in PHYSICS_PROFILES.items()
        },
        "plain_kinematic_table": [
            asdict(r) for r in calibrate.error_table(arrays, held_starts, PLAIN_KINEMATIC, horizon)
        ][:1],
        "heading_reference_deg": _median_p90(floor),
        "slip_noise_deg_estimate": _finite_or_none(noise),
        "yaw_vs_travel_deg": _median_p90(travel),
    }


# SIM_TRACE_LOG field count → simulator generation (../shared/spec/LOG_FORMATS.md); the car differs between them
GENERATIONS = {15: "2019-2020", 16: "2019-2020", 17: "2021-2023", 18: "2021-2023", 19: "2026"}


def _generation(field_count: int) -> str:
    return GENERATIONS.get(field_count, f"{field_count}-field")


def _finite_or_none(value: float) -> float | None:
    """JSON has no NaN: a missing figure is null."""
    return value if value == value else None


def _median_p90(values: Any) -> dict[str, float]:
    from reward_sdk.sim.calibrate import median_p90

    median, p90 = median_p90(values)
    return {"median": median, "p90": p90}


def _print_calibration(result: dict[str, Any]) -> None:
    from rich.table import Table

    console.print(
        f"{result['steps']} steps from {result['sources']} sources, episodes train/holdout "
        f"{result['episodes']['train']}/{result['episodes']['holdout']}, windows {result['windows']['train']}/{result['windows']['holdout']}, "
        f"horizon {result['horizon_steps']} steps"
    )
    if len(result["generations"]) > 1:
        error_console.print(
            f"note: these logs come from {len(result['generations'])} simulator generations "
            f"({', '.join(result['generations'])}) whose cars differ; one model is fitted to all of them. "
            "Use --by-generation to fit each one separately.",
            soft_wrap=True,
        )
    agreement = result["step_time"]["tstamp_agreement"]
    console.print(
        f"step durations: {result['step_time']['used']} (tstamp agreement with the motion "
        f"{'n/a' if agreement is None else f'{agreement:.2f}'}); fit started from profile {result['start_profile']}",
        soft_wrap=True,
    )
    params = Table(title="fitted car parameters")
    params.add_column("parameter")
    params.add_column("value", justify="right")
    for name, value in result["parameters"].items():
        params.add_row(name, f"{value:.4g}")
    console.print(params)
    table = Table(title="held-out error after the horizon: position m, heading deg")
    for column in ("model", "initial speed", "windows", "pos med", "pos p90", "hdg med", "hdg p90"):
        table.add_column(column, justify="right")
    rows = [("fitted", r) for r in result["table"]]
    rows += list(result["profile_tables"].items())
    rows += [("plain", r) for r in result["plain_kinematic_table"]]
    for model, r in rows:
        table.add_row(
            model,
            r["label"],
            str(r["windows"]),
            f"{r['position_median_m']:.3f}",
            f"{r['position_p90_m']:.3f}",
            f"{r['heading_median_deg']:.2f}",
            f"{r['heading_p90_deg']:.2f}",
        )
    console.print(table)
    floor, travel = result["heading_reference_deg"], result["yaw_vs_travel_deg"]
    console.print(
        f"reference heading predictor (true distances + best linear forecast of the unexplained yaw): median "
        f"{floor['median']:.2f}°, p90 {floor['p90']:.2f}°; logged yaw vs direction of travel per step: median "
        f"{travel['median']:.2f}°, p90 {travel['p90']:.2f}°",
        soft_wrap=True,
    )
    noise = result["slip_noise_deg_estimate"]
    if noise is not None:
        console.print(
            f"steering noise in these logs: slip_noise_deg ≈ {noise:.2f}° per step (the simulator is noise-free "
            "unless CarParams(slip_noise_deg=...) and a seed are given)",
            soft_wrap=True,
        )


def make_driver(name: str, speed: float, track: Any) -> Any:
    """The scripted driver called ``name`` (one of :data:`DRIVERS`)."""
    from reward_sdk.sim import drivers

    factories: dict[str, Callable[[], Any]] = {
        "centre": lambda: drivers.centre_line(speed),
        "weave": lambda: drivers.weaving(speed),
        "hug-left": lambda: drivers.hugging_border(track, speed, "left"),
        "hug-right": lambda: drivers.hugging_border(track, speed, "right"),
        "crawl": lambda: drivers.crawling(min(speed, 0.3)),
        "reverse": lambda: drivers.reverse(speed),
        "off-track": lambda: drivers.off_track(speed),
    }
    if name not in factories:
        raise UserError(f"unknown driver {name!r}: choose one of {', '.join(DRIVERS)}")
    return factories[name]()


def run_drive(
    track_name: str,
    tracks_dir: Path | None,
    driver_name: str,
    speed: float,
    laps: int,
    reverse_track: bool,
    reward: Path | None,
    simtrace: Path | None,
    physics: str = DEFAULT_PHYSICS,
    time_budget: float | None = None,
) -> list[dict[str, Any]]:
    """Drive ``laps`` episodes with the car model ``physics``; return the episode summaries (with the track name).

    Episodes run one at a time (round-robin starts from the start line, as one race would); with ``reward`` each
    is one ``run_in_worker`` request whose deadline is what is left of ``time_budget`` seconds (default
    :func:`default_budget`). :raises UserError: bad options, or the budget ran out (the message says in which
    episode).
    """
    from reward_sdk.sim.car import physics_profile
    from reward_sdk.sim.episode import RaceConfig
    from reward_sdk.sim.rollout import drive
    from reward_sdk.tracks import resolve_track

    if laps < 1 or not 0.0 < speed <= 4.0:
        raise UserError("--laps must be >= 1 and --speed in (0, 4] m/s")
    budget = default_budget(laps) if time_budget is None else time_budget
    if not 0.0 < budget < float("inf"):
        raise UserError(f"--time-budget must be a positive number of seconds, got {budget:g}")
    try:
        config = RaceConfig(car=physics_profile(physics))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    track = resolve_track(track_name, tracks_dir)
    if reverse_track:
        track = track.reversed()
    driver = make_driver(driver_name, speed, track)
    turned = driver_name == "reverse"
    keep = "rows" if simtrace is not None else ""
    if reward is None:

        def one_episode(start: float, remaining: float) -> dict[str, Any]:
            return drive(None, track, driver, 1, config, start_ndist=start, turned_around=turned, keep=keep)

        result = _drive_episodes(one_episode, laps, config.start_spacing, budget)
    else:
        from reward_sdk import geometry
        from reward_sdk.reward_file import read_reward_source
        from sandbox import RewardSandbox
        from sandbox.errors import RewardTimeout

        source = read_reward_source(reward)
        reply_bytes = REPLY_BASE_BYTES + (REPLY_ROW_BYTES * config.max_steps if keep else 0)
        with RewardSandbox(source, filename=str(reward), preload=["reward_sdk.sim.rollout"]) as sandbox:
            sandbox.set_constants(geometry.track_constants(track))

            def worker_episode(start: float, remaining: float) -> dict[str, Any]:
                part: dict[str, Any] = sandbox.run_in_worker(
                    "reward_sdk.sim.rollout:drive",
                    track,
                    driver,
                    1,
                    config,
                    start_ndist=start,
                    turned_around=turned,
                    keep=keep,
                    timeout=remaining,
                    max_reply_bytes=reply_bytes,
                )
                return part

            result = _drive_episodes(worker_episode, laps, config.start_spacing, budget, RewardTimeout)
    if simtrace is not None:
        from reward_sdk.simtrace import SimTraceWriter

        header = [f" * /WORLD_NAME: {track.name}", f" * /REVERSE_DIR: {track.is_reversed}"]
        with SimTraceWriter(simtrace, header_lines=header) as writer:
            writer.write_many(result["rows"])
    return [dict(s, track=track.name) for s in result["episodes"]]


REPLY_BASE_BYTES = 1 << 20  # reply size allowed for one episode's summary, bytes
REPLY_ROW_BYTES = 400  # reply size allowed per SIM_TRACE_LOG row kept (about 170 used), bytes


def default_budget(laps: int) -> float:
    """Default ``--time-budget`` of ``reward sim drive`` for ``laps`` episodes, in seconds."""
    return max(BUDGET_FLOOR_S, BUDGET_PER_EPISODE_S * laps)


def _drive_episodes(
    one_episode: Callable[[float, float], dict[str, Any]],
    laps: int,
    spacing: float,
    budget: float,
    timeout_error: type[BaseException] | None = None,
) -> dict[str, Any]:
    """Run ``laps`` episodes as ``one_episode(start_ndist, seconds_left)`` calls under one wall-time budget.

    Starts advance by ``spacing`` of a lap from 0.0 (the race's round robin); episode numbers in the summaries
    and rows are renumbered 0, 1, ... across calls. ``timeout_error`` raised once the budget is spent (the
    sandbox's kill at the request deadline) becomes the budget's one-line :class:`UserError`.
    """
    import time

    deadline = time.monotonic() + budget
    caught: tuple[type[BaseException], ...] = (timeout_error,) if timeout_error is not None else ()
    episodes: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    start = 0.0
    for index in range(laps):
        remaining = deadline - time.monotonic()
        spent = UserError(
            f"sim drive stopped: the {budget:g} s budget was exceeded in episode {index + 1} of {laps} "
            f"({index} finished); raise --time-budget"
        )
        if remaining <= 0.0:
            raise spent
        try:
            part = one_episode(start, remaining)
        except caught:
            if time.monotonic() < deadline:
                raise  # one reward call past its own limit, not the budget
            raise spent from None
        episodes += [dict(summary, episode=index) for summary in part["episodes"]]
        rows += [dict(row, episode=index) for row in part["rows"]]
        start = (start + spacing) % 1.0
    return {"episodes": episodes, "rows": rows}
