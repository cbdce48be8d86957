"""HTTP exceptions under a short import path: ``from tumbler.exceptions import NotFound``."""

from .http.exceptions import *  # noqa: F403
from .http.exceptions import __all__  # noqa: F401
