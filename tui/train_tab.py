"""The train tab: start ``reward train`` for the editor's file, watch it, stop it with a checkpoint.

"Start" saves the editor's file (the app's save: atomic write + full lint) and starts
:class:`tui.train_process.TrainProcess` (``reward train FILE --track T --minutes M --name N --quiet``); once a
second the tab reads the run's ``metrics.json``: a progress bar over the time budget, steps, mean episode reward,
lap completion of training episodes and of the last evaluation, and the best evaluation lap. "Stop" sends
SIGINT, which makes ``reward train`` save ``checkpoints/last.zip`` (resume later with ``reward train --resume``).
Leaving the app stops a running training the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Button, Input, ProgressBar, Static

from tui.train_process import TrainProcess, TrainStatus
from tui.widgets import titled as _titled

__all__ = ["TrainPane", "format_status"]

POLL_S = 1.0


def format_status(status: TrainStatus) -> str:
    """One line of numbers: steps, mean reward, completion (training, evaluation), best lap."""

    def fmt(value: float | None, spec: str, unit: str = "") -> str:
        return "-" if value is None else f"{value:{spec}}{unit}"

    return (
        f"steps {status.steps:,} · mean reward {fmt(status.mean_reward, '.1f')} · "
        f"laps {fmt(None if status.completion_rate is None else 100 * status.completion_rate, '.0f', ' %')} · "
        f"eval {fmt(status.eval_completion_pct, '.0f', ' %')} · best lap {fmt(status.best_lap_time, '.2f', ' s')}"
    )


class TrainPane(Vertical):
    """Inputs (track, minutes, run name), Start/Stop, progress and numbers.

    :param save: saves the editor's file and returns its path (called by Start).
    :param runs_dir: folder of the runs; ``default_name``: the run name offered.
    """

    def __init__(
        self,
        save: Callable[[], Path],
        runs_dir: Path,
        default_name: str,
        tracks_dir: Path | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.save = save
        self.runs_dir = runs_dir
        self.default_name = default_name
        self.tracks_dir = tracks_dir
        self.process: TrainProcess | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="train-inputs"):
            yield _titled(Input("club", placeholder="track", id="train-track"), "track")
            yield _titled(Input("2", placeholder="minutes", id="train-minutes"), "minutes")
            yield _titled(Input(self.default_name, placeholder="run name", id="train-name"), "run name")
            yield Button("Start", id="train-start", variant="success")
            yield Button("Stop", id="train-stop", variant="error", disabled=True)
        yield ProgressBar(total=1.0, show_eta=False, id="train-progress")
        yield Static("not started", id="train-stats")
        yield Static(
            "Start saves the file and runs `reward train FILE --track T --minutes M --name N`; Stop keeps "
            "checkpoints/last.zip (continue with `reward train --resume --name N`).",
            id="train-message",
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.status().running

    @on(Button.Pressed, "#train-start")
    def start(self) -> None:
        """Validate the inputs, save the file and start the training child."""
        from reward_sdk.errors import UserError
        from trainer.runs import check_name

        if self.running:
            return
        track = self.query_one("#train-track", Input).value.strip()
        name = self.query_one("#train-name", Input).value.strip()
        try:
            minutes = float(self.query_one("#train-minutes", Input).value)
            if not 0 < minutes < 10_000:
                raise ValueError
        except ValueError:
            self._message("error: minutes must be a positive number")
            return
        try:
            check_name(name)
            if not track:
                raise UserError("type a track: built-in name, .npy path or file stem")
            reward_path = self.save()
        except UserError as exc:
            self._message(f"error: {str(exc).splitlines()[0]}")
            return
        if self.process is not None:
            self.process.close()
        self.process = TrainProcess(reward_path, track, minutes, name, self.runs_dir, self.tracks_dir)
        self.process.start()
        self.query_one("#train-start", Button).disabled = True
        stop = self.query_one("#train-stop", Button)
        stop.disabled = False
        stop.focus()
        self._message(f"training {name} on {track} for {minutes:g} min → {self.process.run_dir}")
        self._timer = self.set_interval(POLL_S, self.poll)

    @on(Button.Pressed, "#train-stop")
    def stop(self) -> None:
        """SIGINT to the child: it saves ``last.zip`` and exits."""
        if self.process is not None:
            self.process.stop()
            self._message("stopping: saving checkpoints/last.zip …")

    def poll(self) -> TrainStatus | None:
        """Refresh the progress from the child and its run folder; returns the status shown."""
        if self.process is None:
            return None
        status = self.process.status()
        self.query_one("#train-progress", ProgressBar).update(progress=status.fraction)
        self.query_one("#train-stats", Static).update(format_status(status))
        if not status.running:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            start = self.query_one("#train-start", Button)
            start.disabled = False
            self.query_one("#train-stop", Button).disabled = True
            start.focus()
            ended = {0: "finished", 130: "stopped"}.get(
                status.returncode or 0, f"failed ({status.returncode})"
            )
            self._message(f"{ended}: {status.message}" if status.message else ended)
        return status

    def _message(self, text: str) -> None:
        self.query_one("#train-message", Static).update(text)

    def on_unmount(self) -> None:
        if self.process is not None:
            self.process.close()
