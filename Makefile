# Jiangtang: `make run` and `make test` are all a fresh clone needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_PASSWORD ?= demo2026
# The suite runs on a pytest-xdist worker per core (at most 4). Each worker has a
# test database of its own (pytest-django's _gw<N> suffix) and, with REDIS_URL, a
# Redis database of its own (tests/conftest.py). `--dist load` hands every worker
# its tests in pytest-django's order: database tests before transactional ones;
# two at a time, so that the slow browser tests at the end are shared out evenly
# (xdist's default queues up to a quarter of what is left on one worker).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 4 ? n : 4 )))
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist load --maxschedchunk 2

.PHONY: run test test-fast lint format messages check-deploy clean

$(PY):
	@python=$$(scripts/find-python) || exit 1; \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

## run: install, migrate, load the demo city, serve on http://127.0.0.1:$(PORT) (with the task worker)
run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --password $(DEMO_PASSWORD)
	@echo "Demo accounts (cityadmin, unitadmin, secretary, member001…) use the password: $(DEMO_PASSWORD)"
	@scripts/ensure-fonts
	@# the background tasks' worker (reports) runs beside the server and stops with it
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: install what the tests need (incl. Chromium), lint, run the whole suite
test: $(VENV)/.dev
	@scripts/ensure-browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_PARALLEL)

## test-fast: the suite without the browser tests, no lint (the inner loop; CI runs `make test`)
test-fast: $(VENV)/.dev
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) -m "not browser"

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## messages: refresh and compile the Chinese translation catalogue
messages: $(VENV)/.runtime
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'tests/*'
	$(PY) manage.py compilemessages -l zh_Hans --ignore '.venv/*'

check-deploy: $(VENV)/.runtime
	DJANGO_ENV=production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
