"""Message flashing: a message stored now and shown on the next page the user sees.

Messages live in ``session["_flashes"]`` as ``[category, message]`` pairs (lists, because the
session cookie is JSON). The first ``get_flashed_messages()`` of a request takes them out of
the session and keeps them on the request's context, so later calls in the same request
(say, one in the layout and one in the page) see the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .context import current_request_context
from .signals import message_flashed

__all__ = ["flash", "get_flashed_messages"]

_KEY = "_flashes"
_CACHE = "_tumbler_flashes"  # attribute on the request's Context


def flash(message: str, category: str = "message") -> None:
    """Store ``message`` under ``category`` for the next request; needs a secret key."""
    ctx = current_request_context()
    session = ctx.session
    flashes = list(session.get(_KEY, ()))
    flashes.append([category, message])
    session[_KEY] = flashes  # assigned, not mutated: the session sees the change
    if message_flashed.receivers:
        message_flashed.send(ctx.app, message=message, category=category)


def get_flashed_messages(
    with_categories: bool = False, category_filter: Iterable[str] = ()
) -> list[Any]:
    """Return (and take out of the session) the flashed messages, oldest first.

    ``with_categories=True`` gives ``(category, message)`` tuples. ``category_filter`` keeps
    only the messages of those categories.
    """
    ctx = current_request_context()
    flashes: list[tuple[str, Any]] | None = getattr(ctx, _CACHE, None)
    if flashes is None:
        session = ctx.session
        stored = session.pop(_KEY) if _KEY in session else ()
        flashes = [(str(category), message) for category, message in stored]
        setattr(ctx, _CACHE, flashes)
    if category_filter:
        wanted = set(category_filter)
        flashes = [pair for pair in flashes if pair[0] in wanted]
    if with_categories:
        return list(flashes)
    return [message for _, message in flashes]
