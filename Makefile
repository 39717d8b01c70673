# Touyan: `make run` starts everything on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 chromium poppler-utils zbar-tools gettext
PYTEST_ARGS ?=

.PHONY: setup system-packages run test bench clean

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Please install these Debian packages (as root): apt-get install $$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

setup: system-packages $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore "$(VENV)" -v 0

run: setup
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo_data
	@echo ""
	@echo "  Touyan is running at http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Demo logins (password touyan-demo): demo-secretary demo-trainer demo-office demo-hr demo-street-admin admin"
	@echo ""
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py qcluster & \
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

test: setup
	$(VENV)/bin/pytest -c tests/pytest.ini --rootdir . $(PYTEST_ARGS)

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3* static
