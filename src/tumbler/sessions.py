"""Sessions: a signed cookie by default (itsdangerous), behind a replaceable interface.

The cookie holds the session's JSON, signed (HMAC) with ``SECRET_KEY`` and timestamped. The
signature is checked before anything is decoded, so a tampered, truncated or expired cookie
gives an empty session and never an error. ``SECRET_KEY_FALLBACKS`` lets old keys still
verify while new cookies are signed with the current key.

Without a secret key the session is a ``NullSession``: empty, and refusing writes with a
message that says what to set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._install import install_hint
from .json_tag import TaggedJSONSerializer

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

    from .app import Tumbler
    from .http.request import Request
    from .http.response import Response

__all__ = [
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
    "refresh_wanted",
    "session_json_serializer",
]


class SessionMixin(dict[str, Any]):
    """A dict that remembers whether it was read or changed, and whether it is permanent."""

    modified = False
    accessed = False
    new = False

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (``PERMANENT_SESSION_LIFETIME``)."""
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)


class SecureCookieSession(SessionMixin):
    """The session stored in a signed cookie; it tracks reads and writes."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        super().__init__(initial or {})
        self.modified = False
        self.accessed = False

    def _changed(self) -> None:
        self.modified = True
        self.accessed = True

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        """Read a value (marks the session as accessed)."""
        self.accessed = True
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    # Every other read marks it too: a response that depends on the session in any way must
    # carry ``Vary: Cookie``, or a shared cache could hand one user's page to another.

    def __len__(self) -> int:
        self.accessed = True
        return super().__len__()

    def __iter__(self) -> Iterator[str]:
        self.accessed = True
        return super().__iter__()

    def keys(self) -> dict_keys[str, Any]:
        """The keys (marks the session as accessed)."""
        self.accessed = True
        return super().keys()

    def values(self) -> dict_values[str, Any]:
        """The values (marks the session as accessed)."""
        self.accessed = True
        return super().values()

    def items(self) -> dict_items[str, Any]:
        """The pairs (marks the session as accessed)."""
        self.accessed = True
        return super().items()

    def copy(self) -> dict[str, Any]:
        """A plain dict copy (marks the session as accessed)."""
        self.accessed = True
        return dict(super().items())

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Read or set a value."""
        self._changed()
        return super().setdefault(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self._changed()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._changed()
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        """Remove a value and return it."""
        self._changed()
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        """Remove and return a pair."""
        self._changed()
        return super().popitem()

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Set several values."""
        self._changed()
        super().update(*args, **kwargs)

    def clear(self) -> None:
        """Remove everything (the cookie is deleted)."""
        self._changed()
        super().clear()


class NullSession(SecureCookieSession):
    """The session when none can be stored: empty, and read-only."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set the secret_key "
            "on the application (app.secret_key = ... or SECRET_KEY in the config) to "
            "something unique and secret."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class SessionInterface:
    """How sessions are opened and saved; assign ``app.session_interface`` to replace it."""

    null_session_class: type[SessionMixin] = NullSession

    def make_null_session(self, app: Tumbler) -> SessionMixin:
        """The session used when ``open_session`` returns None."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is the null session (never saved)."""
        return isinstance(obj, self.null_session_class)

    def open_session(self, app: Tumbler, request: Request) -> SessionMixin | None:
        """Return the session for this request, or None for the null session."""
        return None

    def save_session(self, app: Tumbler, session: SessionMixin, response: Response) -> None:
        """Persist the session on the response."""

    # Flask's helpers, so custom interfaces can reuse the cookie settings -----------------

    def get_cookie_name(self, app: Tumbler) -> str:
        """``SESSION_COOKIE_NAME``."""
        return str(app.config["SESSION_COOKIE_NAME"])

    def get_cookie_domain(self, app: Tumbler) -> str | None:
        """``SESSION_COOKIE_DOMAIN``."""
        value = app.config["SESSION_COOKIE_DOMAIN"]
        return str(value) if value else None

    def get_cookie_path(self, app: Tumbler) -> str:
        """``SESSION_COOKIE_PATH``, else ``APPLICATION_ROOT``."""
        return str(app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"] or "/")

    def get_expiration_time(self, app: Tumbler, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires; None for a browser session."""
        if not session.permanent:
            return None
        return datetime.now(UTC) + _lifetime(app)

    def should_set_cookie(self, app: Tumbler, session: SessionMixin) -> bool:
        """Set the cookie when the session changed, or to refresh a permanent one."""
        return session.modified or (
            session.permanent and bool(app.config["SESSION_REFRESH_EACH_REQUEST"])
        )


def _lifetime(app: Tumbler) -> timedelta:
    value = app.config["PERMANENT_SESSION_LIFETIME"]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def _add_vary_cookie(response: Response) -> None:
    current = response.headers.get("Vary")
    if not current:
        response.headers["Vary"] = "Cookie"
    elif "cookie" not in {part.strip().lower() for part in current.split(",")}:
        response.headers["Vary"] = f"{current}, Cookie"


def refresh_wanted(app: Tumbler, cookie_header: str) -> bool:
    """Whether to open a request's session now, so a permanent one is refreshed.

    With ``SESSION_REFRESH_EACH_REQUEST`` (the default), Flask re-sends a permanent
    session's cookie on every request, also when the view never reads the session. Sessions
    open lazily here, so a request whose Cookie header holds the session cookie's name opens
    it up front (the app asks only when the request has a Cookie header).
    """
    return bool(app.config["SESSION_REFRESH_EACH_REQUEST"]) and (
        app.session_interface.get_cookie_name(app) in cookie_header
    )


#: The serializer of the session cookie's payload: Flask's tagged JSON, so a cookie written
#: by a Flask app with the same ``SECRET_KEY`` reads back here, and the other way round.
session_json_serializer = TaggedJSONSerializer()


class SecureCookieSessionInterface(SessionInterface):
    """Sessions in a signed, timestamped cookie (the default)."""

    salt = "cookie-session"
    digest_method: Callable[..., Any] = staticmethod(hashlib.sha1)
    key_derivation = "hmac"
    serializer: Any = session_json_serializer
    session_class = SecureCookieSession

    def get_signing_serializer(self, app: Tumbler) -> Any:
        """The itsdangerous serializer for the app's keys, or None without a secret key."""
        if not app.secret_key:
            return None
        try:
            from itsdangerous import URLSafeTimedSerializer
        except ImportError:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                "Sessions need itsdangerous: " + install_hint("itsdangerous>=2.1", "sessions")
            ) from None
        keys: list[Any] = list(app.config["SECRET_KEY_FALLBACKS"] or [])
        keys.append(app.secret_key)  # the newest key signs; every key verifies
        return URLSafeTimedSerializer(
            keys,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    def open_session(self, app: Tumbler, request: Request) -> SessionMixin | None:
        """Verify and load the session cookie; anything wrong gives an empty session."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        from itsdangerous import BadSignature

        try:
            data = serializer.loads(value, max_age=int(_lifetime(app).total_seconds()))
        except (BadSignature, ValueError, TypeError):
            return self.session_class()
        return self.session_class(data if isinstance(data, dict) else None)

    def save_session(self, app: Tumbler, session: SessionMixin, response: Response) -> None:
        """Write, refresh or delete the cookie, and add ``Vary: Cookie`` when it was read."""
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        config = app.config
        secure = bool(config["SESSION_COOKIE_SECURE"])
        partitioned = bool(config["SESSION_COOKIE_PARTITIONED"])
        samesite = config["SESSION_COOKIE_SAMESITE"]
        httponly = bool(config["SESSION_COOKIE_HTTPONLY"])
        if session.accessed:
            _add_vary_cookie(response)
        if not session:
            if session.modified:
                response.delete_cookie(
                    name,
                    path=path,
                    domain=domain,
                    secure=secure,
                    httponly=httponly,
                    samesite=samesite,
                    partitioned=partitioned,
                )
                _add_vary_cookie(response)
            return
        if not self.should_set_cookie(app, session):
            return
        serializer = self.get_signing_serializer(app)
        value = serializer.dumps(dict(session))
        response.set_cookie(
            name,
            value,
            expires=self.get_expiration_time(app, session),
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )
        _add_vary_cookie(response)
