# The two commands in the README: `make run` and `make test`. Everything else is a step.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The app's settings keep DEBUG off unless it is set on; these commands are for a laptop
# (the embedded default database, the demo accounts), so they set it on. A server sets
# nothing and runs with DEBUG off.
export DEBUG ?= true

.PHONY: run test setup deps assets messages migrate data lint format clean prerequisites prerequisites-test

# The task worker (long reports) runs beside the web server and stops with it.
run: prerequisites setup
	@echo "Serving on http://127.0.0.1:$(PORT)/ with a task worker (Ctrl+C stops both)"
	@$(PY) manage.py db_worker --queue-name default & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' INT TERM EXIT; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: prerequisites-test deps assets messages
	$(VENV)/bin/pytest

# System tools first: installed when possible (root on Debian), else one command to run.
prerequisites:
	@PYTHON=$(PYTHON) bin/prerequisites

prerequisites-test:
	@PYTHON=$(PYTHON) bin/prerequisites --test

setup: deps assets messages migrate data

# Re-installs only when a requirements file changes.
deps: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Bootstrap from the npm registry, exactly as package-lock.json says: no CDN at runtime.
assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: deps
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity=0

migrate: deps
	$(PY) manage.py migrate --no-input --verbosity=0

data: migrate
	$(PY) manage.py load_framework
	$(PY) manage.py load_demo_data

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract new strings into the French catalogue (then translate them in locale/fr).
makemessages: deps
	$(PY) manage.py makemessages -l fr -l es -l ar --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --no-obsolete

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm test_db.sqlite3*
