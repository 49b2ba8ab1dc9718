"""Errors a user can act on.

Every error raised because of bad input (a missing file, a malformed track, a params dict with a wrong type...)
derives from :class:`UserError`. The CLI prints ``str(error)`` as one line and exits with code 2; ``--verbose``
shows the traceback instead. Messages name the file, line or key at fault and, where possible, the fix.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user: printed as one line by the CLI, exit code 2."""


class TrackError(UserError):
    """A track file is missing, malformed or geometrically invalid."""


class ParamsError(UserError):
    """A params dict (or JSON) does not match the DeepRacer input schema."""


class InputLimitError(UserError):
    """An input file is refused before it is used: it is not a regular file (a FIFO, a device, a socket), or it
    is beyond a documented safety cap (size, decompressed size, archive members, line length, nesting depth,
    array shape). The message names the file, the cap and, where there is one, the variable that raises it."""
