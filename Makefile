# CSTO news archive. `make run` serves the demo archive; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

# Local work runs with debug on (the settings default to off).
export DJANGO_DEBUG ?= 1

.PHONY: run test lint format check migrate seed clean help messages bench bench-scale bench-uploads screenshots deploy-check
N ?= 100000
ROUNDS ?= 3

help:
	@echo "make run    set up and serve the demo archive on http://$(HOST):$(PORT)/ (PORT=8001 for another port)"
	@echo "            with DATABASE_URL set, no demo data goes into that database unless DEMO=1"
	@echo "make test   ruff, manage.py check, makemigrations --check and the test suite (DATABASE_URL to choose the database)"
	@echo "make format format the code with ruff"
	@echo "make clean  remove the virtual environment and the local database"

# The virtual environment is rebuilt when a requirements file changes.
$(BIN)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...).")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# A developer's checkout: manage.py reads DJANGO_DEBUG=1 from here.
	test -f .env || echo "DJANGO_DEBUG=1" > .env
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt package-lock.json
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@# The W3C HTML checker (package.json) for test_html.py, which skips it without Java.
	if command -v npm >/dev/null && command -v java >/dev/null; then npm ci --silent --no-audit --no-fund; fi
	touch $@

migrate: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput

# Demo content and accounts (known passwords) go only into the local SQLite
# database; DEMO=1 loads them into the one DATABASE_URL names as well.
DEMO_FLAGS := $(if $(DEMO),--allow-database)

seed: migrate
	$(BIN)/python manage.py seed_demo $(DEMO_FLAGS)

run: migrate
	@if [ -z "$(DATABASE_URL)" ] || [ -n "$(DEMO)" ]; then \
		$(BIN)/python manage.py seed_demo $(DEMO_FLAGS) && \
		$(BIN)/python manage.py create_demo_users $(DEMO_FLAGS); \
	else \
		echo "DATABASE_URL is set: no demo archive or accounts loaded into it (DEMO=1 loads them)."; \
	fi
	@echo ""
	@echo "The CSTO news archive is at http://$(HOST):$(PORT)/ and its admin at http://$(HOST):$(PORT)/admin/"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: $(BIN)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(BIN)/.installed-dev
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint check
	$(BIN)/python manage.py test --noinput $(TEST_ARGS)
	@echo "Benchmark smoke run (tiny SQLite archive):"
	$(BIN)/python bench/run.py --smoke

# Not part of make test: minutes, on PostgreSQL (127.0.0.1:5432, user postgres).
bench: $(BIN)/.installed
	$(BIN)/python bench/run.py --items $(N) --rounds $(ROUNDS)

bench-scale: $(BIN)/.installed
	$(BIN)/python bench/run.py --scale 10000 100000 1000000 --rounds $(ROUNDS)

# A worker's peak memory while four 40-megapixel PNGs are uploaded at once.
bench-uploads: $(BIN)/.installed
	$(BIN)/python bench/uploads.py

# The production setup of deploy/ on this machine: nginx, two gunicorn app
# servers, a PostgreSQL database and a Redis of its own, checked through nginx
# (deploy/check.py). Needs nginx, redis-server, wrk and openssl; about a minute.
deploy-check: $(BIN)/.installed
	$(BIN)/python deploy/check.py

# The pictures of the editor's desk and of the public site (desktop and
# phone, with the demo archive) in docs/screenshots, which the README links.
screenshots: $(BIN)/.installed-dev
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/python manage.py test --noinput archive.tests.test_desk_browser archive.tests.test_front_browser

# Needs GNU gettext (apt-get install gettext); the compiled files are committed,
# so nothing else does.
messages: $(BIN)/.installed
	$(BIN)/python manage.py makemessages -l ru --no-location --ignore=".venv/*" --ignore="archive/tests/*"
	$(BIN)/python manage.py compilemessages --ignore=".venv/*"

clean:
	rm -rf $(VENV) db.sqlite3 media private-media staticfiles
