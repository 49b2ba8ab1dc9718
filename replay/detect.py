"""Naming the step sources found in what the user passed (files, ``.gz`` files, ``.tar.gz`` exports, folders).

The capped, loop-safe reading and walking itself is in :mod:`replay.readers.sources`; this module holds the
:class:`Candidate` record and the rules that give each source its kind, phase, worker, iteration and run.

Layouts recognised (see ``LOG_FORMATS.md`` §2.1), all by walking the tree rather than by fixed paths, so
the five known layouts and unknown mixtures work alike:

- a bare robomaker/simulation log (any name; recognised by its ``SIM_TRACE_LOG:`` lines), optionally ``.gz``;
- a bare simtrace CSV (recognised by its header), optionally ``.gz``;
- a console / DeepRacer-on-AWS export ``.tar.gz`` (read in place, never extracted): every simtrace CSV and
  every log with step lines inside it, plus ``model_metadata.json`` / ``hyperparameters.json``;
- a folder: DRfC model folders with one worker (``training-simtrace/``) or several (``0/training-simtrace/``,
  ``1/…``), evaluation folders (``evaluation-<ts>/evaluation-simtrace/``), console trees (``sim-trace/…``,
  ``logs/…``), with any archives inside expanded too.

Each source gets a phase (training / evaluation / leaderboard, from the log's ``JOB_TYPE`` or the path), a
worker index (``<n>/training-simtrace`` or ``robomaker.<n>.<id>.log``), an iteration (``N-iteration.csv``)
and a run key (the CSV's folder, or the log itself).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reward_sdk.errors import UserError


class LogInputError(UserError):
    """A path given to replay is missing, unreadable, or holds no step data."""


@dataclass
class Candidate:
    """One file that may hold steps or metadata.

    :param source: display name (path, or ``archive!member``).
    :param rel: posix path relative to the root given by the user (used for phase/worker/run detection).
    :param root: the path the user gave (directory, archive or file) that this file was found under.
    :param container: ``file``, ``gzip`` or ``tar.gz``.
    :param read: returns the (decompressed) bytes.
    :param path: the file on disk when its bytes are the content as is (not compressed, not in an archive), so
        a reader may read it into memory of its own instead of calling ``read``; else None.
    """

    source: str
    rel: str
    root: str
    container: str
    read: Callable[[], bytes]
    path: str | None = None

    @property
    def name(self) -> str:
        """Lower-case file name without a ``.gz`` suffix."""
        name = self.rel.rsplit("/", 1)[-1].lower()
        return name[:-3] if name.endswith(".gz") else name


_ITERATION = re.compile(r"(\d+)-iteration\.csv$")
_ROBOMAKER_WORKER = re.compile(r"robomaker\.(\d+)\.")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
METADATA_NAMES = ("model_metadata.json", "hyperparameters.json")


def is_archive(path: str) -> bool:
    """True for ``.tar.gz``, ``.tgz`` and ``.tar`` names."""
    return path.lower().endswith(_ARCHIVE_SUFFIXES)


def kind_by_name(candidate: Candidate) -> str | None:
    """``"csv"``, ``"log"``, ``"meta"`` or None (ignored) judged by the file name alone."""
    name = candidate.name
    if name in METADATA_NAMES:
        return "meta"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".log", ".txt")):
        return "log"
    return None


def phase_of(rel: str, job_type: str | None = None) -> str:
    """``training``, ``evaluation``, ``leaderboard`` or ``unknown`` from the log's JOB_TYPE or the path."""
    if job_type:
        job = job_type.lower()
        for phase in ("leaderboard", "evaluation", "training"):
            if phase in job:
                return phase
    text = rel.lower()
    if "leaderboard" in text:
        return "leaderboard"
    if "eval" in text:
        return "evaluation"
    if "training" in text:
        return "training"
    return "unknown"


def worker_of(rel: str) -> int:
    """DRfC worker index: ``<n>/training-simtrace/…`` → n; ``…robomaker.<n>.<id>.log`` → n − 1; else 0."""
    parts = [part for part in rel.split("/") if part not in ("", ".")]  # as pathlib splits (root aside)
    for i, part in enumerate(parts[:-1]):
        if part.isdigit() and parts[i + 1].endswith("-simtrace"):
            return int(part)
    match = _ROBOMAKER_WORKER.search(parts[-1] if parts else "")
    return max(int(match.group(1)) - 1, 0) if match else 0


def iteration_of(rel: str) -> int | None:
    """``N`` of a ``N-iteration.csv`` name, else None."""
    match = _ITERATION.search(rel.lower().removesuffix(".gz"))
    return int(match.group(1)) if match else None


def run_of(candidate: Candidate, kind: str) -> str:
    """Run key: the folder of a CSV (all iterations of one run), or the log itself."""
    if kind == "csv":
        return candidate.source.rsplit("/", 1)[0]
    return candidate.source
