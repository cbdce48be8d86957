"""The app a benchmark server loads: ``gunicorn/uvicorn benchmarks.apps.served:app``.

The runner picks it with two environment variables: ``BENCH_FRAMEWORK`` (a name from
``FRAMEWORKS``) and ``BENCH_APP`` (an app name from ``scenarios.APPS``). ``app`` is that
framework's WSGI or ASGI callable (``app.asgi`` for tumbler over ASGI).
"""

from __future__ import annotations

import os

from . import by_name

__all__ = ["app"]

app = by_name([os.environ["BENCH_FRAMEWORK"]])[0].create(os.environ["BENCH_APP"])
