"""``reward lint``: static, sandboxed and behavioural checks of reward functions (ruff-like output)."""

from __future__ import annotations

from pathlib import Path

import typer


def lint_command(
    files: list[Path] = typer.Argument(None, help="Reward function files to lint."),
    aws: bool = typer.Option(
        False, "--aws", help="Also give the official validator's verdict and what it would miss."
    ),
    states: int | None = typer.Option(
        None, "--states", min=1, help="Generated states for the runtime checks (default 1000)."
    ),
    track: list[str] = typer.Option(
        None,
        "--track",
        help="Track of the runtime checks: built-in name or .npy route file (repeatable; replaces the "
        "tracks of [tool.reward-lint]). A first .npy file also feeds the AWS verdict's fixed dicts.",
    ),
    no_runtime: bool = typer.Option(False, "--no-runtime", help="Skip the runtime checks (RW3xx)."),
    no_audit: bool = typer.Option(False, "--no-audit", help="Skip the incentive audit (RW4xx)."),
    select: list[str] = typer.Option(
        None, "--select", help="Rule codes or prefixes to enable (comma-separated)."
    ),
    ignore: list[str] = typer.Option(None, "--ignore", help="Rule codes or prefixes to disable."),
    output_format: str = typer.Option(
        "text", "--format", "--output-format", help="text, json, sarif or github."
    ),
    explain: str | None = typer.Option(
        None, "--explain", help="Print the page of a rule (e.g. RW101) and exit."
    ),
) -> None:
    """Lint reward functions: contract (RW0), params usage (RW1), sandbox policy (RW2), runtime over physically
    consistent states (RW3) and incentive audit in the simulator (RW4).

    Output is `path:line:col CODE message`, the tracks used and a summary line.
    Exit codes: 0 clean, 1 findings, 2 usage or input error. A module that fails when imported is a finding
    (RW010), and so is a file the official AWS validator would reject for a reason no other finding gives
    (RW011, e.g. `AWS would reject: E302 line 4: ...`; flake8's steps need the [aws] extra).

    Suppress a finding with `# noqa: RW101` on its line. Configure defaults in the tool.reward-lint table of
    pyproject.toml (select, ignore, states, call-budget-ms, tracks, audit-tracks, runtime, audit).
    `reward lint --explain RW101` prints a rule's page: what, why, example, fix.

    Example: reward lint my_reward.py --aws
    """
    from reward_sdk.errors import UserError
    from reward_sdk.lint.config import load_config
    from reward_sdk.lint.engine import lint_source
    from reward_sdk.lint.registry import explain as explain_rule
    from reward_sdk.lint.registry import select_rules
    from reward_sdk.lint.reporters import FORMATS, render
    from reward_sdk.reward_file import read_reward_source

    if explain:
        typer.echo(explain_rule(explain), nl=False)
        raise typer.Exit(0)
    if output_format not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}, got {output_format!r}")
    if not files:
        raise UserError("no file given: reward lint FILE... (or --explain CODE)")
    sources = [(path, read_reward_source(path)) for path in files]
    config = load_config(files[0])
    if select:
        config.select = list(select)
    if ignore:
        config.ignore = list(config.ignore) + list(ignore)
    if states is not None:
        config.states = states
    if track:
        from reward_sdk.tracks import resolve_track

        for name in track:
            resolve_track(name)  # an unknown name or a broken file is a usage error (exit 2)
        config.tracks = list(track)
    config.runtime = config.runtime and not no_runtime
    config.audit = config.audit and not no_audit
    active = select_rules(config.select, config.ignore)
    reports = [lint_source(source, str(path), config, active, aws=aws) for path, source in sources]
    typer.echo(render(reports, output_format))
    if any(report.findings for report in reports):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("lint")(lint_command)
