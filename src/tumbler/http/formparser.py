"""``multipart/form-data``: a streaming parser underneath, limits and spooled uploads on top.

Rules of this module:

* It is fed the body chunk by chunk and never holds the whole of it: a field is kept in
  memory only up to ``MAX_FORM_MEMORY_SIZE``, and an upload goes to a
  ``SpooledTemporaryFile`` that moves to disk past the spool threshold.
* Every limit is checked while the body streams in. Past one, ``RequestEntityTooLarge``
  (413); a malformed body (no or bad boundary, broken part headers, no closing boundary),
  ``BadRequest`` (400). Nothing a client sends makes it raise anything else.
* When parsing fails, every file opened so far is closed before the error leaves.

Theory of operation: ``MultipartReceiver`` owns one python-multipart ``MultipartParser`` and
receives its callbacks (part begins, header bytes, data bytes, part ends, end). It collects
part headers, decides field or file from Content-Disposition, and appends data to a
bytearray (field) or a spooled file (upload). ``parse_multipart`` drives it from an iterable
of chunks and turns the result into two ``ImmutableMultiDict``.

Why python-multipart (import ``python_multipart``) rather than ``multipart`` (defnull):

* Both are maintained, pure Python, dependency-free and stream (python-multipart with a
  callback push parser, ``multipart`` with a generator push parser); both suit a sans-IO use.
* python-multipart parses multipart for Starlette and FastAPI, so it is the most exercised
  parser in the ecosystem: its bugs are found and fixed fast (releases within days of each
  advisory), it ships type hints (``py.typed``), and it bounds part headers itself (size and
  count per part, boundary length).
* Its advisories, all fixed in the minimum version we require (0.0.31): CVE-2024-24762
  (ReDoS in the Content-Type parser, 0.0.7), CVE-2024-53981 (log flooding before/after the
  boundary, 0.0.18), CVE-2026-24486 (path traversal with a non-default upload option we do
  not use, 0.0.22), CVE-2026-40347 (slow preamble/epilogue handling, 0.0.26), CVE-2026-42561
  (unbounded part headers, 0.0.27), CVE-2026-53537/53538/53539 (RFC 2231 parameter and
  querystring smuggling, quadratic querystring parsing, 0.0.30), GHSA-v9pg-7xvm-68hf
  (negative Content-Length in ``parse_form``, 0.0.31; we do not call ``parse_form``).
  ``multipart`` had CVE-2026-28356 (ReDoS in ``parse_options_header``, fixed in 1.2.2/1.3.1).
* We import ``python_multipart``, never its ``multipart`` compatibility shim (which warns and
  clashes with defnull's package of the same import name).

Without python-multipart installed the core still imports; parsing a multipart body raises
``MultipartUnavailable`` (a ``RuntimeError``): the app logs it with its install hint and
answers 500, because a missing server dependency is the server's fault, not the client's.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from .._install import install_hint
from .datastructures import Headers, ImmutableMultiDict
from .exceptions import BadRequest, RequestEntityTooLarge
from .files import FileStorage

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_SPOOL_THRESHOLD",
    "MultipartReceiver",
    "MultipartUnavailable",
    "get_boundary",
    "parse_disposition",
    "parse_multipart",
    "skip_preamble",
]

#: Bytes of one upload (or of an ASGI body) kept in memory before it moves to a temp file.
DEFAULT_SPOOL_THRESHOLD = 500 * 1024
#: The size of the reads that feed the parser.
CHUNK_SIZE = 64 * 1024

_INSTALL_HINT = "Parsing multipart/form-data needs the python-multipart package: " + install_hint(
    "python-multipart>=0.0.31", "forms"
)
# RFC 2046 boundary characters; the parser itself caps the length at 256.
_BCHARS = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")


class MultipartUnavailable(RuntimeError):
    """python-multipart is not installed, so a multipart body cannot be parsed."""


def _library() -> ModuleType:
    try:
        from python_multipart import multipart
    except ImportError:
        raise MultipartUnavailable(_INSTALL_HINT) from None
    return multipart


def _decode(raw: bytes) -> str:
    # Browsers send non-ASCII names and filenames as raw UTF-8 inside the quotes.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def get_boundary(content_type: str | None) -> bytes:
    """The boundary of a multipart Content-Type; 400 when it is missing or invalid."""
    params: dict[bytes, bytes] = _library().parse_options_header(content_type or "")[1]
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadRequest("The multipart body has no boundary in its Content-Type header.")
    if len(boundary) > 70 or not _BCHARS.issuperset(boundary) or boundary.endswith(b" "):
        # (RFC 2046 §5.1.1: 1 to 70 characters of its set, not ending with a space)
        raise BadRequest("The multipart boundary in the Content-Type header is invalid.")
    return boundary


# One ``; name=value`` parameter: a token name (``*`` for RFC 2231 extended values), then a
# token or a quoted string. Linear: the alternatives inside the quotes never overlap.
_PARAM = re.compile(
    r"[ \t]*;[ \t]*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*"
    r'(?:"((?:[^"\\]|\\.)*)"|([^;" \t]*))[ \t]*',
    re.S,
)
_DISPOSITION_TYPE = re.compile(r"[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*")
_EXTENDED = re.compile(
    r"([A-Za-z0-9!#$&+^_`{}~-]+)'[A-Za-z0-9-]*'((?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+.^_`|~-])*)"
)
_UNQUOTE = re.compile(r"\\([\\\"])")


def parse_disposition(value: str) -> dict[str, str]:
    """The parameters of a part's Content-Disposition, as a browser reads them; 400 if unclear.

    Quoted values may hold ``;`` and ``\\"``; a backslash before anything else is kept (a
    Windows path as sent). An RFC 2231 ``name*=charset'lang'%xx`` value (UTF-8 or
    ISO-8859-1) wins over the plain ``name=``, as in browsers (RFC 6266 §4.3). A repeated
    parameter, an RFC 2231 continuation (``name*0=``), an unknown charset or a bad escape is
    refused: two readers could take different names from it.
    """
    head = _DISPOSITION_TYPE.match(value)
    if head is None:
        raise BadRequest("A multipart part has a malformed Content-Disposition header.")
    plain: dict[str, str] = {}
    extended: dict[str, str] = {}
    pos = head.end()
    while pos < len(value):
        match = _PARAM.match(value, pos)
        if match is None:
            raise BadRequest("A multipart part has a malformed Content-Disposition header.")
        pos = match.end()
        name, quoted, token = match.group(1).lower(), match.group(2), match.group(3)
        if name.endswith("*"):
            target, name, text = extended, name[:-1], _decode_extended(token or "")
        else:
            target, text = plain, token if quoted is None else _UNQUOTE.sub(r"\1", quoted)
        if name in target or "*" in name:
            raise BadRequest(f"A multipart part repeats or splits its {name!r} parameter.")
        target[name] = text
    return plain | extended


def _decode_extended(value: str) -> str:
    match = _EXTENDED.fullmatch(value)
    charset = match.group(1).lower() if match else ""
    if match is None or charset not in ("utf-8", "iso-8859-1"):
        raise BadRequest("A multipart part has an invalid RFC 2231 parameter value.")
    try:
        return unquote_to_bytes(match.group(2)).decode(charset)
    except UnicodeDecodeError:
        raise BadRequest("A multipart part has an invalid RFC 2231 parameter value.") from None


class MultipartReceiver:
    """Receives a multipart body in chunks; builds its fields and uploads within the limits."""

    def __init__(
        self,
        boundary: bytes,
        *,
        max_form_memory_size: int | None = 500_000,
        max_form_parts: int | None = 1000,
        spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
        charset: str = "utf-8",
    ) -> None:
        lib = self._lib = _library()
        self.max_form_memory_size = max_form_memory_size
        self.max_form_parts = max_form_parts
        self.spool_threshold = spool_threshold
        self.charset = charset
        self.fields: list[tuple[str, str]] = []
        self.files: list[tuple[str, FileStorage]] = []
        self.ended = False
        self.received = 0
        self._parts = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._name = ""
        self._field: bytearray | None = None
        self._field_charset = charset
        self._file: FileStorage | None = None
        self._error_type: type[Exception] = lib.FormParserError
        try:
            self._parser = lib.MultipartParser(
                boundary,
                callbacks={
                    "on_part_begin": self._on_part_begin,
                    "on_header_field": self._on_header_field,
                    "on_header_value": self._on_header_value,
                    "on_header_end": self._on_header_end,
                    "on_headers_finished": self._on_headers_finished,
                    "on_part_data": self._on_part_data,
                    "on_part_end": self._on_part_end,
                    "on_end": self._on_end,
                },
            )
        except self._error_type as error:
            raise BadRequest(f"The multipart boundary is invalid: {error}.") from None

    # Driving -----------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Parse the next chunk of the body (413 past a limit, 400 when malformed)."""
        self.received += len(data)
        try:
            self._parser.write(data)
        except self._error_type as error:
            message = str(error)
            if message.startswith("Maximum header"):
                raise RequestEntityTooLarge(
                    f"A multipart part has too many or too large headers ({message})."
                ) from None
            raise BadRequest(f"The multipart body is malformed: {message}.") from None

    def finish(self) -> None:
        """Check the body ended with its closing boundary (400 when it was cut short)."""
        if not self.ended:
            raise BadRequest("The multipart body ended before its closing boundary.")

    def close(self) -> None:
        """Close every upload received so far (after a failure)."""
        for _, storage in self.files:
            storage.close()
        if self._file is not None:
            self._file.close()
            self._file = None

    # Parser callbacks --------------------------------------------------------------------------

    def _on_part_begin(self) -> None:
        self._parts += 1
        limit = self.max_form_parts
        if limit is not None and self._parts > limit:
            raise RequestEntityTooLarge(
                f"The form has too many parts: more than {limit} (MAX_FORM_PARTS)."
            )
        self._headers = []

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers.append((bytes(self._header_name).lower(), bytes(self._header_value)))
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        lib = self._lib
        disposition = next((v for k, v in self._headers if k == b"content-disposition"), None)
        if disposition is None:
            raise BadRequest("A multipart part has no Content-Disposition header.")
        params = parse_disposition(_decode(disposition))
        name = params.get("name")
        if name is None:
            raise BadRequest("A multipart part has no field name in its Content-Disposition.")
        self._name = name
        filename = params.get("filename")
        if filename is None:
            content_type = next((v for k, v in self._headers if k == b"content-type"), b"")
            charset: bytes = lib.parse_options_header(content_type)[1].get(b"charset", b"")
            self._field_charset = charset.decode("latin-1") or self.charset
            self._field = bytearray()
            return
        headers = Headers._trusted(
            [(k.decode("latin-1").title(), _decode(v)) for k, v in self._headers], readonly=True
        )
        stream: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 -- see close()
            max_size=self.spool_threshold
        )
        self._file = FileStorage(stream, filename, self._name, headers=headers)

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        field = self._field
        if field is not None:
            field += data[start:end]
            limit = self.max_form_memory_size
            if limit is not None and len(field) > limit:
                raise RequestEntityTooLarge(
                    f"The form field {self._name!r} is larger than the configured limit "
                    f"({limit} bytes, MAX_FORM_MEMORY_SIZE)."
                )
        elif self._file is not None:
            self._file.stream.write(data[start:end])

    def _on_part_end(self) -> None:
        field = self._field
        if field is not None:
            try:
                value = field.decode(self._field_charset, "replace")
            except LookupError:  # an unknown charset named by the client
                value = field.decode(self.charset, "replace")
            self.fields.append((self._name, value))
            self._field = None
        elif self._file is not None:
            self._file.stream.seek(0)
            self.files.append((self._name, self._file))
            self._file = None

    def _on_end(self) -> None:
        self.ended = True


def _to_multidict(pairs: list[tuple[str, Any]]) -> ImmutableMultiDict:
    data: dict[str, list[Any]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    result: ImmutableMultiDict = ImmutableMultiDict._from_lists(data)
    return result


def skip_preamble(chunks: Iterable[bytes], boundary: bytes) -> Iterator[bytes]:
    """``chunks`` from the first delimiter line on: the preamble (RFC 2046 §5.1.1) is dropped.

    Each byte is searched once, and no more than a delimiter's length is kept between
    chunks, so megabytes of preamble cost linear time and constant memory. A non-empty body
    without any delimiter is a 400.
    """
    delimiter = b"--" + boundary
    keep = len(delimiter) + 1  # enough for a CRLF and a delimiter cut by a chunk edge
    iterator = iter(chunks)
    tail = b""
    seen = False
    for chunk in iterator:
        if not chunk:
            continue
        if not seen and chunk.startswith(delimiter):
            yield chunk
            break
        data = tail + chunk if seen else b"\r\n" + chunk  # the body's start is a line start
        seen = True
        found = data.find(b"\r\n" + delimiter)
        if found >= 0:
            yield data[found + 2 :]
            break
        tail = data[-keep:]
    else:
        if seen:
            raise BadRequest("The multipart body is malformed: it has no boundary delimiter.")
        return
    yield from iterator


def parse_multipart(
    chunks: Iterable[bytes],
    content_type: str | None,
    *,
    max_form_memory_size: int | None = 500_000,
    max_form_parts: int | None = 1000,
    spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
) -> tuple[ImmutableMultiDict, ImmutableMultiDict]:
    """Parse a multipart body given as chunks; return ``(form, files)``.

    An empty body gives two empty dicts. On any error every opened upload is closed.
    """
    boundary = get_boundary(content_type)
    receiver = MultipartReceiver(
        boundary,
        max_form_memory_size=max_form_memory_size,
        max_form_parts=max_form_parts,
        spool_threshold=spool_threshold,
    )
    try:
        for chunk in skip_preamble(chunks, boundary):
            if chunk and not receiver.ended:  # (the epilogue is read, not parsed)
                receiver.feed(chunk)
        if receiver.received:
            receiver.finish()
    except BaseException:
        receiver.close()
        raise
    return _to_multidict(receiver.fields), _to_multidict(receiver.files)
