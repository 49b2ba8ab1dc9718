"""Before Ray starts: check everything a trial needs and lay out the sweep folder.

Sweep folder (``OUT``, default ``sweeps/NAME``)::

    OUT/spec.yaml         copy of the spec the sweep was started with
    OUT/rewards/*.py      the reward files of the sweep (copies, or the constant variants)
    OUT/runs/TRIAL_ID/    one trainer run folder per trial (trainer.runs.RunDir)
    OUT/tune/             Ray Tune's experiment folder (trial results, checkpoints, state for --resume)
    OUT/results.csv       the ranking (written at the end, atomically)
    OUT/best/             a copy of the best trial's run folder

Every check here raises :class:`~reward_sdk.errors.UserError` so a bad spec fails in one line before Ray's
~5 s start: reward code that does not compile under the sandbox policy, unknown tracks, SAC with discrete
actions, an existing sweep folder without ``--resume``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reward_sdk.atomic import write_text_atomic
from reward_sdk.errors import UserError
from sweep.spec import SweepSpec
from sweep.variants import make_variants

TUNE_NAME = "tune"


@dataclass(frozen=True)
class RewardEntry:
    """One reward of the sweep: the file in ``OUT/rewards`` and its source (sent to trials as text too)."""

    label: str
    path: Path
    source: str
    constants: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SweepPlan:
    """A checked spec and its folder: what :func:`sweep.runner.run_sweep` hands to Ray."""

    spec: SweepSpec
    out: Path
    rewards: dict[str, RewardEntry]

    @property
    def tune_dir(self) -> Path:
        return self.out / TUNE_NAME

    @property
    def runs_dir(self) -> Path:
        return self.out / "runs"


def default_out(spec: SweepSpec) -> Path:
    """``sweeps/NAME`` (relative to the current folder)."""
    return Path("sweeps") / spec.name


def prepare(spec: SweepSpec, spec_path: Path, out: Path | None = None, resume: bool = False) -> SweepPlan:
    """Check the spec's rewards, tracks and actions and write ``OUT/spec.yaml`` and ``OUT/rewards/``.

    :param out: the sweep folder (default :func:`default_out`); made absolute.
    :param resume: the folder must hold an earlier sweep (``OUT/tune``); without it, it must not.
    :raises UserError: see the module docstring.
    """
    out = (out or default_out(spec)).resolve()
    tune_dir = out / TUNE_NAME
    if resume and not tune_dir.is_dir():
        raise UserError(f"{out}: no sweep to resume (no {TUNE_NAME}/ folder); run without --resume")
    if not resume and tune_dir.exists():
        raise UserError(f"{out}: a sweep already ran here: use --resume to continue it, or another --out")
    rewards = _rewards(spec)
    _check_tracks(spec)
    if "sac" in spec.algos and spec.actions == "discrete":
        raise UserError(f"{spec_path}: algos: sac needs continuous actions (actions: continuous)")
    if spec.actions is not None and spec.actions not in ("discrete", "continuous"):
        from reward_sdk.sim.actions import load_model_metadata

        load_model_metadata(Path(spec.actions))
    entries: dict[str, RewardEntry] = {}
    for label, (filename, source, constants) in rewards.items():
        path = out / "rewards" / filename
        if not (resume and path.is_file() and path.read_text(encoding="utf-8") == source):
            write_text_atomic(path, source)
        entries[label] = RewardEntry(label, path, source, constants)
    spec_copy = out / "spec.yaml"
    if (not resume or not spec_copy.is_file()) and spec_path.resolve() != spec_copy:
        shutil.copyfile(spec_path, spec_copy)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    return SweepPlan(spec, out, entries)


def _rewards(spec: SweepSpec) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """``label -> (file name in OUT/rewards, source, constants)``, each compiled under the sandbox policy."""
    from reward_sdk.reward_file import read_reward_source
    from sandbox.policy import compile_reward

    out: dict[str, tuple[str, str, dict[str, Any]]] = {}
    taken: set[str] = set()

    def add(label: str, filename: str, source: str, constants: dict[str, Any]) -> None:
        stem, number = filename.removesuffix(".py"), 2
        while filename in taken:
            filename = f"{stem}-{number}.py"
            number += 1
        while label in out:
            label = f"{label}-{number}"
            number += 1
        taken.add(filename)
        compile_reward(source, filename)  # RewardCompileError / ForbiddenImport: one line, a UserError-like
        out[label] = (filename, source, constants)

    if spec.rewards is not None:
        for path in spec.rewards:
            add(path.stem, path.name, read_reward_source(path), {})
        return out
    assert spec.reward is not None
    source = read_reward_source(spec.reward)
    if not spec.constants:
        add(spec.reward.stem, spec.reward.name, source, {})
        return out
    for variant in make_variants(source, spec.reward.stem, spec.constants):
        add(variant.label, variant.filename, variant.source, variant.constants)
    return out


def _check_tracks(spec: SweepSpec) -> None:
    from reward_sdk.tracks import resolve_track

    for name in spec.tracks:
        resolve_track(name, spec.tracks_dir)  # TrackError (a UserError): one line
