"""Rule 11: random cookies, queries, headers, multipart and JSON bodies through both adapters.

Every answer must be well-formed (checked by ``call_wsgi``/``call_asgi``), never a 500, and no
exception may escape an adapter. Derandomized with a fixed example count, so CI is
deterministic.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.security.conftest import SPLITS, Raw, call_asgi, call_wsgi

from tumbler import Tumbler, request, session

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _make_app() -> Tumbler:
    app = Tumbler(__name__)
    app.secret_key = "f" * 32

    @app.route("/", methods=["GET", "POST", "PUT"])
    def index() -> Any:
        out: dict[str, Any] = {
            "args": request.args.to_dict(flat=False),
            "cookies": request.cookies,
            "session": dict(session),
            "accept": request.accept_mimetypes.best_match(["text/html", "application/json"]),
            "lang": request.accept_languages.best_match(["en", "fr-CH"]),
            "ua": request.user_agent,
            "length": request.content_length,
            "url": request.url,
        }
        if request.method != "GET":
            if request.is_json:
                out["json"] = request.get_json()
            else:
                out["form"] = request.form.to_dict(flat=False)
                out["files"] = [f.filename for f in request.files.getlist("f")]
        return out

    return app


APP = _make_app()

raw_bytes = st.binary(max_size=300)
text_bytes = st.text(max_size=80).map(lambda s: s.encode("utf-8"))
header_value = st.one_of(raw_bytes, text_bytes).map(
    lambda b: b.replace(b"\r", b"").replace(b"\n", b"")  # servers never pass a raw CR/LF
)
token = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20).map(str.encode)


def _send_both(raw: Raw) -> None:
    results = [call_wsgi(APP.wsgi_app, raw.environ())]
    for split in SPLITS if raw.body else ("one",):
        results.append(call_asgi(APP.asgi_app, raw.scope(), raw.body, split=split))
    for result in results:
        assert result.status != 500 and result.status < 500, (raw, result.body[:500])
        assert 200 <= result.status < 500
    assert len({r.status for r in results}) == 1, [r.status for r in results]


@FUZZ
@given(cookie=header_value, query=raw_bytes)
def test_fuzz_cookies_and_queries(cookie: bytes, query: bytes) -> None:
    """Any Cookie header and any query string bytes."""
    query = query.replace(b"#", b"").replace(b" ", b"%20")
    _send_both(Raw(query=query, headers=[(b"cookie", cookie)]))


@FUZZ
@given(headers=st.lists(st.tuples(token, header_value), max_size=12), host=header_value)
def test_fuzz_headers(headers: list[tuple[bytes, bytes]], host: bytes) -> None:
    """Any header names and values, including Host, Accept and Content-Length."""
    _send_both(Raw(headers=headers, host=host or None))


@FUZZ
@given(
    accept=st.lists(
        st.tuples(
            st.sampled_from(["text/html", "*/*", "application/*", "a/b", "x", ""]),
            st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=5)),
        ),
        max_size=30,
    )
)
def test_fuzz_accept(accept: list[tuple[str, Any]]) -> None:
    """Accept headers with odd qualities."""
    value = ",".join(v if q is None else f"{v};q={q}" for v, q in accept)
    _send_both(
        Raw(
            headers=[
                (b"accept", value.encode("utf-8")),
                (b"accept-language", value.encode("utf-8")),
            ]
        )
    )


# JSON values only: json.dumps writes infinity as "Infinity", which is not JSON. Echoing it
# back is a ValueError (JSON output never holds it); what a request carrying it gets is a
# rule of its own, with its own tests.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers()
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)


@FUZZ
@given(
    body=st.one_of(json_values.map(lambda v: json.dumps(v).encode()), raw_bytes),
    content_type=st.sampled_from(
        [
            b"application/json",
            b"application/x-www-form-urlencoded",
            b"text/plain",
            b"application/problem+json",
            b"",
        ]
    ),
)
def test_fuzz_bodies(body: bytes, content_type: bytes) -> None:
    """JSON, urlencoded and junk bodies under several content types."""
    headers = [(b"content-length", str(len(body)).encode())]
    if content_type:
        headers.append((b"content-type", content_type))
    _send_both(Raw("POST", headers=headers, body=body))


part = st.tuples(
    st.text(max_size=10),
    st.one_of(st.none(), st.text(max_size=10)),
    raw_bytes,
    st.sampled_from([b"", b"Content-Type: text/plain\r\n", b"X: \xff\r\n", b"junk\r\n"]),
)


@FUZZ
@given(
    parts=st.lists(part, max_size=5),
    boundary=st.sampled_from(["XyZ", "a" * 70, "--==b"]),
    tail=st.sampled_from([b"--\r\n", b"--", b"", b"\r\n"]),
    garbage=raw_bytes,
)
def test_fuzz_multipart(
    parts: list[tuple[str, str | None, bytes, bytes]], boundary: str, tail: bytes, garbage: bytes
) -> None:
    """Multipart bodies with odd names, filenames, headers, data and endings."""
    b = boundary.encode()
    body = garbage[:20]
    for name, filename, data, extra in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += (
            b"--"
            + b
            + b"\r\nContent-Disposition: "
            + disposition.encode("utf-8", "replace")
            + b"\r\n"
            + extra
            + b"\r\n"
            + data
            + b"\r\n"
        )
    body += b"--" + b + tail
    headers = [
        (b"content-type", b"multipart/form-data; boundary=" + b),
        (b"content-length", str(len(body)).encode()),
    ]
    _send_both(Raw("PUT", headers=headers, body=body))
