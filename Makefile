# edge-avs: every target sets up what it needs (venv from pinned versions, npm ci from the lock).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
PYTEST_ARGS ?=

.PHONY: all demo test test-unit lint generate check-generated bench chaos setup clean

all: test

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/venv: requirements/lock.txt pyproject.toml | $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(STAMPS)/npm: contracts/package-lock.json contracts/package.json | $(STAMPS)
	cd contracts && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMPS)/venv $(STAMPS)/npm
	@mkdir -p out

demo: setup
	$(BIN)/avs devnet up --summary-json out/demo-summary.json

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-unit: setup
	$(BIN)/python -m pytest -q tests/unit $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy avs operator/avs_operator aggregator/avs_aggregator tests benchmarks

generate: setup
	$(BIN)/python tools/generate.py
	$(BIN)/python tools/gen_docs.py

check-generated: generate
	git diff --exit-code -- avs/chain/artifacts avs/rpc/v1 || \
	  (echo "generated code is stale: run 'make generate' and commit the result" >&2; exit 1)
	@test -z "$$(git status --porcelain -- avs/chain/artifacts avs/rpc/v1)" || \
	  (echo "generated files not committed:" >&2; git status --porcelain -- avs/chain/artifacts avs/rpc/v1 >&2; exit 1)

bench: setup
	@mkdir -p out
	$(BIN)/python benchmarks/bls.py --json | tee out/bench-bls.json
	$(BIN)/python benchmarks/aggregator.py --json | tee out/bench-aggregator.json
	AVS_BIGINT=python $(BIN)/python benchmarks/bls.py --json | tee out/bench-bls-python.json
	AVS_BIGINT=python $(BIN)/python benchmarks/aggregator.py --json | tee out/bench-aggregator-python.json
	$(BIN)/python benchmarks/operator.py --json | tee out/bench-operator.json
	$(BIN)/python benchmarks/intake.py --json | tee out/bench-intake.json
	$(BIN)/python benchmarks/gas.py --json | tee out/bench-gas.json
	$(BIN)/python benchmarks/load.py --operators 16,64,200 --tasks 20 --json | tee out/bench-load.json
	$(BIN)/python benchmarks/readme_table.py

chaos: setup
	@mkdir -p out
	$(BIN)/python benchmarks/chaos.py --scenario all --json | tee out/chaos.json

clean:
	rm -rf $(STAMPS) $(VENV) contracts/node_modules .mypy_cache .ruff_cache
