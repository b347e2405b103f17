# The two commands: `make demo` and `make test`. Both need only Python 3.10+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# One stamp per extra: `make demo` installs only what the demo needs, `make test` (and lint,
# docs, ...) the development toolchain; neither undoes the other.
STAMP := $(VENV)/.installed-dev
DEMO_STAMP := $(VENV)/.installed-demo
BENCH_STAMP := $(VENV)/.installed-bench
# Every tool and library the make targets install is pinned here, so that they give the same
# result on any day; `make lock` upgrades the pins on purpose. The package's own dependency
# ranges (pyproject.toml) stay ranges; tox's matrix cells install from those ranges.
CONSTRAINTS := .ci/constraints.txt
PIP_INSTALL = $(BIN)/python -m pip install --quiet --constraint $(CONSTRAINTS)
HOST ?= 127.0.0.1
PORT ?= 8000
# `make services` starts PostgreSQL, Redis, a Redis Cluster and a Sentinel with their state
# (data, logs, pid files) in SERVICES_DIR, and writes the variables that point the suite at
# them to $(SERVICES_MK), which every later make reads: `make services && make test`.
# Variables already in the environment win (`.ci/run` evals the scripts itself).
SERVICES_DIR ?= /tmp/drf_paseto_services
SERVICES_MK := $(SERVICES_DIR)/services.mk
export SERVICES_DIR
export REDIS_CLUSTER_DIR ?= $(SERVICES_DIR)/redis-cluster
-include $(SERVICES_MK)
# `make test`'s verbosity (Django's -v): 1 prints a line of dots and a summary.
TEST_VERBOSITY ?= 1

.PHONY: help install demo demo-commands test test-unit test-servers services services-stop lint format docs dist matrix bench clean load lock

help:
	@echo "make demo         - set up and serve the example project on http://$(HOST):$(PORT) (user test/test)"
	@echo "make test         - set up and run the whole suite (both tiers) with coverage (floor: 95%)"
	@echo "make test-unit    - the unit tier alone, without coverage (quick)"
	@echo "make test-servers - the server tier alone (tests that start server processes)"
	@echo "make services     - start PostgreSQL, Redis, a Redis Cluster and a Sentinel for make test"
	@echo "make services-stop - stop them"
	@echo "make lint         - ruff (lint and format check) and mypy --strict"
	@echo "make docs         - build the MkDocs site strictly into site/"
	@echo "make dist         - build the wheel and sdist and check them"
	@echo "make matrix       - run the suite on the oldest and newest Django/Python cells (tox)"
	@echo "make bench        - the benchmarks against simplejwt, DRF and knox on PostgreSQL (docs/performance.md)"
	@echo "make load         - a sustained load run on gunicorn (60 s, 100 000 requests)"
	@echo "make lock         - upgrade the pinned toolchain (.ci/constraints.txt) to today's releases"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10+ is required")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -e ".[dev]"
	@touch $(STAMP)

$(DEMO_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -e ".[demo]"
	@touch $(DEMO_STAMP)

$(BENCH_STAMP): $(STAMP)
	$(PIP_INSTALL) -e ".[dev,bench]"
	@touch $(BENCH_STAMP)

# Re-resolve every extra the make targets use in a throwaway venv, with no constraints, and
# write the result as the new pins. Review the diff, run `make test lint docs dist`, commit.
# It resolves on the oldest Python the package supports (3.10), so that the pins install on
# every supported Python: `make lock LOCK_PYTHON=/path/to/python3.10`.
LOCK_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3) python3.10)
lock:
	rm -rf .lock-venv
	$(LOCK_PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[dev,demo,bench]"
	@{ echo "# The pinned toolchain of every make target (make lock writes this file)."; \
	  echo "# Python $$(.lock-venv/bin/python -c 'import platform; print(platform.python_version())'), $$(date -u +%Y-%m-%d)."; \
	  .lock-venv/bin/python -m pip freeze --all --exclude-editable | grep -v '^setuptools=='; } > $(CONSTRAINTS)
	rm -rf .lock-venv
	@echo "make lock: wrote $(CONSTRAINTS); delete $(VENV) (or its .installed-* stamps) to install it"

install: $(STAMP)

# A busy port is one line, before anything is installed or migrated: `make demo PORT=8001`.
ifneq ($(filter demo,$(MAKECMDGOALS)),)
ifneq ($(shell $(PYTHON) -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("$(HOST)", $(PORT)))' 2>&1 | grep -c "in use"),0)
$(error make demo: port $(PORT) on $(HOST) is in use (another make demo?): stop what listens there, or choose another port: make demo PORT=8001)
endif
endif

# Channels has no lifespan handler: without --lifespan off, uvicorn says so at every start.
DEMO_UVICORN_ARGS = example_project.asgi:application --host $(HOST) --port $(PORT) --lifespan off

demo: $(DEMO_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py create_demo_user
	@$(MAKE) -s --no-print-directory demo-commands
	@if $(BIN)/python -c 'import channels, uvicorn' 2>/dev/null; then \
	  $(BIN)/python -m uvicorn $(DEMO_UVICORN_ARGS); \
	elif $(BIN)/python -c 'import channels, daphne' 2>/dev/null; then \
	  PASETO_WEBSOCKET_CLOSE_CODE=4008 $(BIN)/python -m daphne -b $(HOST) -p $(PORT) example_project.asgi:application; \
	else \
	  echo "(no channels + uvicorn/daphne: HTTP only, with runserver)"; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

# What `make demo` prints before it serves (tests/test_example_project.py runs these).
demo-commands:
	@echo ""
	@echo "Example project on http://$(HOST):$(PORT) (/ opens the browser demo page, /demo/)"
	@echo "The reference pages' flow:"
	@echo ""
	@echo "  curl -s -X POST http://$(HOST):$(PORT)/login/ -H 'Content-Type: application/json' -d '{\"username\": \"test\", \"password\": \"test\"}'"
	@echo "  curl -s http://$(HOST):$(PORT)/protected/ -H 'Authorization: Bearer <access_token>'"
	@echo "  curl -s http://$(HOST):$(PORT)/fresh/ -H 'Authorization: Bearer <access_token>'"
	@echo "  curl -s -X POST http://$(HOST):$(PORT)/refresh/ -H 'Authorization: Bearer <refresh_token>'"
	@echo "  curl -s http://$(HOST):$(PORT)/optional/"
	@echo "  curl -s -X POST http://$(HOST):$(PORT)/logout/ -H 'Authorization: Bearer <access_token>'"
	@echo "  curl -s -X POST http://$(HOST):$(PORT)/logout/all/ -H 'Authorization: Bearer <access_token>'"
	@echo ""
	@echo "Async (docs/async.md): an adrf view; django-ninja (docs/ninja.md): its own login/ and refresh/:"
	@echo ""
	@echo "  curl -s http://$(HOST):$(PORT)/async/protected/ -H 'Authorization: Bearer <access_token>'"
	@echo "  curl -s http://$(HOST):$(PORT)/async/fresh/ -H 'Authorization: Bearer <access_token>'"
	@echo "  curl -s -X POST http://$(HOST):$(PORT)/ninja/auth/login/ -H 'Content-Type: application/json' -d '{\"username\": \"test\", \"password\": \"test\"}'"
	@echo "  curl -s http://$(HOST):$(PORT)/ninja/protected/ -H 'Authorization: Bearer <access_token>'"
	@echo "  curl -s http://$(HOST):$(PORT)/ninja/fresh/ -H 'Authorization: Bearer <access_token>'"
	@echo "  curl -s -X POST http://$(HOST):$(PORT)/ninja/auth/refresh/ -H 'Authorization: Bearer <refresh_token>'"
	@echo ""
	@echo "Many services (docs/many-services.md): serve this project as the issuer, on the public"
	@echo "purpose with introspect/ for a resource service, then the resource service beside it:"
	@echo ""
	@echo "  export PASETO_PURPOSE=public \$$($(BIN)/python manage.py paseto_keygen --purpose public | grep '^PASETO_PRIVATE_KEY=')"
	@echo "  export PASETO_INTROSPECT_CLIENT_SECRETS=resource=demo-only-introspection-secret-change-me-0123"
	@echo "  $(BIN)/python manage.py runserver $(HOST):$(PORT)"
	@echo "  DJANGO_SETTINGS_MODULE=example_project.resource_settings $(BIN)/python manage.py runserver $(HOST):8001"
	@echo "  curl -s http://$(HOST):8001/orders/ -H 'Authorization: Bearer <access_token from the issuer>'"
	@echo ""
	@echo "WebSockets (ws/echo/, when the channels extra and uvicorn or daphne are installed):"
	@echo ""
	@echo "  websocat -H 'Authorization: Bearer <access_token>' ws://$(HOST):$(PORT)/ws/echo/"
	@echo "  $(BIN)/python - <<'EOF'"
	@echo "  from websockets.sync.client import connect"
	@echo "  with connect('ws://$(HOST):$(PORT)/ws/echo/', additional_headers={'Authorization': 'Bearer <access_token>'}) as ws:"
	@echo "      print(ws.recv()); ws.send('{\"hi\": 1}'); print(ws.recv())"
	@echo "  EOF"
	@echo ""

# Two tiers, by Django test tag: the server tier is every test class tagged "servers" (it starts
# server processes: gunicorn, uvicorn or daphne, runserver, Chromium, Redis, PostgreSQL), the
# unit tier is everything else. `make test` runs both, then the unit tier again on PostgreSQL
# (the server tier uses no test database), and applies the coverage floor to the three runs.
# The server legs run when .ci/services.sh (or `make services`) has set their variables.
# The unit tier runs in one process per CPU (Django's --parallel; its own test database each),
# the server tier in one. Coverage records every process (pyproject.toml: parallel,
# multiprocessing) and `coverage combine` merges them before the report.
UNIT_TIER := --exclude-tag servers --parallel auto
SERVER_TIER := --tag servers

test: install
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run manage.py test --noinput -v $(TEST_VERBOSITY) $(UNIT_TIER)
	$(BIN)/python -m coverage run manage.py test --noinput -v $(TEST_VERBOSITY) $(SERVER_TIER)
	@if [ -n "$$DRF_PASETO_TEST_POSTGRES" ]; then \
	  echo "make test: PostgreSQL leg (the unit tier on $$DRF_PASETO_TEST_POSTGRES)"; \
	  DRF_PASETO_TEST_DATABASE="$$DRF_PASETO_TEST_POSTGRES" \
	    $(BIN)/python -m coverage run manage.py test --noinput -v $(TEST_VERBOSITY) $(UNIT_TIER); \
	fi
	@VENV=$(VENV) bash .ci/skipped.sh
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage report

test-unit: install
	$(BIN)/python manage.py test --noinput $(UNIT_TIER)

test-servers: install
	$(BIN)/python manage.py test --noinput $(SERVER_TIER)

# Start PostgreSQL, Redis, the Redis Cluster and the Sentinel on loopback (ports: PG_PORT,
# REDIS_PORT, REDIS_CLUSTER_PORTS, REDIS_SENTINEL_MASTER_PORT, REDIS_SENTINEL_PORT; state in
# SERVICES_DIR), print their variables, and keep them in $(SERVICES_MK) for `make test`.
services:
	@mkdir -p $(SERVICES_DIR)
	@rm -f $(SERVICES_MK)
	@bash .ci/services.sh > $(SERVICES_DIR)/services.env
	@if [ ! -s $(SERVICES_DIR)/services.env ]; then echo "make services: nothing started" >&2; exit 1; fi
	@bash .ci/redis-cluster.sh >> $(SERVICES_DIR)/services.env
	@cat $(SERVICES_DIR)/services.env
	@sed -n 's/^export \([A-Z_]*\)=/export \1 ?= /p' $(SERVICES_DIR)/services.env > $(SERVICES_MK)
	@echo "make services: running; make test reads $(SERVICES_MK) (make services-stop stops them)" >&2

services-stop:
	@bash .ci/redis-cluster.sh stop
	@bash .ci/services.sh stop
	@rm -f $(SERVICES_MK) $(SERVICES_DIR)/services.env
	@echo "make services-stop: stopped (state left in $(SERVICES_DIR))" >&2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: install
	$(BIN)/mkdocs build --strict

# A wheel and an sdist that pass `twine check` and carry migrations, locales and py.typed.
dist: install
	rm -rf dist
	$(BIN)/python -m build --outdir dist . >/dev/null
	$(BIN)/twine check --strict dist/*
	$(BIN)/python .ci/check_dist.py dist

# The oldest and the newest cells of tox.ini's matrix (the full matrix: `$(BIN)/tox`).
# pyenv's interpreters go on PATH directly: its shims answer only for the selected versions.
matrix: install
	PATH="$$(ls -d $$HOME/.pyenv/versions/3.1[0-3]*/bin 2>/dev/null | tr '\n' ':')$$PATH" \
	  $(BIN)/tox -e py310-django42,py312-django6x

# The benchmark a deployment would run (docs/performance.md): PostgreSQL and Redis on loopback
# (.ci/services.sh), every row on PostgreSQL (judging) and SQLite (information), a protected
# view on gunicorn and the async rows on uvicorn; exits 1 when one of its targets is missed.
# About 5.5 minutes.
bench: $(BENCH_STAMP)
	@eval "$$(bash .ci/services.sh)"; $(BIN)/python -m benchmarks.run

# Sustained load on a real gunicorn (loopback only): at least 60 s and 100 000 requests of
# logins, refreshes, protected calls and logouts; fails on any error or on memory growth.
load: install
	$(BIN)/python loadtest/run.py

clean:
	rm -rf $(VENV) .lock-venv site dist build .coverage htmlcov example_project/db.sqlite3
