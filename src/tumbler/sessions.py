"""Sessions: the interface the lifecycle calls, and the session objects views see.

The signed-cookie implementation is not written yet; until it is, ``session`` is a
``NullSession`` that can be read (it is empty) and refuses writes with a message that says
what is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Tumbler
    from .context import Context
    from .http.response import Response

__all__ = ["NullSession", "SessionInterface", "SessionMixin"]


class SessionMixin(dict[str, Any]):
    """A dict that remembers whether it was read or changed, and whether it is permanent."""

    modified = False
    accessed = False
    new = False

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session."""
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)


class NullSession(SessionMixin):
    """The session when none can be stored: empty, and read-only."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set the secret_key "
            "on the application to something unique and secret."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class SessionInterface:
    """How sessions are opened and saved; replace ``app.session_interface`` to change it."""

    null_session_class = NullSession

    def open_session(self, app: Tumbler, ctx: Context) -> SessionMixin:
        """Return the session for this request."""
        return self.null_session_class()

    def save_session(self, app: Tumbler, session: SessionMixin, response: Response) -> None:
        """Persist the session on the response."""
