"""The hooks one request runs, frozen into tuples before the first request.

Registration appends to lists on the app (and later, blueprints); the first request freezes
them into a ``HookSet`` so the pipeline loops over ready tuples, already in the order it calls
them: ``after`` and both teardowns are stored reversed.
"""

from __future__ import annotations

from .handler import Handler

__all__ = ["HookSet"]


class HookSet:
    """The hooks for requests of one scope (the app, or a chain of blueprints)."""

    __slots__ = ("after", "before", "has_before", "teardown")

    def __init__(
        self,
        before: tuple[Handler, ...],
        after: tuple[Handler, ...],
        teardown: tuple[Handler, ...],
    ) -> None:
        self.before = before
        self.after = after  # already in call order: reverse of registration
        self.teardown = teardown  # teardown_request reversed, then teardown_appcontext reversed
        self.has_before = bool(before)

    @classmethod
    def build(
        cls,
        before: list[Handler],
        after: list[Handler],
        teardown_request: list[Handler],
        teardown_appcontext: list[Handler],
    ) -> HookSet:
        """Freeze registration-ordered lists into call-ordered tuples."""
        return cls(
            tuple(before),
            tuple(reversed(after)),
            tuple(reversed(teardown_request)) + tuple(reversed(teardown_appcontext)),
        )
