"""The request body as one stream per request, read as it arrives, with its limits checked.

Rules of this module:

* A request has one ``BodyStream`` (``request.stream``). ``get_data()``, ``form``, ``json``
  and ``files`` read through it, so the source (``wsgi.input``, ASGI messages, a body the
  ASGI adapter buffered) is read once, in order, and never past the declared length.
* The limit (``request.max_content_length``) is checked at every read, and setting it on
  the request updates the stream's, so a value set before the body is read applies.
  Past it: 413, before reading when the declared length already says so. (The stream holds
  the limit, not the request: no reference cycle, so a request is freed by reference
  counting.)
* A source that ends before its declared Content-Length (a short read, a client that left)
  is a 400; one that sends more than it declared is a 400 too.
* Once a read failed, every later read raises the same error: no reader ever receives a
  truncated body as if it were complete.

Sources subclass ``BodyStream`` and give ``_pull`` (sync) and, where reading must wait for
an event loop, ``_apull`` (async). ``read``/``readline`` serve sync code, ``aread`` and
``async for`` serve async code; both fill the same buffer.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, NoReturn, TypeVar

from .exceptions import BadRequest, HTTPException, RequestEntityTooLarge

__all__ = [
    "CHUNK_SIZE",
    "BodyStream",
    "BufferedBodyStream",
    "ShortBody",
    "WSGIBodyStream",
    "stream_request_body",
    "wants_body_stream",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The size of the reads that fill the stream when the caller asks for everything.
CHUNK_SIZE = 64 * 1024
_STREAM_ATTR = "_tumbler_stream_body"


def stream_request_body(view: F) -> F:
    """Mark a view as reading ``request.stream`` itself, so ASGI does not buffer its body.

    Under ASGI the body of every other view is received (and spooled to disk when large)
    before the view runs; a marked view gets the body as the client sends it: sync code
    reads ``request.stream.read(n)`` on its worker thread, async code awaits
    ``request.stream.aread(n)`` or uses ``async for chunk in request.stream``. Under WSGI
    every body is read as it arrives anyway; the mark changes nothing there.
    """
    setattr(view, _STREAM_ATTR, True)
    return view


def wants_body_stream(view: Callable[..., Any] | None) -> bool:
    """Whether ``view`` was marked with ``stream_request_body``."""
    return view is not None and getattr(view, _STREAM_ATTR, False) is True


class ShortBody(BadRequest):
    """400: the body ended before (or ran past) the length its Content-Length declared."""

    description = "The request body ended before its declared Content-Length."


class BodyStream(io.RawIOBase):
    """A read-only, forward-only binary stream over one request body."""

    def __init__(
        self,
        length: int | None,
        limit: int | None = None,
        error: HTTPException | None = None,
    ) -> None:
        #: The declared length (Content-Length), or None when the source says where it ends.
        self.length = length
        #: The largest body accepted; the request updates it when its limit is set.
        self.limit = limit
        self._error = error
        self._buffer = bytearray()
        #: Bytes taken from the source so far.
        self.received = 0
        self._ended = length == 0

    # What a source provides ---------------------------------------------------------------

    def _pull(self, size: int) -> bytes:
        """Up to ``size`` (at least 1) bytes more from the source; ``b""`` at its end."""
        return b""

    async def _apull(self, size: int) -> bytes:
        """``_pull`` for async callers; sources that wait on an event loop override it."""
        return self._pull(size)

    # Accounting ---------------------------------------------------------------------------

    def _fail(self, error: HTTPException) -> NoReturn:
        self._error = error
        self._buffer.clear()
        raise error

    def _check(self) -> int | None:
        """Raise the pending error, or 413 when the declared length is over the limit.

        Return the limit (asked once per read).
        """
        if self._error is not None:
            raise self._error.with_traceback(None)
        if self.closed:
            raise ValueError("I/O operation on a closed request body stream.")
        limit = self.limit
        if limit is not None and self.length is not None and self.length > limit:
            self._fail(RequestEntityTooLarge())
        return limit

    def _hint(self, size: int) -> int:
        """How much to ask the source for: the rest of the declared body at most."""
        length = self.length
        if length is not None:
            left = length - self.received
            # PERF: everything wanted, and the declared length is within the limit: one read
            return left if size < 0 else max(min(size - len(self._buffer), left), 1)
        return CHUNK_SIZE if size < 0 else max(size - len(self._buffer), 1)

    def _take(self, chunk: bytes, limit: int | None) -> bytes:
        """Count a chunk from the source against the declared length and the limit."""
        if not chunk:
            self._ended = True
            if self.length is not None and self.received < self.length:
                self._fail(ShortBody())
            return chunk
        received = self.received = self.received + len(chunk)
        length = self.length
        if length is not None and received >= length:
            if received > length:
                self._fail(ShortBody("The request body is longer than its Content-Length."))
            self._ended = True
        if limit is not None and received > limit:
            self._fail(RequestEntityTooLarge())
        return chunk

    def _pulled(self, size: int, limit: int | None) -> bytes:
        try:
            return self._take(self._pull(self._hint(size)), limit)
        except HTTPException as error:
            self._fail(error)

    async def _apulled(self, size: int, limit: int | None) -> bytes:
        try:
            return self._take(await self._apull(self._hint(size)), limit)
        except HTTPException as error:
            self._fail(error)

    def _give(self, size: int) -> bytes:
        """Up to ``size`` bytes from the buffer (all of it when negative)."""
        buffer = self._buffer
        if size < 0 or size >= len(buffer):
            data = bytes(buffer)
            buffer.clear()
            return data
        data = bytes(buffer[:size])
        del buffer[:size]
        return data

    # Sync reading -------------------------------------------------------------------------

    def readable(self) -> bool:
        """Always true: the body can be read (once)."""
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (fewer only at the end of the body); everything when -1."""
        size = -1 if size is None else size
        limit = self._check()
        if size == 0:
            return b""
        buffer = self._buffer
        if not buffer and not self._ended:
            # PERF: the usual reads (get_data(), a form) take what one pull gives, no copy
            chunk = self._pulled(size, limit)
            if size < 0 or len(chunk) == size or (self._ended and len(chunk) < size):
                return self._read_all(chunk, limit) if size < 0 else chunk
            buffer += chunk
        while not self._ended and (size < 0 or len(buffer) < size):
            buffer += self._pulled(size, limit)
        return self._give(size)

    def _read_all(self, first: bytes, limit: int | None) -> bytes:
        if self._ended:
            return first
        parts = [first]
        while not self._ended:
            parts.append(self._pulled(-1, limit))
        return b"".join(parts)

    def readall(self) -> bytes:
        """The rest of the body."""
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        """Read into a writable buffer; the number of bytes read."""
        data = self.read(len(memoryview(buffer)))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        """One line, with its ``\\n``, of at most ``size`` bytes when given."""
        size = -1 if size is None else size
        limit = self._check()
        start = 0
        while True:
            end = self._buffer.find(b"\n", start)
            if end >= 0:
                return self._give(end + 1 if size < 0 else min(end + 1, size))
            if self._ended or 0 <= size <= len(self._buffer):
                return self._give(size)
            start = len(self._buffer)
            self._buffer += self._pulled(CHUNK_SIZE if size < 0 else size, limit)

    # Async reading ------------------------------------------------------------------------

    async def aread(self, size: int = -1) -> bytes:
        """As ``read``, for async code: waits for the body without holding the event loop."""
        limit = self._check()
        if size == 0:
            return b""
        while not self._ended and (size < 0 or len(self._buffer) < size):
            self._buffer += await self._apulled(size, limit)
        return self._give(size)

    def __aiter__(self) -> BodyStream:
        return self

    async def __anext__(self) -> bytes:
        limit = self._check()
        if not self._buffer:
            if self._ended:
                raise StopAsyncIteration
            chunk = await self._apulled(CHUNK_SIZE, limit)
            if not chunk:
                raise StopAsyncIteration
            return chunk
        return self._give(-1)

    @property
    def is_exhausted(self) -> bool:
        """Whether the whole body has been read from the stream."""
        return self._ended and not self._buffer


class WSGIBodyStream(BodyStream):
    """``wsgi.input``, never read past the declared length."""

    def __init__(self, source: Any, length: int | None, limit: int | None = None) -> None:
        super().__init__(length, limit)
        self._source = source

    def _pull(self, size: int) -> bytes:
        try:
            data: bytes = self._source.read(size)
        except (OSError, ValueError):  # the server lost the client mid-body
            raise ShortBody("The connection was lost while the request body was read.") from None
        return data


class BufferedBodyStream(BodyStream):
    """A body received before the view ran (ASGI): bytes, or a spooled temporary file."""

    def __init__(
        self,
        data: bytes | IO[bytes],
        limit: int | None = None,
        error: HTTPException | None = None,
    ) -> None:
        if isinstance(data, bytes):
            length = len(data)
            self._data: bytes | None = data
            self._file: IO[bytes] | None = None
        else:
            length = data.seek(0, io.SEEK_END)
            data.seek(0)
            self._data, self._file = None, data
        super().__init__(length, limit, error)

    def _pull(self, size: int) -> bytes:
        data = self._data
        if data is not None:
            if self.received == 0 and size >= len(data):
                return data  # PERF: the whole small body, no slice
            return data[self.received : self.received + size]
        assert self._file is not None
        return self._file.read(size)
