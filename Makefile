# Rathaus – the front door. `make run` installs everything and serves the demo;
# `make test` runs the whole suite (SQLite by default, PostgreSQL when DATABASE_URL says so).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Two test processes: the machine has two cores.
PYTEST_ARGS ?= -n 2
export DJANGO_SETTINGS_MODULE := rathaus.settings

.PHONY: install run serve test lint format messages check-chromium system-deps system-test-deps clean bench

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Rathaus needs Python 3.11 or newer."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compiled translations are build output: made from the .po files when these change.
rathaus/locale/%/LC_MESSAGES/django.mo: rathaus/locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

messages: rathaus/locale/de/LC_MESSAGES/django.mo rathaus/locale/en/LC_MESSAGES/django.mo

install: $(VENV)/.installed node_modules/.installed messages

run: install system-deps
	$(BIN)/rathaus serve --port $(PORT)

# Libraries the app uses from Debian: HarfBuzz's font subsetter, which WeasyPrint uses to embed
# fonts in PDF letters; without it WeasyPrint falls back to fontTools, and a receipt takes about
# five times as long to render (bench/RESULTS.md). Installed when run as root, otherwise named.
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages: libharfbuzz-subset0"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null; \
	  else \
	    echo "PDF letters render about five times faster with HarfBuzz's subsetter: sudo apt-get install libharfbuzz-subset0"; \
	  fi; \
	fi

# Tools the suite needs from Debian: Chromium for the browser tests, xmlsec1 for SAML.
system-test-deps: system-deps
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v xmlsec1 >/dev/null || missing="$$missing xmlsec1"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need the Debian packages:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

test: install system-test-deps
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
