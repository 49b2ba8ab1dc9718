"""``reward sweep``: reward variants and hyperparameters as parallel Ray Tune trials, ranked.

The logic lives in the top-level ``sweep`` package (the only one that imports ``ray``, the ``[sweep]`` extra);
it is imported inside the command so ``reward --help`` stays fast and installs without Ray still work.
"""

from __future__ import annotations

from pathlib import Path

import typer

from reward_sdk.cli.common import console, error_console
from reward_sdk.errors import UserError

SWEEP_HELP = """Train reward variants × tracks × algorithms × hyperparameters as Ray Tune trials and rank them.

SPEC.yaml lists `rewards: [files]` (or `reward: FILE` with `constants: {NAME: [values]}`: one variant per
combination of module-level constants), `tracks`, `algos`, `hyperparameters` (lists are grids; `{uniform: [a,
b]}`, `{loguniform: [a, b]}`, `{choice: [...]}` are sampled), `budget: {minutes: M}` or `{steps: N}` per trial,
`objective: first_lap_time | completion | best_lap_time`, `name`, and optionally `actions`, `envs`,
`tracks_dir`, `samples`, `early_stopping` (ASHA, on by default), `checkpoint_every_s`. See examples/sweep.yaml.

Each trial is `reward train` + evaluation in a Ray worker (the reward still runs in the sandbox), one CPU,
checkpointed: a trial whose worker dies is restarted once from its last checkpoint. A trial whose reward fails
is marked reward_failed with its minimal failing params. The sweep folder (--out, default sweeps/NAME) gets
results.csv, the run folder of every trial (runs/), Ray Tune's state (tune/) and a copy of the best run
(best/). Without --address Ray starts locally with every core; --address auto or ray://HOST:PORT joins a
cluster (with token authentication: RAY_AUTH_MODE=token and the cluster's token in RAY_AUTH_TOKEN or
~/.ray/auth_token).

Exit codes: 0 at least one trial ranked, 1 every trial failed, 2 bad spec or options (one line `error: ...`).
"""


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to the main ``reward`` app."""

    @app.command("sweep", help=SWEEP_HELP)
    def sweep_cmd(
        spec: Path = typer.Argument(..., help="The sweep spec (YAML)."),
        address: str | None = typer.Option(
            None, help="Join a Ray cluster: auto (this machine's running cluster) or ray://HOST:PORT."
        ),
        max_concurrent: int | None = typer.Option(
            None, "--max-concurrent", help="Trials at once (default: one per CPU of Ray)."
        ),
        resume: bool = typer.Option(
            False, "--resume", help="Continue the sweep in --out (unfinished and failed trials)."
        ),
        out: Path | None = typer.Option(None, help="Sweep folder (default sweeps/NAME)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No per-trial progress lines."),
    ) -> None:
        if address is not None and not (address == "auto" or address.startswith("ray://")):
            raise UserError(f"--address must be auto or ray://HOST:PORT, got {address!r}")
        if max_concurrent is not None and max_concurrent < 1:
            raise UserError("--max-concurrent must be >= 1")
        try:
            import yaml  # noqa: F401

            from sweep.prepare import prepare
            from sweep.results import ranking_table
            from sweep.runner import run_sweep
            from sweep.spec import load_spec
        except ModuleNotFoundError as exc:
            if exc.name not in ("ray", "yaml", "sweep"):
                raise
            raise UserError(
                f"reward sweep needs the [sweep] extra ({exc.name} is missing): pip install 'reward-sdk[sweep]'"
            ) from None

        the_spec = load_spec(spec)
        plan = prepare(the_spec, spec, out, resume)
        where = address or "local Ray"
        error_console.print(
            f"sweep {the_spec.name}: {the_spec.grid_size()} trials on {where} → {plan.out}", soft_wrap=True
        )
        try:
            result = run_sweep(plan, address, max_concurrent, resume, quiet=quiet)
        except KeyboardInterrupt:
            error_console.print(f"interrupted: continue with reward sweep {spec} --out {plan.out} --resume")
            raise typer.Exit(130) from None
        console.print(ranking_table(result.rows, f"sweep {the_spec.name}", the_spec.objective))
        best = f"; best run copied to {result.best_dir}" if result.best_dir else "; no trial ranked"
        failed = sum(not row.ok for row in result.rows)
        failed_text = f"; {failed} failed" if failed else ""
        console.print(
            f"{len(result.rows)} trials in {result.wall_s:.0f} s{failed_text}; results: {result.results_csv}{best}",
            soft_wrap=True,
        )
        if not any(row.ok for row in result.rows):
            raise typer.Exit(1)
