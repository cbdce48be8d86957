"""Small helpers Flask users import from ``werkzeug.utils``."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["secure_filename"]

_NOT_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
# Names Windows gives to devices in every folder, with or without an extension.
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{prefix}{n}" for prefix in ("COM", "LPT") for n in "0123456789"]
)


def secure_filename(filename: str) -> str:
    """A file name that is safe to join to a folder: ASCII letters, digits, ``_ . -`` only.

    As Werkzeug's: accents are dropped to plain letters and other non-ASCII characters
    removed, path separators (``/`` and ``\\``, on every system) and whitespace become
    ``_``, leading and trailing dots and underscores go (no ``..``, no hidden file), and a
    Windows device name (``CON``, ``aux.txt``, ``COM1``) gets a ``_`` prefix on every
    system. The result may be empty: choose a name of your own then.
    """
    filename = unicodedata.normalize("NFKD", filename)
    for separator in ("/", "\\"):
        filename = filename.replace(separator, " ")
    filename = filename.encode("ascii", "ignore").decode("ascii")
    filename = _NOT_SAFE.sub("", "_".join(filename.split())).strip("._")
    if filename and filename.split(".")[0].upper() in _WINDOWS_DEVICES:
        filename = f"_{filename}"
    return filename
