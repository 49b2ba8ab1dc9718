"""Finding the step sources in what the user passed: files, ``.gz`` files, ``.tar.gz`` exports, folders.

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

import gzip
import io
import os
import re
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

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


def _read_file(path: str) -> bytes:
    """The bytes of the file at ``path`` (gunzipped for ``.gz`` names).

    Raw ``os.read`` calls sized by ``fstat``: no Python file object, one copy.

    :raises LogInputError: the file cannot be read, or its gzip data is corrupt.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            parts = [os.read(fd, os.fstat(fd).st_size + 1)]
            while parts[-1]:  # until EOF (a file may grow, or report no size)
                parts.append(os.read(fd, 1 << 20))
        finally:
            os.close(fd)
        data = parts[0] if len(parts) == 2 else b"".join(parts)
        if path.lower().endswith(".gz"):
            data = gzip.decompress(data)
    except OSError as exc:  # includes gzip.BadGzipFile
        raise LogInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (EOFError, zlib.error) as exc:
        raise LogInputError(f"{path}: truncated or corrupt gzip data ({exc})") from exc
    return data


def _archive_candidates(path: Path) -> Iterator[Candidate]:
    """Members of a tar archive, read in memory (decompressed once, never extracted to disk)."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
            members = sorted((m for m in archive.getmembers() if m.isfile()), key=lambda m: m.name)
            contents = {m.name: archive.extractfile(m).read() for m in members}  # type: ignore[union-attr]
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise LogInputError(f"{path}: not a readable tar archive ({exc})") from exc

    def reader(name: str) -> Callable[[], bytes]:
        def read() -> bytes:
            data = contents[name]
            if not name.lower().endswith(".gz"):
                return data
            try:
                return gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise LogInputError(f"{path}!{name}: corrupt gzip member ({exc})") from exc

        return read

    for member in members:
        yield Candidate(f"{path}!{member.name}", member.name, str(path), "tar.gz", reader(member.name))


def _walk_files(root: str) -> list[tuple[str, str]]:
    """(posix path relative to ``root``, full path) of every regular file under the directory ``root``.

    ``os.walk(root, followlinks=True)`` plus an ``isfile`` test per name, with ``os.scandir`` entries instead
    (their type comes with the listing: no ``stat`` per file unless it is a symlink). Unreadable folders and
    entries are skipped, as ``os.walk`` skips them.
    """
    found: list[tuple[str, str]] = []
    stack = [(root, "")]
    while stack:
        folder, sub = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            rel = f"{sub}/{entry.name}" if sub else entry.name
            try:
                if entry.is_dir():
                    stack.append((entry.path, rel))
                elif entry.is_file():
                    found.append((rel, entry.path))
            except OSError:
                continue
    return found


def candidates(path: Path) -> list[Candidate]:
    """All files under ``path`` (a file, an archive or a directory), archives expanded, sorted by path.

    :raises LogInputError: the path does not exist or an archive cannot be opened.
    """
    if not path.exists():
        raise LogInputError(f"{path}: no such file or directory")
    if path.is_file():
        if is_archive(path.name):
            return list(_archive_candidates(path))
        container = "gzip" if path.name.lower().endswith(".gz") else "file"
        plain = str(path) if container == "file" else None
        return [Candidate(str(path), path.name, str(path), container, lambda: _read_file(str(path)), plain)]
    root = str(path)
    files = [(rel.split("/"), rel, full if root != "." else rel) for rel, full in _walk_files(root)]
    found: list[Candidate] = []
    for _, rel, full in sorted(files, key=lambda f: f[0]):  # by parts, as pathlib orders paths
        if is_archive(rel):
            found.extend(_archive_candidates(Path(full)))
        else:
            container = "gzip" if rel.lower().endswith(".gz") else "file"
            plain = full if container == "file" else None
            found.append(Candidate(full, rel, root, container, lambda f=full: _read_file(f), plain))  # type: ignore[misc]
    return found


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
