# Two commands matter: `make demo` (set up, migrate, seed, serve) and `make test` (set up, check, test).
# Setup is shared: a virtualenv in .venv with Python 3.11 and the locked requirements, reinstalled
# only when a requirements file changes (stamp file .venv/.installed).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements/dev.txt requirements/base.txt
# Python 3.11: python3.11 if present, else python3 when that is 3.11.
BOOT_PYTHON := $(shell command -v python3.11 2>/dev/null || \
	(python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && command -v python3))

HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ARGS ?=

.PHONY: help setup demo serve test lint format migrate bench-badges bench-ingest bench-evaluation bench-scores clean

help:
	@echo "make demo          set up, migrate, seed demo data (once), serve at http://$(HOST):$(PORT)"
	@echo "make test          set up, ruff check, makemigrations --check, lint-imports, the whole pytest suite"
	@echo "make lint          ruff check + ruff format --check"
	@echo "make bench-badges  benchmark the public badge API (bench/badges.py)"
	@echo "make bench-ingest  benchmark order/event ingestion (bench/ingest.py)"
	@echo "make bench-evaluation  benchmark the monthly evaluation (bench/evaluation.py)"
	@echo "make bench-scores  benchmark the experience score at 1M and 10M orders (bench/scores.py, PostgreSQL)"
	@echo "make demo DEMO_ARGS='--reset --merchants 20000'   regenerate at another scale"

$(PY):
	@test -n "$(BOOT_PYTHON)" || { echo "Python 3.11 is required (python3.11 or python3 == 3.11)"; exit 1; }
	$(BOOT_PYTHON) -m venv $(VENV)

$(STAMP): $(REQUIREMENTS) | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(PY) manage.py migrate --noinput

# Seeds only when the database has no demo data yet (the command checks), so running it twice is fine.
demo: migrate
	$(PY) manage.py demo --base-url http://$(HOST):$(PORT) $(DEMO_ARGS)
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: migrate
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench-badges: setup
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package) for the load generator"; apt-get install -y -q wrk || { apt-get update -q && apt-get install -y -q wrk; }; }
	$(PY) bench/badges.py

bench-ingest: setup
	$(PY) bench/ingest.py

bench-evaluation: setup
	$(PY) bench/evaluation.py $(BENCH_ARGS)
bench-scores: setup
	$(PY) bench/scores.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
