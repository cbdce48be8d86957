"""The app a benchmark server loads: ``gunicorn/uvicorn benchmarks.apps.served:app``.

The runner picks it with two environment variables: ``BENCH_FRAMEWORK`` (a name from
``FRAMEWORKS``) and ``BENCH_APP`` (an app name from ``scenarios.APPS``). ``app`` is that
framework's WSGI or ASGI callable (``app.asgi`` for tumbler over ASGI).
"""

from __future__ import annotations

import importlib
import os

from . import by_name

__all__ = ["app"]

_framework = by_name([os.environ["BENCH_FRAMEWORK"]])[0]
if os.environ["BENCH_APP"].startswith("blocking"):  # issue 12's apps (httpbench.run_blocking)
    _module = importlib.import_module(f"benchmarks.apps.{_framework.module}")
    _factory = "create_blocking_loop" if os.environ["BENCH_APP"] == "blocking_loop" else ""
    app = getattr(_module, _factory or "create_blocking")("blocking")
else:
    app = _framework.create(os.environ["BENCH_APP"])
