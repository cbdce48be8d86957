# Benchmark targets (issues 3 and 17). Other targets (test, ...) belong to others and are
# added by the lead; keep these as they are.
#
#   make bench           the whole in-process suite, ~15 min: in-process, memory, wrk, profile;
#                        writes benchmarks/results/latest.{json,md,png} and refreshes
#                        docs/performance.md. Extra options: make bench BENCH_ARGS="--no-http"
#   make bench-smoke     checks every framework answers every scenario correctly (CI); no timings
#   make bench-db        TechEmpower's test types against a private PostgreSQL under gunicorn,
#                        granian, uvicorn (~20 min): writes benchmarks/results/realwork.*
#                        and refreshes the real-work section of docs/performance.md.
#                        Options: make bench-db BENCH_DB_ARGS="--apps tumbler,flask --rounds 5"
#   make bench-db-smoke  checks every real-work app's answers against the database (CI)
#
# bench-db needs PostgreSQL, wrk and taskset from Debian: make bench-db-deps installs the
# missing ones (apt-get, as root).

VENV ?= .venv
PYTHON := $(VENV)/bin/python
BENCH_ARGS ?=
BENCH_DB_ARGS ?=

.PHONY: bench bench-smoke bench-deps bench-db bench-db-smoke bench-db-deps

$(PYTHON):
	python3 -m venv $(VENV)

bench-deps: $(PYTHON)
	$(PYTHON) -m pip install --quiet -e '.[bench]'

bench: bench-deps
	$(PYTHON) -m benchmarks --docs $(BENCH_ARGS)

bench-smoke: bench-deps
	$(PYTHON) -m benchmarks --smoke $(BENCH_ARGS)

bench-db-deps: bench-deps
	benchmarks/realwork/debian-deps.sh

bench-db: bench-db-deps
	$(PYTHON) -m benchmarks.realwork --docs $(BENCH_DB_ARGS)

bench-db-smoke: bench-db-deps
	$(PYTHON) -m benchmarks.realwork --smoke $(BENCH_DB_ARGS)
