"""Files as responses: ``send_file``, ``send_from_directory`` and the static routes.

Why it is built this way:

* A file body is a ``FileBody``: an iterator that reads 64 KiB at a time and closes the file
  when it ends or when the server closes it (the client went away), so memory does not
  grow with the file. Under ASGI the adapter runs each read on a worker thread; under WSGI
  the adapter hands a whole-file body to the server's ``wsgi.file_wrapper`` when offered
  (gunicorn then uses ``sendfile``), still closing through the adapter so teardown runs.
* The HTTP rules (preconditions, If-Range, Range) are pure functions in ``http/ranges.py``.
* ``send_from_directory`` refuses any path that could leave the directory and answers it
  with the very same 404 as a missing file, so a probe learns nothing.

Flask 3.1 behaviours matched: Content-Disposition ``inline; filename=...`` whenever a name
is known (``attachment`` with ``as_attachment``), token or quoted-string plus ``filename*``
for non-ASCII names; ``Cache-Control: no-cache`` by default, ``public, max-age=N`` and
``Expires`` for ``max_age > 0``, ``no-cache, max-age=0`` for 0; ``max_age=None`` falls back
to ``app.get_send_file_max_age`` (``SEND_FILE_MAX_AGE_DEFAULT``, default None); relative
paths are relative to ``app.root_path``; conditional handling only for GET and HEAD (HEAD
gets the headers GET would, 206 included); ``Accept-Ranges: bytes``; 416 raised as
``RequestedRangeNotSatisfiable`` with ``Content-Range: bytes */size``; the static route is
registered whenever ``static_folder`` is not None; a ``.gz`` file sent inline gets
``Content-Encoding: gzip``, as an attachment it does not.

Deliberate differences from Flask, each from RFC 9110:

* Several ranges (``bytes=0-1,5-6``) get the whole file with 200 (§14.2 lets a server
  ignore Range); Flask answers 416. Invalid ranges (``bytes=5-2``, ``bytes=x-``) are also
  ignored (§14.1.1); Flask answers 416.
* If-Unmodified-Since is honoured (412); a failed If-Match is a 412 error page, not the file.
* A 304 carries only ETag, Cache-Control, Expires (and Last-Modified when there is no ETag),
  per §15.4.5; no Date header is added (servers add it).
* A real file object gets Content-Length and ranges from ``fstat``; Flask only knows the
  size of ``BytesIO``.
* A symlink inside the directory whose target lies outside it is refused (404).
"""

from __future__ import annotations

import io
import mimetypes
import os
import posixpath
import re
import stat as stat_mode
import time
import unicodedata
import weakref
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from urllib.parse import quote

from .globals import current_app, request
from .http.exceptions import NotFound, PreconditionFailed, RequestedRangeNotSatisfiable
from .http.ranges import (
    UnsatisfiableRange,
    evaluate_preconditions,
    http_date,
    if_range_allows,
    parse_byte_range,
    quote_etag,
)
from .http.response import Response, _with_charset

__all__ = [
    "BLOCK_SIZE",
    "FileBody",
    "StaticFiles",
    "content_disposition",
    "safe_join",
    "send_file",
    "send_from_directory",
]

#: How much of a file one body chunk holds.
BLOCK_SIZE = 64 * 1024

MaxAge = int | timedelta | Callable[[str | None], int | None] | None

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 §5.6.2 tchar
_DRIVE = re.compile(r"^[A-Za-z]:")
# Names Windows opens as devices whatever the folder or extension ("aux.txt" is AUX): reading
# CON or COM1 would hang or reach hardware. Refused on every OS, so an app behaves the same
# wherever it is deployed, and a file copied from elsewhere with such a name is never served.
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [
        f"{name}{n}"
        for name in ("COM", "LPT")
        for n in [*"123456789", "\u00b9", "\u00b2", "\u00b3"]
    ]
)


class FileBody:
    """A response body that reads an open binary file in blocks, then closes it.

    ``length`` None means "to the end of the file". ``close()`` is safe to call twice and
    from the server when the client went away before the end.
    """

    __slots__ = ("_remaining", "block_size", "file", "to_eof")

    def __init__(
        self,
        file: IO[bytes],
        length: int | None = None,
        block_size: int = BLOCK_SIZE,
        to_eof: bool | None = None,
    ) -> None:
        self.file = file
        self.block_size = block_size
        self._remaining = length
        #: Whether the body ends where the file does (so a server may send it whole).
        self.to_eof = length is None if to_eof is None else to_eof

    def __iter__(self) -> FileBody:
        return self

    def __next__(self) -> bytes:
        remaining = self._remaining
        if remaining == 0 or self.file.closed:
            self.close()
            raise StopIteration
        size = self.block_size if remaining is None else min(self.block_size, remaining)
        chunk = self.file.read(size)
        if not chunk:
            self.close()
            raise StopIteration
        if remaining is not None:
            self._remaining = remaining - len(chunk)
        return chunk

    @property
    def file_to_wrap(self) -> tuple[IO[bytes], int] | None:
        """``(file, block_size)`` for ``wsgi.file_wrapper`` (an OS file to its end), else None."""
        if not self.to_eof or self.file.closed:
            return None
        try:
            self.file.fileno()
        except (AttributeError, OSError, ValueError):
            return None
        return self.file, self.block_size

    def close(self) -> None:
        """Close the file (the end of the body, or the client went away)."""
        self.file.close()


# Content-Disposition ----------------------------------------------------------------------------


def _ascii_fallback(name: str) -> str:
    """An ASCII stand-in for ``name``: accents dropped, other non-ASCII and controls as ``_``."""
    decomposed = unicodedata.normalize("NFKD", name)
    chars = []
    for char in decomposed:
        if unicodedata.category(char) == "Mn":
            continue  # a combining accent: "é" becomes "e"
        chars.append(char if 0x20 <= ord(char) < 0x7F else "_")
    return "".join(chars)


def content_disposition(name: str, as_attachment: bool = False) -> str:
    """A Content-Disposition value per RFC 6266, with ``filename*`` for non-ASCII names."""
    kind = "attachment" if as_attachment else "inline"
    simple = _ascii_fallback(name)
    if _TOKEN.fullmatch(simple):
        value = f"{kind}; filename={simple}"
    else:
        escaped = simple.replace("\\", "\\\\").replace('"', '\\"')
        value = f'{kind}; filename="{escaped}"'
    if simple != name:
        # RFC 8187 attr-char: ALPHA DIGIT ! # $ & + - . ^ _ ` | ~ stay, the rest is %XX.
        value += f"; filename*=UTF-8''{quote(name, safe='!#$&+^`|~')}"
    return value


# send_file --------------------------------------------------------------------------------------


def _max_age_seconds(max_age: MaxAge, path: str | None) -> int | None:
    if max_age is None:
        max_age = current_app.get_send_file_max_age
    if callable(max_age):
        max_age = max_age(path)
    if isinstance(max_age, timedelta):
        return int(max_age.total_seconds())
    return max_age


def _timestamp(value: datetime | int | float) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp())
    return int(value)


def _file_size(file: IO[bytes]) -> int | None:
    """Bytes from the current position to the end, when that can be known cheaply."""
    try:
        if isinstance(file, io.BytesIO):
            return max(file.getbuffer().nbytes - file.tell(), 0)
        stat = os.fstat(file.fileno())
        if not stat_mode.S_ISREG(stat.st_mode):
            return None
        return max(stat.st_size - file.tell(), 0)
    except (AttributeError, OSError, ValueError):
        return None


def _validators(
    path: str | None, etag: bool | str, last_modified: datetime | int | float | None
) -> tuple[int | None, int | None, str | None]:
    """(size, Last-Modified seconds, ETag) of a path, or of a file object (size None)."""
    size = mtime = None
    tag = quote_etag(etag) if isinstance(etag, str) else None
    if path is not None:
        stat = os.stat(path)
        size, mtime = stat.st_size, int(stat.st_mtime)
        if etag is True:
            check = zlib.adler32(path.encode("utf-8", "surrogateescape"))
            tag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-{check:x}"'
    if last_modified is not None:
        mtime = _timestamp(last_modified)
    return size, mtime, tag


def send_file(
    path_or_file: str | os.PathLike[str] | IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: MaxAge = None,
) -> Response:
    """A response that sends a file, streamed in blocks, with caching and range support."""
    path: str | None = None
    file: IO[bytes] | None = None
    if isinstance(path_or_file, str | os.PathLike):
        path = os.path.join(current_app.root_path, os.fspath(path_or_file))
        if download_name is None:
            download_name = os.path.basename(path)
    else:
        file = path_or_file
        if isinstance(file, io.TextIOBase):
            raise ValueError("Files must be opened in binary mode or use BytesIO.")
    try:
        return _respond(
            path,
            file,
            mimetype,
            as_attachment,
            download_name,
            conditional,
            etag,
            last_modified,
            max_age,
        )
    except BaseException:
        if file is not None:
            file.close()  # ours since the call: closed on every way out but the body
        raise


def _respond(
    path: str | None,
    file: IO[bytes] | None,
    mimetype: str | None,
    as_attachment: bool,
    download_name: str | None,
    conditional: bool,
    etag: bool | str,
    last_modified: datetime | int | float | None,
    max_age: MaxAge,
) -> Response:
    headers, size, mtime, tag = _file_headers(
        path, mimetype, as_attachment, download_name, etag, last_modified, max_age
    )
    if file is not None:
        size = _file_size(file)
    method = request.method
    if not conditional or method not in ("GET", "HEAD"):
        return _file_response(path, file, headers, size, None, method)
    headers.append(("Accept-Ranges", "bytes"))
    status = evaluate_preconditions(
        if_match=request.headers.get("If-Match"),
        if_none_match=request.headers.get("If-None-Match"),
        if_modified_since=request.headers.get("If-Modified-Since"),
        if_unmodified_since=request.headers.get("If-Unmodified-Since"),
        etag=tag,
        last_modified=mtime,
    )
    if status == 412:
        raise PreconditionFailed()
    if status == 304:
        if file is not None:
            file.close()
        return _not_modified(headers, tag)
    byte_range = None
    if size is not None and if_range_allows(request.headers.get("If-Range"), tag, mtime):
        try:
            byte_range = parse_byte_range(request.headers.get("Range"), size)
        except UnsatisfiableRange:
            raise RequestedRangeNotSatisfiable(length=size) from None
    return _file_response(path, file, headers, size, byte_range, method)


def _file_headers(
    path: str | None,
    mimetype: str | None,
    as_attachment: bool,
    download_name: str | None,
    etag: bool | str,
    last_modified: datetime | int | float | None,
    max_age: MaxAge,
) -> tuple[list[tuple[str, str]], int | None, int | None, str | None]:
    """The headers every answer about this file shares, and its validators."""
    headers: list[tuple[str, str]] = []
    if download_name is not None:
        headers.append(("Content-Disposition", content_disposition(download_name, as_attachment)))
    if mimetype is None:
        if download_name is None:
            raise ValueError(
                "Unable to detect the MIME type because a file name is not available. Either "
                "set 'download_name', pass a path instead of a file, or set 'mimetype'."
            )
        mimetype, encoding = mimetypes.guess_type(download_name)
        mimetype = mimetype or "application/octet-stream"
        if encoding is not None and not as_attachment:
            headers.append(("Content-Encoding", encoding))
    headers.append(("Content-Type", _with_charset(mimetype)))
    size, mtime, tag = _validators(path, etag, last_modified)
    if mtime is not None:
        headers.append(("Last-Modified", http_date(mtime)))
    seconds = _max_age_seconds(max_age, path)
    if seconds is None:
        headers.append(("Cache-Control", "no-cache"))
    else:
        control = f"public, max-age={seconds}" if seconds > 0 else f"no-cache, max-age={seconds}"
        headers.append(("Cache-Control", control))
        headers.append(("Expires", http_date(time.time() + seconds)))
    if tag is not None:
        headers.append(("ETag", tag))
    return headers, size, mtime, tag


def _not_modified(headers: list[tuple[str, str]], tag: str | None) -> Response:
    """304 with only the fields RFC 9110 §15.4.5 lists (Last-Modified when no ETag)."""
    keep = {"etag", "cache-control", "expires", "vary", "content-location"}
    if tag is None:
        keep.add("last-modified")
    response = Response(None, status=304, headers=[h for h in headers if h[0].lower() in keep])
    response.headers.remove("Content-Length")
    response.headers.remove("Content-Type")
    return response


def _file_response(
    path: str | None,
    file: IO[bytes] | None,
    headers: list[tuple[str, str]],
    size: int | None,
    byte_range: tuple[int, int] | None,
    method: str,
) -> Response:
    """200 or 206 whose body streams the file (HEAD: headers only, the file never read)."""
    length = size
    status = 200
    if byte_range is not None and size is not None:
        start, stop = byte_range
        length = stop - start
        status = 206
        headers.append(("Content-Range", f"bytes {start}-{stop - 1}/{size}"))
    if length is not None:
        headers.append(("Content-Length", str(length)))
    if method == "HEAD":
        if file is not None:
            file.close()
        response = Response(None, status=status, headers=headers)
    else:
        if file is None:
            assert path is not None
            file = open(path, "rb")  # noqa: SIM115 - FileBody closes it
        try:
            if byte_range is not None:
                file.seek(byte_range[0], io.SEEK_CUR)
            to_eof = byte_range is None or (size is not None and byte_range[1] == size)
            body = FileBody(file, None if to_eof else length, to_eof=to_eof)
            response = Response(body, status=status, headers=headers)
        except BaseException:
            file.close()
            raise
    if length is not None:
        response.headers.set("Content-Length", length)
    else:
        response.headers.remove("Content-Length")
    return response


# send_from_directory ----------------------------------------------------------------------------


def _is_device(segment: str) -> bool:
    """Whether Windows opens ``segment`` as a device: ``CON``, ``nul.txt``, ``AUX .x``."""
    base = segment.split(".", 1)[0].split(":", 1)[0].rstrip(" ")
    return len(base) <= 7 and base.upper() in _WINDOWS_DEVICES


def safe_join(directory: str, path: str) -> str | None:
    """The real path of ``path`` inside ``directory``, or None if it could lead outside.

    Refused: NUL bytes, backslashes, absolute paths, drive letters (``C:``), ``..``
    segments, Windows device names (``CON``, ``nul.txt``, ``a/COM1``) on every OS, and a
    path that names a file as a directory (``a.txt/``, ``a.txt/.``), which the OS refuses
    too. Symlinks are resolved, and a target outside ``directory`` is refused.
    """
    if not path or "\x00" in path or "\\" in path or _DRIVE.match(path):
        return None
    if path.startswith("/") or posixpath.isabs(path) or os.path.isabs(path):
        return None
    segments = path.split("/")
    for segment in segments:
        if segment == ".." or _is_device(segment):
            return None
    root = os.path.realpath(directory)
    real = os.path.realpath(os.path.join(root, *segments))
    if real == root or os.path.commonpath([root, real]) != root:
        return None
    if segments[-1] in ("", ".") and not os.path.isdir(real):
        return None  # "a.txt/" or "a.txt/.": realpath() dropped what makes it a directory
    return real


def send_from_directory(
    directory: str | os.PathLike[str], path: str | os.PathLike[str], **kwargs: Any
) -> Response:
    """Send ``path`` from inside ``directory``; anything missing or unsafe is the same 404.

    ``directory`` is relative to ``app.root_path``; ``kwargs`` go to ``send_file``.
    """
    root = os.path.join(current_app.root_path, os.fspath(directory))
    real = safe_join(root, os.fspath(path))
    if real is None or not os.path.isfile(real):
        raise NotFound()
    kwargs.setdefault("download_name", os.path.basename(os.fspath(path)))
    return send_file(real, **kwargs)


# Static folders -----------------------------------------------------------------------------------


class StaticFiles:
    """The static-folder API that ``Tumbler`` and ``Blueprint`` share (Flask's names)."""

    import_name: str
    _static_folder: str | None = None
    _static_url_path: str | None = None

    def _resource_root(self) -> str:
        root: str | None = getattr(self, "root_path", None)
        if root:
            return root
        from .app import _root_path

        return _root_path(self.import_name)

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or None when there is none."""
        if self._static_folder is None:
            return None
        return os.path.join(self._resource_root(), self._static_folder)

    @static_folder.setter
    def static_folder(self, value: str | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip("\\/")
        self._static_folder = value

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is set (it need not exist)."""
        return self._static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL prefix of the static route: given, or ``/`` + the folder's name."""
        if self._static_url_path is not None:
            return self._static_url_path
        folder = self.static_folder
        if folder is not None:
            return f"/{os.path.basename(folder)}".rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The ``max_age`` for files sent without one: ``SEND_FILE_MAX_AGE_DEFAULT``."""
        value = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        if value is None:
            return None
        if isinstance(value, timedelta):
            return int(value.total_seconds())
        return int(value)

    def send_static_file(self, filename: str) -> Response:
        """Send ``filename`` from the static folder (the ``static`` endpoint's view)."""
        folder = self.static_folder
        if folder is None:
            raise RuntimeError("'static_folder' must be set to serve static_files.")
        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(folder, filename, max_age=max_age)


def static_view(owner: StaticFiles) -> Callable[..., Response]:
    """The view of a static route, holding its app or blueprint weakly (no reference cycle)."""
    ref = weakref.ref(owner)

    def static(filename: str) -> Response:
        target = ref()
        if target is None:  # pragma: no cover - the app is gone, nothing routes here
            raise NotFound()
        return target.send_static_file(filename)

    return static
