# Okaeri — developer commands. `make help` lists them.
#: The Python that Lambda runs (named once, in infra/paths.py). Everything here runs on it.
LAMBDA_PYTHON := $(shell sed -n 's/^LAMBDA_PYTHON: Final = "\(.*\)"$$/\1/p' infra/paths.py)
#: The interpreter: PYTHON=… when given, else python$(LAMBDA_PYTHON) on PATH, else pyenv's newest
#: $(LAMBDA_PYTHON).x. A candidate counts only if it runs and says it is $(LAMBDA_PYTHON) (a pyenv
#: shim for a version that is not selected does not).
is_lambda_python = $(shell "$(1)" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYTHON_CANDIDATES := python$(LAMBDA_PYTHON) \
	$(lastword $(sort $(wildcard $(shell pyenv root 2>/dev/null)/versions/$(LAMBDA_PYTHON).*/bin/python3)))
ifndef PYTHON
PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(if $(filter $(LAMBDA_PYTHON),$(call is_lambda_python,$(p))),$(p))))
endif
#: Found once: the stages of make test run make again, and inherit it instead of probing again.
export PYTHON
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
#: The locks (exact versions with hashes; `make lock` makes them from pyproject.toml's ranges).
#: runtime.txt: what the Lambda layer holds; dev.txt: that plus the tools and test libraries.
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK     := requirements/dev.txt
#: extra arguments for `make lock`, e.g. LOCK_ARGS=--upgrade or LOCK_ARGS="--upgrade-package moto"
LOCK_ARGS ?=
#: the admin page: web/ (Preact + Chart.js, built with Vite) → functions/admin/static
WEB_DIR    := web
PAGE_DIR   := functions/admin/static
NODE_STAMP := $(WEB_DIR)/node_modules/.package-lock.json
WEB_SOURCES := $(shell find $(WEB_DIR)/src $(WEB_DIR)/public -type f 2>/dev/null) \
	$(WEB_DIR)/index.html $(WEB_DIR)/vite.config.ts $(WEB_DIR)/tsconfig.json
#: the common Lambda layer (infra/build_layer.py): rebuilt when the dependencies or okaeri change.
#: Its manifest is the stamp: written last, moved into place with the layer, gone when the layer is.
LAYER_STAMP   := build/layer/okaeri-layer.json
LAYER_SOURCES := $(shell find layers/common/okaeri -type f -not -path '*/__pycache__/*' -not -name '*.pyc')
#: The CDK CLI, pinned. 2.1148.1 is the newest 2.x and reads the cloud assembly schema that
#: aws-cdk-lib 2.275 writes (revision 55). npm's "latest" tag points at 3.0.0, but that package
#: holds an older build (April 2025, schema revision 43) that refuses apps of aws-cdk-lib 2.275.
CDK_VERSION := 2.1148.1
CDK         := npx --yes aws-cdk@$(CDK_VERSION)
#: extra arguments for cdk, e.g. make deploy CDK_ARGS="--profile shop"
CDK_ARGS    ?=
#: The CDK app runs under jsii, which prints a banner for a Node.js past its support: for one that
#: is deprecated, and (a separate variable, by major version) for Debian's Node 20, end-of-life.
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
#: Debian packages the browser tests need (root, or sudo when there is one)
BROWSER_PACKAGES := chromium fonts-noto-cjk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
SHELL := /bin/bash
#: $(call timed,STAGE,COMMAND): run COMMAND, then print how long it took (make test's stage times).
timed = start=$$EPOCHREALTIME; $(2) || { status=$$?; echo "── $(1): failed (exit $$status)"; exit $$status; }; \
	awk -v s=$$start -v e=$$EPOCHREALTIME 'BEGIN { printf "── $(1): %.1f s\n", e - s }'
.PHONY: help python install lock web api-types browser layers build synth diff deploy dev test lint format typecheck bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

python: ## check that a Python $(LAMBDA_PYTHON) is found (the version Lambda runs)
	@if [ -z "$(PYTHON)" ]; then \
		echo "No Python $(LAMBDA_PYTHON) found (Okaeri is built and tested on the Python that Lambda runs)." >&2; \
		echo "Install one — Debian/Ubuntu: apt-get install python$(LAMBDA_PYTHON) python$(LAMBDA_PYTHON)-venv;" >&2; \
		echo "pyenv: pyenv install $(LAMBDA_PYTHON); macOS: brew install python@$(LAMBDA_PYTHON) —" >&2; \
		echo "or name it: make PYTHON=/path/to/python$(LAMBDA_PYTHON) …" >&2; \
		exit 1; \
	fi
	@if [ "$$("$(PYTHON)" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" != "$(LAMBDA_PYTHON)" ]; then \
		echo "PYTHON=$(PYTHON) is not Python $(LAMBDA_PYTHON), the version Lambda runs." >&2; exit 1; \
	fi

#: The venv holds exactly the lock: a new venv each time the lock changes (no leftovers of the old
#: one), every distribution pinned and hash-checked, no dependency resolution; then okaeri itself,
#: editable, built offline by the locked setuptools. pip installs without compiling to bytecode,
#: which it does on one core (a minute, mostly aws-cdk-lib); compileall then does it on every core.
$(STAMP): $(DEV_LOCK) pyproject.toml | python
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes --no-compile -r $(DEV_LOCK)
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --no-index -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

install: $(STAMP) ## create .venv from the lock (requirements/dev.txt) and install Okaeri into it

#: Both locks for Lambda's Python on any platform (--universal): the layer installs the runtime lock
#: for arm64, the venv the dev lock for this machine. dev.txt is constrained by runtime.txt, so the
#: two agree on every package they share. Existing pins are kept unless LOCK_ARGS says otherwise.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version $(LAMBDA_PYTHON) \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)
#: An unchanged lock keeps its time stamp, so it does not make a new venv.
lock: $(STAMP) ## resolve pyproject.toml's ranges into requirements/*.txt (then make test, commit)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cp -p $(RUNTIME_LOCK) $(DEV_LOCK) "$$tmp/" && \
	$(UV_COMPILE) --output-file $(RUNTIME_LOCK) && \
	$(UV_COMPILE) --extra dev --constraint $(RUNTIME_LOCK) --output-file $(DEV_LOCK) && \
	for lock in $(RUNTIME_LOCK) $(DEV_LOCK); do \
		if cmp -s "$$tmp/$${lock##*/}" $$lock; then touch -r "$$tmp/$${lock##*/}" $$lock; echo "$$lock: unchanged"; \
		else echo "$$lock: updated"; fi; \
	done

$(NODE_STAMP): $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error

$(PAGE_DIR)/index.html: $(NODE_STAMP) $(WEB_SOURCES)
	cd $(WEB_DIR) && npm run --silent build

web: $(PAGE_DIR)/index.html ## build the admin page (npm ci from the lockfile, API types, tsc, vite) for the admin function

#: The page's API types: web/src/api/schema.d.ts, made by openapi-typescript (npm run api-types, also
#: the first step of the page's build) from the committed snapshot web/src/api/openapi.json, which
#: the admin API's Python writes offline. tests/integration/api/test_openapi_snapshot.py fails when
#: the snapshot, the types and the served document drift apart: then run this. It also writes the
#: field lists the page offers (web/src/api/fields.json, checked by tests/unit/web/test_page_fields.py).
api-types: $(STAMP) $(NODE_STAMP) ## snapshot the admin API's OpenAPI document and regenerate the page's types from it
	$(BIN)/python -m okaeri_dev.openapi_dump $(WEB_DIR)/src/api/openapi.json
	cd $(WEB_DIR) && npm run --silent api-types

browser: ## Debian's chromium and Japanese fonts for the browser tests (apt-get, once)
	@if [ -x /usr/bin/chromium ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then :; else \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES); \
	fi

#: The layer for Lambda (arm64) and the same lock for this machine (build/layer-host), which a test
#: loads as Lambda would: both from the runtime lock, checked to hold the same versions.
LAYER_DEPS := $(STAMP) $(RUNTIME_LOCK) infra/build_layer.py infra/paths.py $(LAYER_SOURCES)
$(LAYER_STAMP): $(LAYER_DEPS)
	$(BIN)/python -m infra.build_layer

HOST_LAYER_STAMP := build/layer-host/okaeri-layer.json
$(HOST_LAYER_STAMP): $(LAYER_DEPS)
	$(BIN)/python -m infra.build_layer --host

layers: $(LAYER_STAMP) $(HOST_LAYER_STAMP)

build: web layers ## the page, the Lambda layer (arm64, no Docker) and its twin for this machine

synth: build ## build, then synthesize the CloudFormation template into cdk.out
	$(CDK) synth $(CDK_ARGS)

diff: build ## build, then show what a deploy would change in the AWS account
	$(CDK) diff $(CDK_ARGS)

deploy: build ## build, then deploy the stack to the AWS account of your credentials
	$(CDK) deploy $(CDK_ARGS)

dev: $(STAMP) web ## all of Okaeri on this machine, offline (prints URLs and logins; Ctrl-C stops it)
	$(BIN)/okaeri dev

lint: $(STAMP) ## ruff (style and bugs)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## ruff format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy, strict on the okaeri package
	$(BIN)/mypy

#: pytest-xdist workers for make test: one per core (TEST_WORKERS=1 runs each stage in one process).
TEST_WORKERS ?= $(shell nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
#: The suites that run in the pytest process (moto in-process, the CDK synth) and those that start
#: local stacks on loopback ports and Chromium. Between them they are every folder of tests/ that
#: holds tests (tests/unit/architecture/test_make_test.py checks it).
IN_PROCESS_SUITES := tests/unit tests/integration tests/infra
STACK_SUITES      := tests/e2e tests/browser
#: extra arguments for make test's pytest stages, e.g. PYTEST_ARGS=--durations=40
PYTEST_ARGS ?=
#: Each worker takes whole test files (--dist loadfile): a file's module-scoped stacks start once.
PYTEST_PARALLEL    = $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)
TYPECHECK_LOG     := build/typecheck.log

#: Each stage prints its time: a first run on a clean clone shows where the minutes go. mypy (one
#: core, two minutes without a cache) runs in the background from the install on, while the page
#: and the layers build and the tests run; its output is printed when it ends, and a type error
#: fails make test like any other stage.
test: ## everything from the lock, lint, typecheck, the page and layer builds, the whole test suite (CI)
	@$(call timed,install (venv from the lock),$(MAKE) --no-print-directory install)
	@$(call timed,browser packages,$(MAKE) --no-print-directory browser)
	@mkdir -p $(dir $(TYPECHECK_LOG)); \
	( $(call timed,typecheck (in the background),$(MAKE) --no-print-directory typecheck) ) \
		> $(TYPECHECK_LOG) 2>&1 & typecheck=$$!; \
	trap 'wait $$typecheck; cat $(TYPECHECK_LOG)' EXIT; \
	$(call timed,page build,$(MAKE) --no-print-directory web); \
	$(call timed,layer build,$(MAKE) --no-print-directory layers); \
	$(call timed,lint,$(MAKE) --no-print-directory lint); \
	$(call timed,tests (in process: $(IN_PROCESS_SUITES)),$(PYTEST_PARALLEL) $(IN_PROCESS_SUITES)); \
	$(call timed,tests (local stacks: $(STACK_SUITES)),$(PYTEST_PARALLEL) $(STACK_SUITES)); \
	wait $$typecheck

bench: $(STAMP) ## measure speed (the pipeline's 2,000 orders and its baseline: some 15 minutes); writes docs/benchmarks.md
	$(BIN)/python -m bench

clean: ## remove the virtualenv, the builds and caches
	rm -rf $(VENV) $(WEB_DIR)/node_modules $(PAGE_DIR) build cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis
