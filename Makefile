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
#: Debian packages the browser tests need (root, or sudo when there is one)
BROWSER_PACKAGES := chromium fonts-noto-cjk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help install web browser dev test lint format typecheck bench clean

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

test: lint typecheck web browser ## lint, typecheck, the page's build and the whole test suite (what CI runs)
	$(BIN)/pytest -q

bench: $(STAMP) ## measure speed; writes docs/benchmarks.md
	$(BIN)/python -m bench

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) $(WEB_DIR)/node_modules $(PAGE_DIR) .pytest_cache .mypy_cache .ruff_cache .hypothesis
