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
from .globals import current_app, g, request, session
from .helpers import make_response, redirect, url_for
from .http.exceptions import HTTPException, abort
from .http.request import Request
from .http.response import Response
from .json import jsonify

__all__ = [
    "Blueprint",
    "Config",
    "HTTPException",
    "Request",
    "Response",
    "Tumbler",
    "abort",
    "after_this_request",
    "copy_current_request_context",
    "current_app",
    "g",
    "has_app_context",
    "has_request_context",
    "jsonify",
    "make_response",
    "redirect",
    "request",
    "session",
    "url_for",
]

__version__ = "0.1.0"
