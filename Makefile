# gocua: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
PG_URL ?= $(GOCUA_TEST_POSTGRES_URL)

.PHONY: run build test test-sqlite test-postgres test-durability bench-sync openapi fmt lint ci clean

## Build and serve on the embedded SQLite file (gocua.db); migrations and units load themselves.
run:
	$(CARGO) run --bin gocua -- serve

build:
	$(CARGO) build --release

## Unit and integration tests on SQLite, and on PostgreSQL too when GOCUA_TEST_POSTGRES_URL is set.
test: test-sqlite
	@if [ -n "$(PG_URL)" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "GOCUA_TEST_POSTGRES_URL not set: PostgreSQL suite skipped (CI sets it)"; fi

# nextest runs each test in its own process (each on its own database); cargo test is the fallback.
RUNNER := $(shell if $(CARGO) nextest --version >/dev/null 2>&1; then echo "nextest run --no-fail-fast"; else echo "test"; fi)

test-sqlite:
	GOCUA_TEST_DATABASE=sqlite $(CARGO) $(RUNNER)

test-postgres:
	GOCUA_TEST_DATABASE=postgres GOCUA_TEST_POSTGRES_URL="$(PG_URL)" $(CARGO) $(RUNNER) --test api

## Kill -9 the real server under concurrent sync clients, restart, and check nothing acknowledged
## was lost or doubled (SQLite, and PostgreSQL when GOCUA_TEST_POSTGRES_URL is set).
test-durability:
	$(CARGO) build --bin gocua
	python3 scripts/durability.py --binary target/debug/gocua --backend sqlite
	@if [ -n "$(PG_URL)" ]; then GOCUA_TEST_POSTGRES_URL="$(PG_URL)" python3 scripts/durability.py --binary target/debug/gocua --backend postgres; \
	else echo "GOCUA_TEST_POSTGRES_URL not set: PostgreSQL durability run skipped (CI sets it)"; fi

## Records/s of 1,000-record sync batches on a release build; results in bench/results/.
bench-sync:
	$(CARGO) build --release --bin gocua
	python3 scripts/sync_bench.py --binary target/release/gocua --backend sqlite
	@if [ -n "$(PG_URL)" ]; then GOCUA_TEST_POSTGRES_URL="$(PG_URL)" python3 scripts/sync_bench.py --binary target/release/gocua --backend postgres; fi

## Rewrite openapi/openapi.json from the code (a test fails when they differ).
openapi:
	$(CARGO) run -q --bin gocua -- openapi > openapi/openapi.json

fmt:
	$(CARGO) fmt

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

ci:
	bash .ci/run

clean:
	$(CARGO) clean
