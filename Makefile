# gocua: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
PG_URL ?= $(GOCUA_TEST_POSTGRES_URL)

# The demo database (make demo).
DEMO_DB ?= gocua-demo.db

.PHONY: bench run demo build test test-sqlite test-postgres test-durability test-nodes test-outage test-schema lint-spec test-e2e fuzz bench-sync bench-webhooks bench-stats bench-households openapi fmt lint ci clean

## Build and serve on the embedded SQLite file (gocua.db); migrations and units load themselves.
run:
	$(CARGO) run --bin gocua -- serve

## Seed a fresh demo database (Hà Nội, three wards, 30 days of records, a campaign), print the
## logins and serve it.
demo:
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).keys
	GOCUA_DATABASE_URL=sqlite://$(DEMO_DB) $(CARGO) run -q --bin gocua -- seed-demo
	GOCUA_DATABASE_URL=sqlite://$(DEMO_DB) $(CARGO) run -q --bin gocua -- serve

build:
	$(CARGO) build --release

## Unit and integration tests on SQLite, and on PostgreSQL too when GOCUA_TEST_POSTGRES_URL is set.
test: test-sqlite
	@if [ -n "$(PG_URL)" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "GOCUA_TEST_POSTGRES_URL not set: PostgreSQL suite skipped (CI sets it)"; fi

# nextest runs each test in its own process (each on its own database); cargo test is the fallback.
# The suites below build the server with `--tests`: dev-dependencies then unify features as
# in the test build, so after `make test` the binary is already built instead of rebuilt
# with half the dependency tree (two minutes of a cold CI run).
RUNNER := $(shell if $(CARGO) nextest --version >/dev/null 2>&1; then echo "nextest run --no-fail-fast"; else echo "test"; fi)

test-sqlite:
	GOCUA_TEST_DATABASE=sqlite $(CARGO) $(RUNNER)

test-postgres:
	GOCUA_TEST_DATABASE=postgres GOCUA_TEST_POSTGRES_URL="$(PG_URL)" $(CARGO) $(RUNNER) --test api

## Kill -9 the real server under concurrent sync clients and while a slow webhook receiver
## drains the outbox, restart, and check nothing acknowledged was lost or doubled and every
## record.created arrived (SQLite, and PostgreSQL when GOCUA_TEST_POSTGRES_URL is set).
test-durability:
	$(CARGO) build --bin gocua --tests
	python3 scripts/durability.py --binary target/debug/gocua --backend sqlite
	@if [ -n "$(PG_URL)" ]; then GOCUA_TEST_POSTGRES_URL="$(PG_URL)" python3 scripts/durability.py --binary target/debug/gocua --backend postgres; \
	else echo "GOCUA_TEST_POSTGRES_URL not set: PostgreSQL durability run skipped (CI sets it)"; fi

## Two gocua processes on one PostgreSQL: a shared login throttle, refresh-token reuse caught
## across nodes, and the same record sent to both at once stored once (one 201, one 200).
test-nodes:
	$(CARGO) build --bin gocua --tests
	GOCUA_TEST_POSTGRES_URL="$(BENCH_PG_URL)" python3 scripts/two_nodes.py --binary target/debug/gocua

## Take the database away under load (SQLite: another process holds the write lock;
## PostgreSQL: a proxy cuts every connection) and bring it back: only 2xx or 503 with
## Retry-After, nothing hangs, service resumes without a restart, nothing acknowledged is lost.
test-outage:
	$(CARGO) build --bin gocua --tests
	python3 scripts/outage.py --binary target/debug/gocua --backend sqlite
	@if [ -n "$(PG_URL)" ]; then GOCUA_TEST_POSTGRES_URL="$(PG_URL)" python3 scripts/outage.py --binary target/debug/gocua --backend postgres; \
	else echo "GOCUA_TEST_POSTGRES_URL not set: PostgreSQL outage run skipped (CI sets it)"; fi

## Schemathesis (from PyPI, installed when missing) against the served spec, every check on,
## as a volunteer, a commune and a province supervisor and an admin; EXAMPLES bounds the
## examples per operation and phase.
SCHEMATHESIS_VERSION := 4.32.5
EXAMPLES ?= 20
test-schema:
	@st --version 2>/dev/null | grep -q "$(SCHEMATHESIS_VERSION)" || python3 -m pip install -q --disable-pip-version-check "schemathesis==$(SCHEMATHESIS_VERSION)"
	$(CARGO) build --bin gocua --tests
	python3 scripts/schemathesis_run.py --binary target/debug/gocua --max-examples $(EXAMPLES)

## redocly's recommended rules over the committed spec, 0 errors (installs @redocly/cli from npm
## into scripts/redocly when missing; no telemetry, no update check).
lint-spec:
	cd scripts/redocly && npm ci --no-audit --no-fund --loglevel=error
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true scripts/redocly/node_modules/.bin/redocly lint openapi/openapi.json --format=stylish

## The supervisor page in Debian's headless Chromium against a demo server (installs chromium
## with apt and playwright-core from npm when missing); screenshots go to docs/screenshots/.
test-e2e:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	cd e2e && npm ci --no-audit --no-fund --loglevel=error
	$(CARGO) build --bin gocua --tests
	cd e2e && GOCUA_BIN=target/debug/gocua node --test supervisor.test.mjs

## cargo-fuzz targets (fuzz/: record and sync decoding and validation, the citizen-number
## and phone normalisers, the JWT check), FUZZ_SECONDS each; installs cargo-fuzz when missing.
## The toolchain is stable, so RUSTC_BOOTSTRAP=1 lets it take the sanitizer flags.
FUZZ_SECONDS ?= 180
FUZZ_TARGETS ?= record sync citizen_id phone jwt
fuzz:
	@$(CARGO) fuzz --version >/dev/null 2>&1 || $(CARGO) install -q --locked cargo-fuzz@0.13.2
	for target in $(FUZZ_TARGETS); do \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$target -- -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -rss_limit_mb=1024 || exit 1; \
	done

## The API next to the database's own rate (single creates with wrk and pgbench or a sqlite3
## harness, batch sync against multi-row INSERTs, a login flood, peak RSS); installs wrk when
## missing; results in bench/results/api-vs-native-<database>.txt; then bench-webhooks.
bench:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(CARGO) build --release --bin gocua
	python3 scripts/api_vs_native.py --binary target/release/gocua --backend sqlite
	GOCUA_TEST_POSTGRES_URL="$(BENCH_PG_URL)" python3 scripts/api_vs_native.py --binary target/release/gocua --backend postgres
	$(MAKE) --no-print-directory bench-webhooks
	$(MAKE) --no-print-directory bench-households

## Webhook deliveries per second (one webhook, four) and commit-to-delivery p50/p95 to a
## local receiver; results in bench/results/webhooks-<database>.txt.
bench-webhooks:
	$(CARGO) build --release --bin gocua
	python3 scripts/webhook_bench.py --binary target/release/gocua --backend sqlite
	GOCUA_TEST_POSTGRES_URL="$(BENCH_PG_URL)" python3 scripts/webhook_bench.py --binary target/release/gocua --backend postgres

## Records/s of 1,000-record sync batches on a release build; results in bench/results/.
bench-sync:
	$(CARGO) build --release --bin gocua
	python3 scripts/sync_bench.py --binary target/release/gocua --backend sqlite
	@if [ -n "$(PG_URL)" ]; then GOCUA_TEST_POSTGRES_URL="$(PG_URL)" python3 scripts/sync_bench.py --binary target/release/gocua --backend postgres; fi

## Province summary and breakdown p50/p95 at 10 million records (RECORDS=…) while visits keep
## arriving, next to the plain GROUP BY; seeds bench/data/ (SQLite) and the PostgreSQL database
## gocua_bench_stats once (~15 min each), then reuses them. Results in bench/results/.
RECORDS ?= 10000000
BENCH_PG_URL ?= $(if $(PG_URL),$(PG_URL),postgres://postgres@127.0.0.1:5432/test)
bench-stats:
	$(CARGO) build --release --bin gocua
	python3 scripts/stats_bench.py --binary target/release/gocua --backend sqlite --records $(RECORDS)
	python3 scripts/stats_bench.py --binary target/release/gocua --backend postgres --records $(RECORDS) --pg-admin "$(BENCH_PG_URL)"

## A province's stats/households p50/p95 at a million households (today and a month ago)
## while visits keep arriving, and a team's first sync/households of ~2,000; seeds
## bench/data/households.db and the PostgreSQL database gocua_bench_households once.
HOUSEHOLDS ?= 1000000
bench-households:
	$(CARGO) build --release --bin gocua
	python3 scripts/households_bench.py --binary target/release/gocua --backend sqlite --households $(HOUSEHOLDS)
	python3 scripts/households_bench.py --binary target/release/gocua --backend postgres --households $(HOUSEHOLDS) --pg-admin "$(BENCH_PG_URL)"

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
