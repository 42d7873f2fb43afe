# Trellis: two commands.
#   make run   virtualenv, dependencies, migrations, demo data (once), then the
#              site on http://127.0.0.1:8000 with a Celery worker and beat.
#   make test  virtualenv, dependencies, the whole test suite.
# Embedded defaults (SQLite, a file-system Celery broker) unless DATABASE_URL
# and REDIS_URL say otherwise.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev check bench bench-import bench-http clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@mkdir -p var/celery/queue var/celery/control
	@echo ""
	@echo "Trellis is starting on http://$(HOST):$(PORT)/ — Ctrl-C stops the site, the worker and beat."
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	export TRELLIS_SITE_URL=$${TRELLIS_SITE_URL:-http://$(HOST):$(PORT)}; \
	$(VENV)/bin/celery -A config worker --beat --loglevel=INFO --concurrency=1 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(PY) -m pytest

# Seed 10,000 people into a throwaway database and time the main pages.
# BENCH_DATABASE_URL=postgres://… to measure on PostgreSQL (the database is emptied).
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench.sqlite3
bench: install
	@mkdir -p var
	@case "$(BENCH_DATABASE_URL)" in sqlite*) rm -f $(CURDIR)/var/bench.sqlite3;; esac
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py flush --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py seed_demo --employees 10000
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py benchmark_pages
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py benchmark_cycle

# HRIS imports at 10,000 and 50,000 people: seconds and peak memory per step,
# each size in its own process on an emptied throwaway database.
bench-import: install
	@mkdir -p var
	@for rows in 10000 50000; do \
	  case "$(BENCH_DATABASE_URL)" in sqlite*) rm -f $(CURDIR)/var/bench.sqlite3;; esac; \
	  DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0 || exit 1; \
	  DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py flush --noinput || exit 1; \
	  DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py benchmark_imports --rows $$rows || exit 1; \
	done

# Every main page over HTTP: gunicorn with production settings on a throwaway
# PostgreSQL database of 10,000 people, wrk against each page and a bare view.
# Needs PostgreSQL, Redis and wrk (installed with apt-get when missing); the
# database is dropped and recreated, and the Redis database emptied.
BENCH_HTTP_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/trellis_bench_http
BENCH_HTTP_REDIS_URL ?= redis://127.0.0.1:6379/3
bench-http: install
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk"; apt-get update -q && apt-get install -y -q wrk; }
	DJANGO_SETTINGS_MODULE=config.settings.bench \
	DJANGO_SECRET_KEY=bench-only-$$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	DATABASE_URL=$(BENCH_HTTP_DATABASE_URL) REDIS_URL=$(BENCH_HTTP_REDIS_URL) \
	$(PY) manage.py benchmark_http $(BENCH_HTTP_ARGS)

check: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
