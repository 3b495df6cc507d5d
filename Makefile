# The two commands: `make run` and `make test` (see README.md).
# Everything runs from the project's own virtualenv in .venv, created with a
# Python >= 3.12 found by scripts/find-python and refreshed whenever a
# requirements file changes. Variables such as DATABASE_URL are taken from
# the environment as they are.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=

TEST_ENV := SECRET_KEY=test-secret-key-not-for-production DJANGO_ALLOW_ASYNC_UNSAFE=true

.DEFAULT_GOAL := help
.PHONY: help install run test lint format messages clean distclean bench bench-data

help:
	@echo "make run       set up, migrate, seed demo data, serve http://127.0.0.1:8000 with a worker"
	@echo "make test      the whole suite (ARGS=\"-k foo\" to narrow it)"
	@echo "make lint      ruff check + ruff format --check"
	@echo "make format    ruff check --fix + ruff format"
	@echo "make messages  update and compile the Vietnamese translations"
	@echo "make bench-data  generate a province-scale register in DATABASE_URL (bench/README.md)"
	@echo "make bench     every benchmark against DATABASE_URL (bench/README.md)"
	@echo "make clean     remove caches and build output (keeps .venv and var/)"
	@echo "make distclean clean, and remove .venv too"

install: $(STAMP)

# Recreate the venv when it is missing or its interpreter is not >= 3.12
# (for example a venv copied from another machine), then install.
$(STAMP): requirements.txt requirements-dev.txt
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
		python="$$(bash scripts/find-python)" || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		"$$python" -m venv --clear $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The web server and one background worker (imports, exports, report
# workbooks); Ctrl-C stops both. PORT=8001 to serve elsewhere.
PORT ?= 8000
run: $(STAMP)
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate
	DEBUG=1 $(PY) manage.py load_units
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py send_reminders
	@DEBUG=1 $(PY) manage.py db_worker --no-reload --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# One worker per core (pytest-xdist); a file's tests stay on one worker.
# JOBS=0 runs everything in one process.
JOBS ?= auto
test: $(STAMP)
	$(TEST_ENV) $(VENV)/bin/pytest -n $(JOBS) --dist loadfile $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l vi --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(PY) manage.py compilemessages -l vi --ignore=.venv --ignore=staticfiles

bench-data: $(STAMP)
	$(PY) bench/generate.py --households 100000 $(ARGS)

bench: $(STAMP)
	$(PY) bench/run_all.py $(ARGS)

clean:
	rm -rf .pytest_cache .ruff_cache staticfiles test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
