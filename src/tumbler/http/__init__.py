"""The protocol-neutral HTTP model: headers, cookies, request, response and errors.

Nothing here does I/O or knows about WSGI or ASGI beyond reading raw values.
"""
