# Benchmark targets (issue 3). Other targets (test, ...) belong to others and are added by
# the lead; keep these two as they are.
#
#   make bench        the whole suite, ~15 min: in-process, memory, wrk, profile;
#                     writes benchmarks/results/latest.{json,md,png} and refreshes
#                     docs/performance.md. Extra options: make bench BENCH_ARGS="--no-http"
#   make bench-smoke  checks every framework answers every scenario correctly (CI); no timings

VENV ?= .venv
PYTHON := $(VENV)/bin/python
BENCH_ARGS ?=

.PHONY: bench bench-smoke bench-deps

$(PYTHON):
	python3 -m venv $(VENV)

bench-deps: $(PYTHON)
	$(PYTHON) -m pip install --quiet -e '.[bench]'

bench: bench-deps
	$(PYTHON) -m benchmarks --docs $(BENCH_ARGS)

bench-smoke: bench-deps
	$(PYTHON) -m benchmarks --smoke $(BENCH_ARGS)
