"""The hooks one request runs, frozen into tuples before the first request.

Registration appends to per-scope lists (scope None is the app, a dotted name a blueprint).
For each blueprint chain a request can be in, the app builds one ``HookSet`` holding the
hooks already in call order, following Flask: preprocessors and ``before_request`` from the
app inwards; ``after_request`` and teardown from the innermost blueprint outwards, each list
reversed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .handler import Handler

__all__ = ["HookSet"]

Table = Mapping[str | None, Sequence[Handler]]


class HookSet:
    """The hooks for requests of one scope chain (the app, or nested blueprints)."""

    __slots__ = (
        "after",
        "before",
        "error_scopes",
        "has_before",
        "preprocess",
        "request_teardowns",
        "teardown",
    )

    def __init__(
        self,
        preprocess: tuple[Handler, ...],
        before: tuple[Handler, ...],
        after: tuple[Handler, ...],
        teardown: tuple[Handler, ...],
        error_scopes: tuple[str | None, ...],
        request_teardowns: int = 0,
    ) -> None:
        self.preprocess = preprocess
        self.before = before
        self.after = after
        self.teardown = teardown
        self.error_scopes = error_scopes
        self.has_before = bool(preprocess or before)
        #: How many of ``teardown`` are teardown_request callbacks (the rest: appcontext).
        self.request_teardowns = request_teardowns

    @classmethod
    def build(
        cls,
        blueprints: Sequence[str],
        preprocess: Table,
        before: Table,
        after: Table,
        teardown_request: Table,
        teardown_appcontext: Sequence[Handler],
    ) -> HookSet:
        """Freeze registration-ordered tables into call-ordered tuples for one chain.

        ``blueprints`` is innermost first, as ``request.blueprints`` gives it.
        """
        outward: tuple[str | None, ...] = (*blueprints, None)
        inward = tuple(reversed(outward))

        def forward(table: Table) -> tuple[Handler, ...]:
            return tuple(h for scope in inward for h in table.get(scope, ()))

        def backward(table: Table) -> tuple[Handler, ...]:
            return tuple(h for scope in outward for h in reversed(table.get(scope, ())))

        request_teardowns = backward(teardown_request)
        return cls(
            forward(preprocess),
            forward(before),
            backward(after),
            request_teardowns + tuple(reversed(teardown_appcontext)),
            outward,
            len(request_teardowns),
        )
