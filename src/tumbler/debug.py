"""The debug error page: in debug mode an unhandled exception answers its traceback as HTML.

Flask in debug mode lets the exception propagate to Werkzeug's debugger, which shows an
interactive page. Tumbler shows the traceback, with each frame's source lines, and nothing
else: no console, no way to run code from the browser (Werkzeug's console was the source of
remote-code-execution advisories). Everything from the exception, the source and the
request is HTML-escaped, and the page forbids scripts through its Content-Security-Policy.

The page answers only when ``DEBUG`` is on, ``TESTING`` is off and ``PROPAGATE_EXCEPTIONS``
is left at its default (None): set it to True to hand exceptions to WSGI or ASGI middleware
instead, or False for the plain 500. Requests from the test client get the exception raised,
as Flask's test client does in debug mode (its debugger is middleware of the development
server only). Debug off, the page never appears.
"""

from __future__ import annotations

import linecache
import os
import traceback
from html import escape
from typing import TYPE_CHECKING, Any

from .http.response import Response

if TYPE_CHECKING:
    from .context import Context

__all__ = ["TEST_CLIENT_KEY", "debug_response", "render_debug_page", "shows_debug_page"]

#: Source lines shown before and after the line of each frame.
CONTEXT_LINES = 3

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; color: #a00; } h2 { font-size: 1.1em; margin-top: 2em; }
.frame { border: 1px solid #ddd; margin: 1em 0; } .where { background: #f4f4f4; padding: .4em; }
pre { margin: 0; padding: .4em; overflow-x: auto; } .current { background: #fdd; }
.note { color: #666; } .framework { opacity: .55; }
"""

#: No script, no external resource: the page is inert whatever the exception text holds.
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


#: The key the test client sets in the environ (WSGI) or the scope (ASGI) of its requests.
TEST_CLIENT_KEY = "tumbler.test_client"


def shows_debug_page(ctx: Context) -> bool:
    """Whether an unhandled exception in ``ctx`` answers the debug page (see the module)."""
    config: Any = ctx.app.config
    if not config.get("DEBUG") or config.get("TESTING"):
        return False
    if config.get("PROPAGATE_EXCEPTIONS") is not None:
        return False
    request = ctx.request
    raw = getattr(request, "scope", None)  # ASGI; a WSGI request has its environ
    if raw is None and request is not None:
        raw = request.environ
    return not (raw and raw.get(TEST_CLIENT_KEY))


def debug_response(error: BaseException, ctx: Context) -> Response:
    """A 500 response with the debug page for ``error``."""
    response_class: type[Response] = getattr(ctx.app, "response_class", Response)
    response = response_class(render_debug_page(error, ctx), status=500, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def render_debug_page(error: BaseException, ctx: Context | None = None) -> str:
    """The HTML page: the exception, the request line, each frame with its source lines."""
    summary = traceback.TracebackException.from_exception(error)
    title = escape(f"{type(error).__name__}: {error}")
    request = ctx.request if ctx is not None else None
    where = ""
    if request is not None:
        where = f"<p>{escape(request.method)} {escape(request.path)}</p>\n"
    sections = [_chain_section(exception) for exception in _chain(summary)]
    plain = escape("".join(summary.format()))
    return (
        "<!doctype html>\n<html lang=en>\n<meta charset=utf-8>\n"
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n"
        f"<h1>{title}</h1>\n{where}"
        '<p class="note">Debug mode is on: this page shows the traceback. Never turn debug '
        "on in production.</p>\n"
        f"{''.join(sections)}"
        f"<h2>Traceback as text</h2>\n<pre>{plain}</pre>\n"
    )


def _chain(summary: traceback.TracebackException) -> list[traceback.TracebackException]:
    """The chained exceptions, the first cause first, as Python prints them."""
    chain: list[traceback.TracebackException] = []
    current: traceback.TracebackException | None = summary
    while current is not None and len(chain) < 20:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    chain.reverse()
    return chain


def _chain_section(exception: traceback.TracebackException) -> str:
    heading = escape("".join(exception.format_exception_only()).strip())
    frames = "".join(_frame(frame) for frame in exception.stack)
    return f"<h2>{heading}</h2>\n{frames}"


#: Frames in tumbler itself are dimmed, so the application's frames stand out.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _frame(frame: traceback.FrameSummary) -> str:
    lineno = frame.lineno or 0
    where = escape(f'File "{frame.filename}", line {lineno}, in {frame.name}')
    lines = []
    for number in range(max(1, lineno - CONTEXT_LINES), lineno + CONTEXT_LINES + 1):
        text = linecache.getline(frame.filename, number)
        if not text:
            continue
        css = ' class="current"' if number == lineno else ""
        lines.append(f"<pre{css}>{number:>5}  {escape(text.rstrip())}</pre>")
    css = "frame framework" if frame.filename.startswith(_PACKAGE_DIR) else "frame"
    return f'<div class="{css}"><div class="where">{where}</div>{"".join(lines)}</div>\n'
