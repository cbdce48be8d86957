"""Tumbler: Flask's API and request lifecycle, served over WSGI and ASGI alike."""

from .app import Tumbler
from .blueprints import Blueprint
from .config import Config
from .context import (
    after_this_request,
    copy_current_request_context,
    has_app_context,
    has_request_context,
)
from .files import send_file, send_from_directory
from .flashing import flash, get_flashed_messages
from .globals import current_app, g, request, session
from .helpers import (
    abort,
    get_template_attribute,
    make_response,
    redirect,
    stream_with_context,
    url_for,
)
from .http.body import stream_request_body
from .http.exceptions import HTTPException
from .http.request import Request
from .http.response import Response
from .http.websocket import WebsocketDisconnected
from .json import jsonify
from .signals import (
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    before_render_template,
    got_request_exception,
    message_flashed,
    request_finished,
    request_started,
    request_tearing_down,
    template_rendered,
)
from .templating import (
    render_template,
    render_template_string,
    stream_template,
    stream_template_string,
)
from .threads import sync_on_loop
from .utils import secure_filename
from .websocket import websocket

__all__ = [
    "Blueprint",
    "Config",
    "HTTPException",
    "Request",
    "Response",
    "Tumbler",
    "WebsocketDisconnected",
    "abort",
    "after_this_request",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "copy_current_request_context",
    "current_app",
    "flash",
    "g",
    "get_flashed_messages",
    "get_template_attribute",
    "got_request_exception",
    "has_app_context",
    "has_request_context",
    "jsonify",
    "make_response",
    "message_flashed",
    "redirect",
    "render_template",
    "render_template_string",
    "request",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "secure_filename",
    "send_file",
    "send_from_directory",
    "session",
    "stream_request_body",
    "stream_template",
    "stream_template_string",
    "stream_with_context",
    "sync_on_loop",
    "template_rendered",
    "url_for",
    "websocket",
]
__version__ = "0.1.0"
