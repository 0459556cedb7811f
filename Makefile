# Auteur Canvas developer interface. `make help` lists every target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every Python dependency, extras included, pinned with hashes (pip-compile); `make lock` updates it.
LOCK := requirements.lock
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup system-deps web run test test-fast bench lint typecheck lock clean up down logs
COMPOSE ?= docker compose

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

lock: $(STAMP) ## Lock pyproject's dependency changes into requirements.lock (UPGRADE=1: newest of everything)
	$(BIN)/pip-compile --quiet --generate-hashes --extra ml --extra dev --extra comfyui --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) -o $(LOCK) pyproject.toml

WEB_DIST := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/scripts -type f 2>/dev/null) web/index.html web/package.json web/package-lock.json web/vite.config.ts

system-deps: ## Install the system packages (ffmpeg, git-lfs, espeak-ng, sox, redis, chromium…) or say how
	@bash scripts/install_system_deps.sh

$(WEB_DIST): $(STAMP) $(WEB_SOURCES)
	bash scripts/build_web.sh $(VENV)

web: $(WEB_DIST) ## Build the browser editor into web/dist (npm ci && npm run build)

setup: system-deps $(STAMP) $(WEB_DIST) ## Install system packages, create the virtualenv, install everything, build the editor, convert the embedded model once
	$(BIN)/python -m nodes.sdk.llm.prepare
	@$(BIN)/auteur doctor || true

run: setup ## Start the canvas on the embedded default (local runners, ./workspace)
	$(BIN)/auteur serve --host $(HOST) --port $(PORT)

test: setup ## Run the whole test suite
	$(BIN)/pytest -q

test-fast: setup ## Run the tests that need no models or external processes
	$(BIN)/pytest -q tests/unit

bench: setup ## Run the benchmarks and print ratios against the baselines
	$(BIN)/python -m bench

lint: setup ## ruff over the code
	$(BIN)/ruff check canvas_server function_runners nodes tests bench scripts

typecheck: setup ## mypy --strict over the server, the runners and every node pack; svelte-check over the editor
	$(BIN)/mypy canvas_server function_runners nodes
	bash scripts/build_web.sh $(VENV) check

up: ## Start two server replicas behind a proxy, PostgreSQL, MinIO, Redis and one Celery worker container per tier (needs Docker)
	$(COMPOSE) up -d --build

down: ## Stop the containers (the workspace and Redis volumes are kept)
	$(COMPOSE) down

logs: ## Follow the containers' logs
	$(COMPOSE) logs -f --tail=100

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
