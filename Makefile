# Restock — one Makefile for the whole workspace. `make help` lists the targets.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo "python3.11 -m uv")
PYTEST_WORKERS ?= 2
SERVICE ?= planner
PKG = $(subst -,_,$(SERVICE))
ONLY ?=

.PHONY: help bootstrap up down demo chaos sandbox-katana sandbox-xero dev-tenant test test-fast lint format bench ops-test dashboards migrate run dlq-list

help:           ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

bootstrap:      ## install what this machine lacks (apt, uv, workspace, npm); idempotent
	@bash scripts/bootstrap.sh

up: bootstrap   ## start everything (embedded Postgres + broker, sandboxes, six services, web app), then the demo journey: a Katana and a Xero tenant loaded, forecast and planned; prints the sign-ins
	@$(UV) run python deploy/local/stack.py up

down:           ## stop what `make up` started
	@$(UV) run python deploy/local/stack.py down

demo: bootstrap ## the whole journey headlessly on a private stack (load → forecast → plan → POs Sent), then a summary
	@$(UV) run python deploy/local/demo.py

chaos: bootstrap   ## the full chaos run: kill -9 each service, pause the broker, restart Postgres, 429/500 storms, a poison message (SEED=n)
	@$(UV) run python deploy/local/chaos.py $(if $(SEED),--seed $(SEED),)

sandbox-katana: ## run the Katana sandbox alone (SKUS=200 YEARS=2 PORT=8701; real 60 s rate window)
	@$(UV) run python -m katana_sandbox --port $${PORT:-8701} --skus $${SKUS:-200} --years $${YEARS:-2}

sandbox-xero:   ## run the Xero sandbox alone (ITEMS=200 YEARS=2 PORT=8702)
	@$(UV) run python -m xero_sandbox --port $${PORT:-8702} --items $${ITEMS:-200} --years $${YEARS:-2}

dev-tenant:     ## mint a dev tenant and an internal admin token (until identity lands)
	@$(UV) run python -m api_gateway dev-tenant --name "$${NAME:-Dev Tenant}"

test: bootstrap lint   ## lint, then every test (real Postgres, broker, HTTP servers)
	@$(UV) run pytest -n $(PYTEST_WORKERS) --durations=30 -p no:cacheprovider libs sandboxes services tests

test-fast:      ## tests only, no lint, no bootstrap
	@$(UV) run pytest -n $(PYTEST_WORKERS) --durations=15 -p no:cacheprovider libs sandboxes services tests

lint:           ## ruff format check, ruff lint, mypy, import layering
	@$(UV) run ruff format --check .
	@$(UV) run ruff check .
	@$(UV) run mypy libs/*/src services/*/src sandboxes/*/src
	@$(UV) run lint-imports

format:         ## apply ruff formatting and safe fixes
	@$(UV) run ruff format .
	@$(UV) run ruff check --fix .

bench: bootstrap   ## run the benchmarks (ONLY=<name> for one) and print their figures
	@$(UV) run python bench/run.py $(if $(ONLY),--only $(ONLY),)

ops-test:       ## deploy/ checks: promtool, kustomize, compose schema, real Prometheus
	@$(UV) run pytest -n 0 -p no:cacheprovider tests/test_ops_*.py

dashboards:     ## regenerate the Grafana dashboards from their generator
	@$(UV) run python deploy/grafana/generate_dashboards.py

migrate:        ## upgrade one service's database (SERVICE=planner)
	@$(UV) run python -m $(PKG) migrate

run:            ## run one service alone (SERVICE=planner); needs DATABASE_URL/KAFKA_BOOTSTRAP_SERVERS
	@$(UV) run python -m $(PKG) api

dlq-list:       ## list a service's dead letters (SERVICE=planner)
	@$(UV) run python -m $(PKG) dlq list
