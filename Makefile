# The commands the README shows. Everything runs from the project's own virtual environment in .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup venv deps dev-deps migrate seed serve test e2e faults lint format bench bench-region messages worker beat check clean backup restore

# `make run`: set everything up on the embedded default (SQLite, tasks in-process) and serve the portal.
run: setup seed serve

# DEBUG unset is the embedded install: its own random key (.secret_key, git-ignored), plain HTTP. DEBUG=0 is
# production, which refuses to start without SECRET_KEY.

setup: deps migrate messages

venv: $(PY)
$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

deps: $(VENV)/.deps
$(VENV)/.deps: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

dev-deps: $(VENV)/.dev-deps
$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.deps $@

migrate: deps
	$(PY) manage.py migrate --noinput -v0

# Compiles the .po catalogues when gettext is installed and there are any (compilemessages fails without them).
messages: deps
	@if command -v msgfmt >/dev/null 2>&1 && [ -n "$$(find . -path ./$(VENV) -prune -o -name '*.po' -print -quit)" ]; then \
		$(PY) manage.py compilemessages -v0 --ignore=$(VENV); fi

# Builds the demo municipality only when the database has no schools yet (seed_demo itself is idempotent).
seed: migrate
	$(PY) manage.py seed_demo --if-empty

serve:
	$(PY) manage.py runserver $(HOST):$(PORT)

# Tests talk plain HTTP to unbuilt static files even when REDIS_URL makes settings default to production
# (HTTPS redirect, secure cookies, hashed static names); the deployment settings have tests of their own.
TEST_ENV := SECURE_COOKIES=0 STATIC_MANIFEST=0

# `make test`: the test suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set).
test: dev-deps messages
	$(TEST_ENV) $(PY) -m pytest -m "not e2e and not faults" $(PYTEST_ARGS)

# Browser tests in headless Chromium (/usr/bin/chromium).
e2e: dev-deps messages
	$(TEST_ENV) $(PY) -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

# Fault tests (a few minutes): a Celery worker killed mid-job and Redis stopped for 30 s, with real processes
# (each test starts its own redis-server, worker, beat and gunicorn). PostgreSQL is required: the tests run on
# test_<name of FAULTS_DATABASE_URL's database>. Recovery times go to test-artifacts/faults.json.
FAULTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vpr_faults
faults: dev-deps messages
	DATABASE_URL=$(FAULTS_DATABASE_URL) FAULT_TESTS_REQUIRED=1 $(TEST_ENV) \
		$(PY) -m pytest -m faults tests/faults -s --durations=0 $(PYTEST_ARGS)

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: dev-deps
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# `make bench`: the benchmarks on a throwaway SQLite database, then issue 10's region benchmarks on PostgreSQL
# (BENCH_POSTGRES_URL, by default postgres://postgres@127.0.0.1:5432/postgres) when it answers. The region's
# database is built once (a few minutes) and kept for the next runs; docs/performance.md.
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench: dev-deps messages
	$(PY) -m tests.bench
	@if $(PY) -c "import psycopg2; psycopg2.connect('$(BENCH_POSTGRES_URL)').close()" 2>/dev/null; then \
		BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL) $(PY) -m tests.bench --region; \
	else echo "PostgreSQL ($(BENCH_POSTGRES_URL)) does not answer: the region benchmarks are skipped."; fi

bench-region: dev-deps messages
	BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL) $(PY) -m tests.bench --region $(BENCH_ARGS)

# `make backup`: one archive of the database and MEDIA_ROOT in backups/ (KEEP=14 keeps the newest 14).
# `make restore BACKUP=backups/vpr-….tar` replaces both after a question (YES=1 answers it). docs/backups.md.
BACKUP_DIR ?= backups
backup: deps
	$(PY) -m vpr_portal.backup create --dir $(BACKUP_DIR) $(if $(KEEP),--keep $(KEEP))

restore: deps
	@if [ -z "$(BACKUP)" ]; then echo "Укажите архив: make restore BACKUP=backups/vpr-….tar" >&2; exit 2; fi
	$(PY) -m vpr_portal.backup restore "$(BACKUP)" $(if $(filter 1 yes true,$(YES)),--yes)

worker: deps
	$(VENV)/bin/celery -A vpr_portal worker --loglevel=info --concurrency=2

beat: deps
	$(VENV)/bin/celery -A vpr_portal beat --loglevel=info

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
