"""The app a server process loads: ``gunicorn benchmarks.realwork.apps.served:app`` (or
uvicorn, granian). The runner names it in ``REALWORK_APP``."""

from __future__ import annotations

import os

from .registry import APPS

__all__ = ["app"]

app = APPS[os.environ["REALWORK_APP"]].factory()
