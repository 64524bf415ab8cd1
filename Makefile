# Okaeri — developer commands. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install dev test lint format typecheck bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install Okaeri with its dev tools

dev: $(STAMP) ## all of Okaeri on this machine, offline (prints URLs and logins; Ctrl-C stops it)
	$(BIN)/okaeri dev

lint: $(STAMP) ## ruff (style and bugs)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## ruff format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy, strict on the okaeri package
	$(BIN)/mypy

test: lint typecheck ## lint, typecheck and the whole test suite (what CI runs)
	$(BIN)/pytest -q

bench: $(STAMP) ## measure speed; writes docs/benchmarks.md
	$(BIN)/python -m bench

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
