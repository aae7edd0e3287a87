# stripe-p21 — `make help` lists every target.
SHELL := /bin/bash
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo serve worker test test-fast lint format typecheck bench clean

help: ## List every target with what it does
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package with its dev tools

demo: $(STAMP) ## Embedded demo: service, signed deliveries, a week of sandbox Stripe activity
	$(BIN)/stripe-p21 demo

serve: $(STAMP) ## Run the API server (embedded defaults on 127.0.0.1:8000)
	$(BIN)/stripe-p21 serve

worker: $(STAMP) ## Run an arq worker (needs STRIPE_P21_REDIS_URL)
	$(BIN)/stripe-p21 worker

test: $(STAMP) ## Run the whole test suite (PostgreSQL/Redis tests skip with a reason unless CI=true)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

typecheck: $(STAMP) ## mypy --strict on src/
	$(BIN)/mypy

bench: $(STAMP) ## Run the webhook ingestion benchmark (see benchmarks/README.md)
	$(BIN)/python benchmarks/webhook_ingest.py

clean: ## Remove the virtual environment and local state
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
