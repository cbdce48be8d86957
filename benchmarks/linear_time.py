"""Time the parsers of ``tests/security/test_limits.py`` at n and 2n bytes, and report.

The tests check linear time by counting operations, which a busy machine cannot change;
this script shows what the clock says, for a person to read. Nothing is asserted: on a quiet
machine linear work shows ratios near 2, quadratic work near 4.

    .venv/bin/python -m benchmarks.linear_time            # best of 7 runs per size
    .venv/bin/python -m benchmarks.linear_time --runs 15
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

from tumbler.http.accept import MIMEAccept, parse_accept
from tumbler.http.cookies import parse_cookie
from tumbler.http.formparser import parse_multipart
from tumbler.http.ranges import parse_byte_range
from tumbler.http.request import json_too_deep
from tumbler.http.urls import parse_qsl_to_multidict

Make = Callable[[int], Callable[[], Any]]


def _cookies(n: int) -> Callable[[], Any]:
    header = "; ".join(f'c{i % 50}="\\101\\"x"' for i in range(n))
    return lambda: parse_cookie(header)


def _ranges(n: int) -> Callable[[], Any]:
    header = "bytes=" + ",".join(f"{i}-{i + 50}" for i in range(n))
    return lambda: parse_byte_range(header, 10**9)


def _accept(n: int) -> Callable[[], Any]:
    header = ",".join(f"type{i}/sub{i};q=0.{i % 9 + 1};level=1" for i in range(n))
    offers = ["application/json", "text/html", "image/png"]
    return lambda: parse_accept(header, MIMEAccept).best_match(offers)


def _multipart(n: int) -> Callable[[], Any]:
    boundary = "b" * 60
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"\r\n\r\n'.encode()
        + (b"\r\n--" + b"b" * 59 + b"x") * n
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = f"multipart/form-data; boundary={boundary}"
    return lambda: parse_multipart(iter([body]), content_type, max_form_memory_size=None)


CASES: list[tuple[str, Make, int]] = [
    ("query, one key repeated", lambda n: lambda: parse_qsl_to_multidict(b"a=1&" * n), 20_000),
    ("query, escapes", lambda n: lambda: parse_qsl_to_multidict(b"%41%zz=%e9&" * n), 10_000),
    ("cookies", _cookies, 5_000),
    ("ranges, overlapping", _ranges, 5_000),
    ("Accept + best_match", _accept, 3_000),
    ("JSON depth, deep", lambda n: lambda: json_too_deep(b"[" * n + b"]" * n, 64), 50_000),
    (
        "JSON depth, escaped quotes",
        lambda n: lambda: json_too_deep(b"[" * 70 + b'"' + b'\\"' * n, 64),
        50_000,
    ),
    ("multipart near-boundaries", _multipart, 2_000),
]


def best_of(func: Callable[[], Any], runs: int) -> float:
    """The shortest of ``runs`` timings of ``func()``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> None:
    """Print, for each parser, the time at n and 2n and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timings per size (best counts)")
    args = parser.parse_args(argv)
    print(f"{'input':<28} {'n':>7} {'t(n) ms':>9} {'t(2n) ms':>9} {'ratio':>6}")
    for name, make, size in CASES:
        small, large = make(size), make(2 * size)
        gc.collect()
        gc.disable()
        try:
            t_small = best_of(small, args.runs)
            t_large = best_of(large, args.runs)
        finally:
            gc.enable()
        ratio = t_large / t_small if t_small else float("nan")
        print(f"{name:<28} {size:>7} {t_small * 1e3:>9.3f} {t_large * 1e3:>9.3f} {ratio:>6.2f}")


if __name__ == "__main__":
    main()
