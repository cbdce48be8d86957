"""The request lifecycle, written once and driven by the WSGI and ASGI adapters."""
