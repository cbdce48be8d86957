"""The multipart receiver as a pure function: chunks in, fields and uploads out."""

from __future__ import annotations

import pytest

from tumbler.http.exceptions import BadRequest, RequestEntityTooLarge
from tumbler.http.files import FileStorage
from tumbler.http.formparser import MultipartReceiver, get_boundary, parse_multipart
from tumbler.testing import encode_multipart

CT = "multipart/form-data; boundary=bnd"
BODY = (
    b"--bnd\r\n"
    b'Content-Disposition: form-data; name="a"\r\n\r\n'
    b"1\r\n"
    b"--bnd\r\n"
    b'Content-Disposition: form-data; name="f"; filename="x.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
    b"line one\r\nline two\r\n"
    b"--bnd--\r\n"
    b"epilogue to ignore"
)


@pytest.mark.parametrize("size", [1, 2, 7, 64, len(BODY)])
def test_any_chunking_gives_the_same_result(size: int) -> None:
    chunks = [BODY[i : i + size] for i in range(0, len(BODY), size)]
    form, files = parse_multipart(chunks, CT)
    try:
        assert form.to_dict(flat=False) == {"a": ["1"]}
        upload: FileStorage = files["f"]
        assert (upload.name, upload.filename, upload.mimetype) == ("f", "x.txt", "text/plain")
        assert upload.read() == b"line one\r\nline two"
    finally:
        for _, f in files.items(multi=True):
            f.close()


def test_get_boundary() -> None:
    assert get_boundary('multipart/form-data; boundary="a b=c"') == b"a b=c"
    assert get_boundary("multipart/form-data; charset=utf-8; BOUNDARY=xyz") == b"xyz"
    for bad in (
        None,
        "multipart/form-data",
        "multipart/form-data; boundary=\x7f",
        'x; boundary="a "',
    ):
        with pytest.raises(BadRequest):
            get_boundary(bad)


def test_a_preamble_is_skipped() -> None:
    """RFC 2046 allows text before the first delimiter line; it is dropped, not parsed."""
    form, files = parse_multipart([b"preamble --bnd\r\n" + BODY], CT)
    files["f"].close()
    assert form.to_dict() == {"a": "1"}
    with pytest.raises(BadRequest, match="malformed: it has no boundary delimiter"):
        parse_multipart([b"preamble without a delimiter\r\n"], CT)


def test_empty_body_gives_empty_dicts() -> None:
    form, files = parse_multipart([b""], CT)
    assert not form and not files


def test_limits_are_checked_while_streaming() -> None:
    receiver = MultipartReceiver(b"bnd", max_form_memory_size=3)
    receiver.feed(b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\n123')
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_MEMORY_SIZE"):
        receiver.feed(b"4")
    receiver = MultipartReceiver(b"bnd", max_form_parts=1)
    receiver.feed(b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n')
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_PARTS"):
        receiver.feed(b"--bnd\r\n")


def test_no_limits() -> None:
    pairs = [(f"k{i}", "v" * 1000) for i in range(50)]
    raw, content_type = encode_multipart(pairs)
    form, _ = parse_multipart([raw], content_type, max_form_memory_size=None, max_form_parts=None)
    assert len(form) == 50 and form["k49"] == "v" * 1000


def test_uploads_are_closed_when_parsing_fails() -> None:
    head = b'--bnd\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\ndata\r\n'
    opened: list[FileStorage] = []
    receiver = MultipartReceiver(b"bnd", spool_threshold=1)
    receiver.feed(head)
    receiver.feed(b'--bnd\r\nContent-Disposition: form-data; name="g"; filename="b"\r\n\r\nxx')
    opened = [f for _, f in receiver.files] + ([receiver._file] if receiver._file else [])
    assert len(opened) == 2
    with pytest.raises(BadRequest, match="closing boundary"):
        receiver.finish()
    receiver.close()
    assert all(f.closed for f in opened)


def test_parse_multipart_closes_uploads_on_error() -> None:
    opened: list[FileStorage] = []

    def chunks() -> object:
        yield b'--bnd\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nd\r\n'
        yield b"--bnd\r\nbroken\r\n\r\n"

    class Spy(MultipartReceiver):
        def close(self) -> None:
            opened.extend(f for _, f in self.files)
            super().close()

    import tumbler.http.formparser as formparser

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(formparser, "MultipartReceiver", Spy)
        with pytest.raises(BadRequest, match="malformed"):
            parse_multipart(chunks(), CT)  # type: ignore[arg-type]
    assert len(opened) == 1 and opened[0].closed


def test_file_storage_standalone() -> None:
    storage = FileStorage(filename="a.csv", name="up", content_type="text/csv; charset=utf-8")
    storage.stream.write(b"x,y\n1,2\n")
    storage.seek(0)
    assert storage.mimetype == "text/csv"
    assert storage.mimetype_params == {"charset": "utf-8"}
    assert list(storage) == [b"x,y\n", b"1,2\n"]
    assert bool(storage) and repr(storage) == "<FileStorage: 'a.csv' ('text/csv; charset=utf-8')>"
    with storage:
        assert not storage.closed
    assert storage.closed
