# Okaeri — developer commands. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
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
.PHONY: help install web browser build synth diff deploy dev test lint format typecheck bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install Okaeri with its dev tools

$(NODE_STAMP): $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error

$(PAGE_DIR)/index.html: $(NODE_STAMP) $(WEB_SOURCES)
	cd $(WEB_DIR) && npm run --silent build

web: $(PAGE_DIR)/index.html ## build the admin page (npm ci from the lockfile, tsc, vite) for the admin function

browser: ## Debian's chromium and Japanese fonts for the browser tests (apt-get, once)
	@if [ -x /usr/bin/chromium ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then :; else \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES); \
	fi

$(LAYER_STAMP): $(STAMP) pyproject.toml infra/build_layer.py infra/paths.py $(LAYER_SOURCES)
	$(BIN)/python -m infra.build_layer

build: web $(LAYER_STAMP) ## the admin page and the Lambda layer (arm64 wheels, no Docker) in build/layer

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

test: lint typecheck build browser ## lint, typecheck, the page and layer builds and the whole test suite (what CI runs)
	$(BIN)/pytest -q

bench: $(STAMP) ## measure speed; writes docs/benchmarks.md
	$(BIN)/python -m bench

clean: ## remove the virtualenv, the builds and caches
	rm -rf $(VENV) $(WEB_DIR)/node_modules $(PAGE_DIR) build cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis
