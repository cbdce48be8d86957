"""``tumbler.logging``: the app logger's default handler, as ``flask.logging``.

``app.logger`` gets ``default_handler`` only when no handler up its chain would show its
records, so configuring logging before the app logs anything (``logging.basicConfig`` or
``dictConfig``) replaces it; ``app.logger.removeHandler(default_handler)`` removes it later.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .app import Tumbler

__all__ = ["create_logger", "default_handler", "has_level_handler"]


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether a handler up the chain emits records at ``logger``'s effective level (Flask)."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Write to ``sys.stderr`` as it is when each record is emitted (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # emit runs under the handler's lock
        super().emit(record)


#: The handler ``create_logger`` adds: to ``sys.stderr``, in Flask's format.
default_handler: logging.Handler = _StderrHandler()
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: Tumbler) -> logging.Logger:
    """The logger named after ``app``: DEBUG level in debug mode, ``default_handler`` if needed."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
