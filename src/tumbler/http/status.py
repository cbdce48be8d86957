"""Status lines, built once at import."""

from __future__ import annotations

from http import HTTPStatus

__all__ = ["HTTP_STATUS_LINES", "status_line"]

HTTP_STATUS_LINES: dict[int, str] = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


def status_line(code: int) -> str:
    """The ``"404 Not Found"`` line for a code (``"599 UNKNOWN"`` for unknown ones)."""
    line = HTTP_STATUS_LINES.get(code)
    return line if line is not None else f"{code} UNKNOWN"
