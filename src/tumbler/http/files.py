"""``FileStorage``: one uploaded file of a multipart form, as Flask users know it.

The data lives in ``stream``: a ``tempfile.SpooledTemporaryFile`` that keeps small uploads in
memory and moves large ones to an anonymous temporary file (already unlinked on POSIX, so
closing it is all the cleanup there is). The request that parsed it closes it at the end of
the request (``Request.close()``); code that keeps the data must ``save()`` it first.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from typing import IO, Any

from .datastructures import Headers
from .request import _split_mimetype

__all__ = ["FileStorage"]


class FileStorage:
    """An uploaded file: its form ``name``, client ``filename``, part ``headers`` and data."""

    def __init__(
        self,
        stream: IO[bytes] | None = None,
        filename: str | None = None,
        name: str | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        headers: Headers | None = None,
    ) -> None:
        if stream is None:
            stream = io.BytesIO()
        self.stream: IO[bytes] = stream
        self.filename = filename
        self.name = name
        if headers is None:
            headers = Headers()
            if content_type is not None:
                headers.set("Content-Type", content_type)
            if content_length is not None:
                headers.set("Content-Length", str(content_length))
        self.headers = headers

    # What the client said about the file -------------------------------------------------------

    @property
    def content_type(self) -> str | None:
        """The part's Content-Type header as sent, or None."""
        value: str | None = self.headers.get("Content-Type")
        return value

    @property
    def mimetype(self) -> str:
        """The media type without parameters, lower-cased (``""`` when not sent)."""
        value = self.content_type
        return _split_mimetype(value)[0] if value else ""

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The Content-Type parameters, such as ``charset``."""
        value = self.content_type
        return _split_mimetype(value)[1] if value else {}

    @property
    def content_length(self) -> int:
        """The part's Content-Length header, or 0 (clients rarely send one)."""
        value = self.headers.get("Content-Length", "")
        return int(value) if value.isdigit() else 0

    # Reading and keeping the data -------------------------------------------------------------

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all by default) from the current position."""
        return self.stream.read(size)

    def readline(self, size: int = -1) -> bytes:
        """Read one line from the current position."""
        return self.stream.readline(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the read position, as ``io.IOBase.seek``."""
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        """The current read position."""
        return self.stream.tell()

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def save(self, dst: str | os.PathLike[str] | IO[bytes], buffer_size: int = 16384) -> None:
        """Copy the data (from the current position) to a path or a binary file object."""
        if isinstance(dst, str | os.PathLike):
            with open(dst, "wb") as file:
                shutil.copyfileobj(self.stream, file, buffer_size)
        else:
            shutil.copyfileobj(self.stream, dst, buffer_size)

    def close(self) -> None:
        """Release the data (and its temporary file); safe to call twice."""
        self.stream.close()

    @property
    def closed(self) -> bool:
        """Whether ``close()`` ran."""
        return bool(self.stream.closed)

    def __enter__(self) -> FileStorage:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __bool__(self) -> bool:
        # As in Flask: a file input left empty is sent with filename="" and is falsy.
        return bool(self.filename)

    def __repr__(self) -> str:
        return f"<FileStorage: {self.filename!r} ({self.content_type!r})>"
