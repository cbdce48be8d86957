"""tumbler's benchmark suite: tumbler against its peers, in-process and over HTTP.

Run it with ``make bench`` (everything) or ``make bench-smoke`` (answers only); see
``benchmarks/README.md`` and ``docs/performance.md``.
"""
