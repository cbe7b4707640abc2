# Entry points for people and CI. The real work is in CMake (CMakePresets.json) and scripts/.
#
#   make run               install deps, build release, run the stack in the foreground (Ctrl-C stops)
#   make up / make down    the same stack in the background / stop it
#                          (BANK_BUILD_DIR=build/dev make up: use that build, build nothing)
#   make build             release build only
#   make test              unit tests (ctest) and integration tests (node) on the dev build,
#                          or on the ci build (warnings as errors) when CI=true, which also
#                          compiles everything with clang 14
#   make test-unit         ctest only             make test-integration   node tests only
#   make audit             check the running stack's ledger (bank-audit; exit 1 on a violation)
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

.PHONY: help deps build run up down test test-unit test-integration build-test lint audit clean

help:
	@sed -n '3,15s/^# \{0,1\}//p' Makefile

deps:
	scripts/install-deps.sh

build: deps
	cmake --preset $(RELEASE_PRESET)
	cmake --build --preset $(RELEASE_PRESET) -j $(JOBS)

# With BANK_BUILD_DIR set (e.g. build/dev), run and up use those binaries as they are and build
# nothing; otherwise they build the release preset first.
STACK_BUILD := $(if $(BANK_BUILD_DIR),deps,build)

run: $(STACK_BUILD)
	BANK_BUILD_DIR="$${BANK_BUILD_DIR:-build/$(RELEASE_PRESET)}" scripts/run.sh

up: $(STACK_BUILD)
	BANK_BUILD_DIR="$${BANK_BUILD_DIR:-build/$(RELEASE_PRESET)}" scripts/up.sh

down:
	scripts/down.sh

build-test: deps
	cmake --preset $(TEST_PRESET)
	cmake --build --preset $(TEST_PRESET) -j $(JOBS)

# Both suites run even when the first fails, so one CI run reports every failure.
test: build-test
	status=0; \
	ctest --preset $(TEST_PRESET) --output-on-failure -j $(JOBS) || status=1; \
	BANK_BUILD_DIR="$(CURDIR)/$(TEST_BUILD_DIR)" node --test tests/integration/ || status=1; \
	if [[ "$(CI)" == true ]]; then \
		echo "make test: building with clang 14 (warnings as errors)"; \
		{ cmake --preset clang >/dev/null && cmake --build --preset clang -j $(JOBS); } || status=1; \
	fi; \
	if [[ $$status -ne 0 ]]; then echo "make test: FAILED (see above)" >&2; fi; \
	exit $$status

test-unit: build-test
	ctest --preset $(TEST_PRESET) --output-on-failure -j $(JOBS)

test-integration: build-test
	BANK_BUILD_DIR="$(CURDIR)/$(TEST_BUILD_DIR)" node --test tests/integration/

lint:
	shellcheck -x -P SCRIPTDIR scripts/*.sh .ci/run

# bank-audit from the release build (or $BANK_BUILD_DIR) against the stack's Redis: the URL is
# built like scripts/lib.sh's bank_redis_url unless BANK_REDIS_URL is given. Builds nothing.
audit:
	@audit="$${BANK_BUILD_DIR:-build/$(RELEASE_PRESET)}/tools/audit/bank-audit"; \
	[[ -x "$$audit" ]] || { echo "make audit: $$audit is missing; build it first" >&2; exit 2; }; \
	if [[ -z "$${BANK_REDIS_URL:-}" ]]; then \
		password_file="$${BANK_DATA_DIR:-var}/keys/redis-password"; \
		[[ -r "$$password_file" ]] || { echo "make audit: no $$password_file; is the stack up?" >&2; exit 2; }; \
		BANK_REDIS_URL="redis://default:$$(<"$$password_file")@127.0.0.1:$${BANK_REDIS_PORT:-6390}/0"; \
	fi; \
	BANK_REDIS_URL="$$BANK_REDIS_URL" "$$audit"

clean:
	rm -rf build
