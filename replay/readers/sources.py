"""Listing and opening the files of a replay input without trusting them: caps on decompression, archive
members and line length, regular files only, symlink loops walked once.

A log path comes from the user and may be hostile or broken. What this module guarantees:

- **gzip** (``.gz`` files, ``.tar.gz`` exports, ``.gz`` members inside archives) is inflated in bounded steps
  and refused as soon as the decompressed bytes of one read pass :data:`MAX_DECOMPRESSED_BYTES` (a 10 kB member
  of zeros inflating to gigabytes stops after the cap, with at most the cap plus one step in memory);
- **tar** archives are listed member by member and refused past :data:`MAX_ARCHIVE_MEMBERS` entries;
- **folders** are walked following symlinks, but each real folder (device, inode) is entered once, so
  ``a -> .`` or ``a -> b, b -> a`` neither recurse forever nor list a file twice; a file reached under two
  names is listed once;
- only **regular files** are read: a FIFO or device named ``*.log`` or ``model_metadata.json`` is refused when
  named explicitly, skipped inside a folder, and opened with ``O_NONBLOCK`` plus an ``S_ISREG`` check on the
  descriptor (a file swapped for a FIFO after the listing cannot block the read);
- **lines** longer than :data:`MAX_LINE_BYTES` are refused (see :func:`replay.readers.text.long_line_at`).

Every cap is a module constant, read at call time (assign a bigger value to raise it in a program) and
overridable per process by an environment variable (``REWARD_MAX_DECOMPRESSED_BYTES``...), which is how a
CLI user with a genuinely bigger log raises it. The real logs in ``shared/data/logs`` stay far below every
cap: 5.3 MB decompressed, 23 archive members and 1.9 kB lines at most.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from replay.detect import Candidate, LogInputError, is_archive
from reward_sdk.errors import InputLimitError
from reward_sdk.input_files import cap, file_kind, open_regular, size_text

MAX_DECOMPRESSED_BYTES = 512 << 20
"""Most bytes (512 MiB) inflated from gzip data in one :func:`candidates` listing (the archive and all its
members, or one ``.gz`` file). Overridden by ``$REWARD_MAX_DECOMPRESSED_BYTES``."""
MAX_ARCHIVE_MEMBERS = 10_000
"""Most entries (files, folders, links) a tar archive may hold. Overridden by ``$REWARD_MAX_ARCHIVE_MEMBERS``."""
MAX_LINE_BYTES = 1 << 20
"""Longest line (1 MiB) of a log or CSV: every run of this many bytes must hold a line break. Overridden by
``$REWARD_MAX_LINE_BYTES``."""

_INPUT_CHUNK = 1 << 16
"""Compressed bytes handed to zlib at a time. Small, because zlib copies the rest of the chunk at every member
end and output step (``unused_data``, ``unconsumed_tail``): a file of many tiny members must stay linear."""
_OUTPUT_STEP = 64 << 20
"""Most inflated bytes one zlib call returns: how far past the cap a bomb can get before it is stopped."""


class LogLimitError(LogInputError, InputLimitError):
    """A log input refused by a safety cap or for not being a regular file (a :class:`LogInputError`)."""


def limit(name: str) -> int:
    """The cap ``name`` (a module constant, read now) or its ``REWARD_<NAME>`` environment override."""
    value: int = globals()[name]
    return cap(value, f"REWARD_{name}")


class Budget:
    """Decompressed bytes still allowed for one listing; shared by an archive and its ``.gz`` members."""

    def __init__(self) -> None:
        self.limit = limit("MAX_DECOMPRESSED_BYTES")
        self.left = self.limit

    def take(self, nbytes: int, source: str) -> None:
        """Account for ``nbytes`` more inflated bytes. :raises LogLimitError: past the cap."""
        self.left -= nbytes
        if self.left < 0:
            raise LogLimitError(
                f"{source}: decompresses to more than {size_text(self.limit)}, refused as a likely gzip bomb "
                "(set $REWARD_MAX_DECOMPRESSED_BYTES to raise the limit)"
            )


def gunzip(data: bytes, source: str, budget: Budget) -> bytes:
    """Inflate gzip ``data`` (one or several concatenated members), charging ``budget`` as it goes.

    Input goes to zlib :data:`_INPUT_CHUNK` bytes at a time and each call returns at most
    :data:`_OUTPUT_STEP` bytes, so a bomb is stopped with at most one step beyond the budget in memory, while
    a real export (a few MB) inflates in one or two calls.

    :raises LogLimitError: the output passes the budget.
    :raises LogInputError: truncated or corrupt gzip data.
    """
    if not data:
        return data
    parts: list[bytes] = []
    view = memoryview(data)
    inflater = zlib.decompressobj(wbits=31)
    try:
        for low in range(0, len(view), _INPUT_CHUNK):
            chunk: bytes | memoryview = view[low : low + _INPUT_CHUNK]
            while chunk:
                out = inflater.decompress(chunk, _OUTPUT_STEP)
                if out:
                    budget.take(len(out), source)
                    parts.append(out)
                if not inflater.eof:
                    chunk = inflater.unconsumed_tail  # empty once zlib took the whole chunk
                    continue
                chunk = inflater.unused_data  # a member ended: the rest starts the next member
                if not chunk.strip(b"\0"):  # only the zero padding gzip tolerates after the last member
                    return _joined(parts, view[low + _INPUT_CHUNK :], source)
                inflater = zlib.decompressobj(wbits=31)
        if tail := inflater.flush():
            budget.take(len(tail), source)
            parts.append(tail)
        if not inflater.eof:
            raise LogInputError(f"{source}: truncated or corrupt gzip data (stream ends early)")
    except zlib.error as exc:
        raise LogInputError(f"{source}: truncated or corrupt gzip data ({exc})") from exc
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _joined(parts: list[bytes], after: memoryview, source: str) -> bytes:
    """The inflated parts as one bytes object, once only zero padding may follow the last member.

    :raises LogInputError: non-zero bytes after the padding (trailing garbage).
    """
    if bytes(after).strip(b"\0"):
        raise LogInputError(f"{source}: truncated or corrupt gzip data (garbage after the last member)")
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_file(path: str, budget: Budget) -> bytes:
    """The bytes of the regular file at ``path`` (inflated for ``.gz`` names, charging ``budget``).

    :raises LogLimitError: not a regular file, or a gzip bomb; :raises LogInputError: unreadable or corrupt.
    """
    data = _read_raw(path)
    return gunzip(data, path, budget) if path.lower().endswith(".gz") else data


def _read_raw(path: str) -> bytes:
    """The bytes of the regular file at ``path``, as stored. Raw ``os.read`` calls sized by ``fstat``.

    :raises LogLimitError: not a regular file; :raises LogInputError: the file cannot be read.
    """
    try:
        fd, size = open_regular(path, "log file")
        try:
            parts = [os.read(fd, size + 1)]
            while parts[-1]:  # until EOF (a file may grow, or report no size)
                parts.append(os.read(fd, 1 << 20))
        finally:
            os.close(fd)
    except InputLimitError as exc:
        raise LogLimitError(str(exc)) from None
    except OSError as exc:
        raise LogInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return parts[0] if len(parts) == 2 else b"".join(parts)


def _archive_candidates(path: Path, budget: Budget) -> Iterator[Candidate]:
    """Members of a tar archive, read in memory (inflated once, never extracted to disk), sorted by name."""
    raw = _read_raw(str(path))
    if raw[:2] == b"\x1f\x8b":
        raw = gunzip(raw, str(path), budget)
    most = limit("MAX_ARCHIVE_MEMBERS")
    contents: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
            for count, member in enumerate(archive, start=1):
                if count > most:
                    raise LogLimitError(
                        f"{path}: tar archive with more than {most} members, refused "
                        "(set $REWARD_MAX_ARCHIVE_MEMBERS to raise the limit)"
                    )
                if member.isfile():
                    contents[member.name] = archive.extractfile(member).read()  # type: ignore[union-attr]
                archive.members.clear()  # type: ignore[attr-defined]  # keep no list of all headers
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise LogInputError(f"{path}: not a readable tar archive ({exc})") from exc
    del raw

    def reader(name: str) -> Callable[[], bytes]:
        def read() -> bytes:
            data = contents[name]
            return gunzip(data, f"{path}!{name}", budget) if name.lower().endswith(".gz") else data

        return read

    for name in sorted(contents):
        yield Candidate(f"{path}!{name}", name, str(path), "tar.gz", reader(name))


def walk_files(root: str) -> list[tuple[str, str]]:
    """(posix path relative to ``root``, full path) of every regular file under the directory ``root``.

    Symlinks are followed, but every real folder is entered once and every real file listed once (both by
    device and inode): a symlink loop ends the walk of that branch. Entries that are not regular files (FIFOs,
    devices, sockets, dangling links) and unreadable folders are skipped. ``os.scandir`` entries give the type
    and inode of non-symlinks with the listing, so only symlinks cost a ``stat``.
    """
    found: list[tuple[str, str]] = []
    try:
        top = os.stat(root)
    except OSError:
        return found
    seen_dirs = {(top.st_dev, top.st_ino)}
    seen_files: set[tuple[int, int]] = set()
    stack = [(root, "", top.st_dev)]
    while stack:
        folder, sub, device = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            rel = f"{sub}/{entry.name}" if sub else entry.name
            try:
                if entry.is_symlink() or entry.is_dir(follow_symlinks=False):
                    info = entry.stat()  # the target's (dev, inode), also for a mount point
                    key, mode = (info.st_dev, info.st_ino), info.st_mode
                else:
                    key, mode = (device, entry.inode()), (stat.S_IFREG if entry.is_file() else 0)
            except OSError:  # dangling link, loop of links, vanished entry
                continue
            if stat.S_ISDIR(mode):
                if key not in seen_dirs:
                    seen_dirs.add(key)
                    stack.append((entry.path, rel, key[0]))
            elif stat.S_ISREG(mode) and key not in seen_files:
                seen_files.add(key)
                found.append((rel, entry.path))
    return found


def candidates(path: Path, budget: Budget | None = None) -> list[Candidate]:
    """All files under ``path`` (a file, an archive or a directory), archives expanded, sorted by path.

    :param budget: decompressed bytes allowed (default: a fresh :class:`Budget` for this path).
    :raises LogInputError: the path does not exist or an archive cannot be opened; :class:`LogLimitError`: the
        path is not a regular file or a folder, or an archive is beyond a cap.
    """
    budget = budget or Budget()
    try:
        info = path.stat()
    except OSError:
        raise LogInputError(f"{path}: no such file or directory") from None
    if not stat.S_ISDIR(info.st_mode):
        if not stat.S_ISREG(info.st_mode):
            raise LogLimitError(f"{path}: {file_kind(info.st_mode)}, expected a log file, archive or folder")
        if is_archive(path.name):
            return list(_archive_candidates(path, budget))
        container = "gzip" if path.name.lower().endswith(".gz") else "file"
        plain = str(path) if container == "file" else None
        return [
            Candidate(str(path), path.name, str(path), container, lambda: read_file(str(path), budget), plain)
        ]
    root = str(path)
    files = [(rel.split("/"), rel, full if root != "." else rel) for rel, full in walk_files(root)]
    found: list[Candidate] = []
    for _, rel, full in sorted(files, key=lambda f: f[0]):  # by parts, as pathlib orders paths
        if is_archive(rel):
            found.extend(_archive_candidates(Path(full), budget))
        else:
            container = "gzip" if rel.lower().endswith(".gz") else "file"
            plain = full if container == "file" else None
            found.append(Candidate(full, rel, root, container, lambda f=full: read_file(f, budget), plain))  # type: ignore[misc]
    return found
