# Entry points for people and CI. The real work is in CMake (CMakePresets.json) and scripts/.
#
#   make run               install deps, build release and the web app, run the stack in the
#                          foreground (Ctrl-C stops); the app is at http://127.0.0.1:8080/, the
#                          API docs at /docs
#   make up / make down    the same stack in the background / stop it
#                          (BANK_BUILD_DIR=build/dev make up: use that build; build only the
#                          web app)
#   make build             release build only
#   make web               build the web app and API docs (web/, npm) into web/dist/
#   make test              unit tests (ctest, vitest), integration tests (node) and browser
#                          tests (Chromium) on the dev build, or on the ci build (warnings as
#                          errors) when CI=true, which also compiles everything with clang 14
#                          (the fuzz preset) and fuzzes each target for FUZZ_CI_SECONDS=10 s
#   make test-unit         ctest only             make test-integration   node tests only
#   make test-web          the web app's unit tests (vitest)
#   make test-e2e          the browser tests: the web app and /docs in Chromium on the real stack
#   make screenshots       retake docs/images/*.png (the README's pictures) from the real app
#   make fuzz              build the libFuzzer targets (fuzz/, clang 14, ASan + UBSan) and run
#                          each for FUZZ_SECONDS=60 s on a copy of its seed corpus; crashes are
#                          kept under build/fuzz/fuzz/artifacts/ (FUZZ_TARGETS="amount form"
#                          runs only those; see fuzz/README.md)
#   make audit             check the running stack's ledger (bank-audit; exit 1 on a violation)
#   make chaos             fault test on the release build: clients move money while Redis, the
#                          services and NGINX are killed and paused; exit 1 on a violation
#                          (CHAOS_DURATION=60 s, CHAOS_ACCOUNTS=50, CHAOS_CLIENTS=16, CHAOS_SEED);
#                          make test runs 20 s of it on the test build
#   make bench             the end-to-end benchmark on the release build: seeds users, drives load
#                          through the gateway with wrk, measures the ceilings in the same run,
#                          audits the ledger, prints pass/fail per target and writes
#                          bench/results/ (BENCH_USERS=10000, BENCH_DURATION=10 s per run,
#                          BENCH_CONNECTIONS=128, BENCH_SOAK=1 adds the 5-minute memory soak);
#                          see docs/benchmarks.md
#   make bench-micro       Google Benchmark micro-benchmarks of the hot pieces (release build)
#   make test-deploy       offline checks of compose.yaml and deploy/k8s: yamllint, each overlay
#                          rendered (kubectl kustomize) and validated against the Kubernetes
#                          schemas, cross-object rules, broken fixtures caught
#   make test-containers   build every image with podman (Containerfile) and smoke-test the bank
#                          running from them: the API walk-through through the gateway container
#   make clean             remove build/ (the data in var/ is kept: keys, Redis data)
#
# Ports, data dir and the rest come from the environment: see scripts/lib.sh.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Two cores are shared with other builds: never more than two compile jobs unless asked.
JOBS ?= 2
RELEASE_PRESET := release
TEST_PRESET := $(if $(filter true,$(CI)),ci,dev)
TEST_BUILD_DIR := build/$(TEST_PRESET)

.PHONY: help deps build web run up down test test-unit test-integration test-web test-e2e screenshots \
	build-test lint fuzz audit chaos bench bench-micro clean

help:
	@sed -n '3,/^[^#]/s/^# \{0,1\}//p' Makefile

deps:
	scripts/install-deps.sh

build: deps
	cmake --preset $(RELEASE_PRESET)
	cmake --build --preset $(RELEASE_PRESET) -j $(JOBS)

# The web app and the API docs page (web/: React, Swagger UI, Vite) as static files in
# web/dist/, which the gateway serves (scripts/lib.sh picks web/dist when it is built). npm ci
# runs when node_modules is missing or older than the lock file; the build runs when a source,
# the lock file or the OpenAPI document (copied into the build) is newer than the last build.
WEB_SOURCES := $(shell find web/src web/public web/docs -type f 2>/dev/null) web/index.html \
	web/vite.config.ts web/tsconfig.json web/package.json openapi/openapi.json

# Vite 8 runs on Node.js 20.19 or later.
WEB_NODE_CHECK := const [major, minor] = process.versions.node.split(".").map(Number); \
	process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)

web: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json
	@command -v npm >/dev/null || { echo "make web: npm is missing; install Node.js 20.19 or later with npm" >&2; exit 1; }
	@node -e '$(WEB_NODE_CHECK)' || \
		{ echo "make web: Vite needs Node.js 20.19 or later (found $$(node --version))" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

# With BANK_BUILD_DIR set (e.g. build/dev), run and up use those binaries as they are and build
# no C++; otherwise they build the release preset first. Both build the web app.
STACK_BUILD := $(if $(BANK_BUILD_DIR),deps,build)

run: $(STACK_BUILD) web
	BANK_BUILD_DIR="$${BANK_BUILD_DIR:-build/$(RELEASE_PRESET)}" scripts/run.sh

up: $(STACK_BUILD) web
	BANK_BUILD_DIR="$${BANK_BUILD_DIR:-build/$(RELEASE_PRESET)}" scripts/up.sh

down:
	scripts/down.sh

build-test: deps
	cmake --preset $(TEST_PRESET)
	cmake --build --preset $(TEST_PRESET) -j $(JOBS)

# Every suite runs even when an earlier one fails, so one CI run reports every failure.
test: build-test web
	status=0; \
	ctest --preset $(TEST_PRESET) --output-on-failure -j $(JOBS) || status=1; \
	BANK_BUILD_DIR="$(CURDIR)/$(TEST_BUILD_DIR)" node --test tests/integration/ || status=1; \
	(cd web && npm test) || status=1; \
	BANK_BUILD_DIR="$(CURDIR)/$(TEST_BUILD_DIR)" node --test tests/e2e/ || status=1; \
	node --test tests/chaos/ || status=1; \
	echo "make test: a $(CHAOS_SHORT_DURATION) s chaos run"; \
	$(CHAOS_SETTINGS) CHAOS_DURATION=$(CHAOS_SHORT_DURATION) \
		BANK_BUILD_DIR="$(CURDIR)/$(TEST_BUILD_DIR)" node tests/chaos/chaos.mjs || status=1; \
	if [[ "$(CI)" == true ]]; then \
		echo "make test: building everything with clang 14, ASan + UBSan and libFuzzer (warnings as errors)"; \
		{ cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j $(JOBS); } || status=1; \
		echo "make test: fuzzing each target for $(FUZZ_CI_SECONDS) s"; \
		fuzz/run.sh build/fuzz $(FUZZ_CI_SECONDS) || status=1; \
	fi; \
	if [[ $$status -ne 0 ]]; then echo "make test: FAILED (see above)" >&2; fi; \
	exit $$status

test-unit: build-test
	ctest --preset $(TEST_PRESET) --output-on-failure -j $(JOBS)

# The gateway tests need the web build: it holds the OpenAPI document served at /api/openapi.json.
test-integration: build-test web
	BANK_BUILD_DIR="$(CURDIR)/$(TEST_BUILD_DIR)" node --test tests/integration/

test-web: web/node_modules/.package-lock.json
	cd web && npm test

# Failing pages are saved as screenshots under tests/e2e/output/ (the paths are printed).
test-e2e: build-test web
	BANK_BUILD_DIR="$(CURDIR)/$(TEST_BUILD_DIR)" node --test tests/e2e/

# The README's pictures, from the real stack (the test build unless BANK_BUILD_DIR is set).
screenshots: web
	BANK_BUILD_DIR="$${BANK_BUILD_DIR:-$(TEST_BUILD_DIR)}" node tests/e2e/screenshots.mjs

lint:
	shellcheck -x -P SCRIPTDIR scripts/*.sh .ci/run fuzz/run.sh

# The fuzz targets (fuzz/): the fuzz preset builds them (and, in make test with CI=true, every
# other target too, which is the clang 14 build CI needs anyway); fuzz/run.sh runs each on a copy
# of its corpus, so the committed corpus only grows when a seed is added on purpose.
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS ?= 10
FUZZ_TARGETS ?=

fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS) --target bank_fuzzers
	fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# bank-audit from the release build (or $BANK_BUILD_DIR) against the stack's Redis, as the
# read-only Redis user "audit" (redis/users.acl.template): the URL is built like scripts/lib.sh's
# bank_redis_url unless BANK_REDIS_URL is given. Builds nothing.
audit:
	@audit="$${BANK_BUILD_DIR:-build/$(RELEASE_PRESET)}/tools/audit/bank-audit"; \
	[[ -x "$$audit" ]] || { echo "make audit: $$audit is missing; build it first" >&2; exit 2; }; \
	if [[ -z "$${BANK_REDIS_URL:-}" ]]; then \
		password_file="$${BANK_DATA_DIR:-var}/keys/redis-audit-password"; \
		[[ -r "$$password_file" ]] || { echo "make audit: no $$password_file; is the stack up?" >&2; exit 2; }; \
		BANK_REDIS_URL="redis://audit:$$(<"$$password_file")@127.0.0.1:$${BANK_REDIS_PORT:-6390}/0"; \
	fi; \
	BANK_REDIS_URL="$$BANK_REDIS_URL" "$$audit"

# The fault test (tests/chaos/chaos.mjs, docs/ledger.md "Chaos test"): the release build unless
# BANK_BUILD_DIR is set. make test runs it for CHAOS_SHORT_DURATION seconds on the test build.
CHAOS_DURATION ?= 60
CHAOS_ACCOUNTS ?= 50
CHAOS_CLIENTS ?= 16
CHAOS_SHORT_DURATION ?= 20
CHAOS_SETTINGS = CHAOS_ACCOUNTS=$(CHAOS_ACCOUNTS) CHAOS_CLIENTS=$(CHAOS_CLIENTS)

chaos: $(STACK_BUILD)
	$(CHAOS_SETTINGS) CHAOS_DURATION=$(CHAOS_DURATION) \
		BANK_BUILD_DIR="$${BANK_BUILD_DIR:-build/$(RELEASE_PRESET)}" node tests/chaos/chaos.mjs

# The benchmark (bench/run.mjs, docs/benchmarks.md). It starts its own stack on free ports in a
# temp dir and stops exactly what it started.
BENCH_USERS ?= 10000
BENCH_DURATION ?= 10
BENCH_CONNECTIONS ?= 128
BENCH_SOAK ?= 0

bench: build
	BENCH_USERS=$(BENCH_USERS) BENCH_DURATION=$(BENCH_DURATION) \
		BENCH_CONNECTIONS=$(BENCH_CONNECTIONS) BENCH_SOAK=$(BENCH_SOAK) \
		BANK_BUILD_DIR="$${BANK_BUILD_DIR:-build/$(RELEASE_PRESET)}" node bench/run.mjs

# Extra Google Benchmark flags in BENCH_MICRO_ARGS, e.g. --benchmark_filter=Verify.
bench-micro: build
	build/$(RELEASE_PRESET)/bench/micro/bank-micro-bench $(BENCH_MICRO_ARGS)

# Containers and Kubernetes (Containerfile, compose.yaml, deploy/): see the README's "Containers
# and Kubernetes". Both run every step and report all failures.
.PHONY: test-deploy test-containers
test-deploy: deps
	scripts/test-deploy.sh

test-containers: deps
	scripts/test-containers.sh

clean:
	rm -rf build
