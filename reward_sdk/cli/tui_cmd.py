"""``reward tui``: the Textual editor on a reward file (lint, reward map, replay, train, runs in one screen).

Textual and the ``tui`` package are imported inside the command, so ``reward --help`` never loads them.
"""

from __future__ import annotations

from pathlib import Path

import typer

DEFAULT_NAME = "reward_function.py"


def free_path(folder: Path, name: str = DEFAULT_NAME) -> Path:
    """The first of ``name``, ``<stem>_2.py``, ``<stem>_3.py``... that does not exist in ``folder``."""
    candidate = folder / name
    number = 2
    while candidate.exists():
        candidate = folder / f"{Path(name).stem}_{number}.py"
        number += 1
    return candidate


def prepare_file(file: Path | None, cwd: Path | None = None) -> tuple[Path, str]:
    """The reward file to open and its text; a file that does not exist yet is created from the centre-line
    example (atomically).

    :param file: the FILE argument; None: a new ``reward_function.py`` (or ``_2``...) in ``cwd``.
    :raises UserError: the folder does not exist, FILE is a directory, unreadable or not UTF-8, or cannot be
        created (one line, names it).
    """
    from reward_sdk.atomic import write_text_atomic
    from reward_sdk.errors import UserError
    from reward_sdk.examples import example_source
    from reward_sdk.reward_file import read_reward_source

    path = free_path(cwd or Path.cwd()) if file is None else file
    if not path.exists() and not path.is_symlink():
        if not path.parent.is_dir():
            raise UserError(f"{path.parent}: no such directory")
        write_text_atomic(path, example_source("follow_center_line"))
    return path, read_reward_source(path)


def tui_command(
    file: Path | None = typer.Argument(
        None, help="Reward file to edit (created from the centre-line example if it does not exist)."
    ),
    runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Folder of the training runs."),
    tracks_dir: Path | None = typer.Option(
        None, "--tracks-dir", help="Folder of real .npy tracks (train and runs tabs; $REWARD_TRACKS_DIR)."
    ),
) -> None:
    """Edit, lint, map, replay and train a reward function in one terminal screen.

    Tabs: Editor (Python highlighting; static lint while typing, runtime tests and incentive audit on ctrl+s),
    Map (the reward over a built-in track; +/- speed, t track), Replay (open a log: episodes with flags, logged
    vs new reward), Train (`reward train` with live progress; Stop keeps a checkpoint), Runs (two runs: lap
    times and where one loses time). F1 lists every key; ctrl+q quits.

    Without FILE a new reward_function.py (or reward_function_2.py...) is created from the centre-line example.
    Needs textual (the tui extra). Example: reward tui my_reward.py
    """
    from reward_sdk.errors import UserError

    if tracks_dir is not None and not tracks_dir.is_dir():
        raise UserError(f"{tracks_dir}: no such tracks directory")
    path, source = prepare_file(file)
    try:
        from tui.app import RewardTui
    except ModuleNotFoundError as exc:
        if exc.name not in ("textual", "tui") and not str(exc.name).startswith(("textual.", "tui.")):
            raise
        if str(exc.name).startswith("tui"):
            raise UserError(
                "the tui package is not installed with this reward-sdk: reinstall it (make install, or "
                "pip install -e '.[tui]')"
            ) from None
        raise UserError(
            f"reward tui needs the [tui] extra ({exc.name} is missing): pip install 'reward-sdk[tui]'"
        ) from None
    RewardTui(path, runs_dir, tracks_dir, source).run()


def register(app: typer.Typer) -> None:
    """Add the ``tui`` command to the ``reward`` app."""
    app.command("tui")(tui_command)
