# Touyan: `make run` starts everything on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 chromium poppler-utils zbar-tools gettext
PYTEST_ARGS ?=
# `make production`: the production stack on loopback (see README, "Operations").
# Both `make run` and `make production` stop by sending SIGTERM to the web and qcluster main
# processes, never to the process group: qcluster hangs when its workers get SIGTERM too.
PROD_PORT ?= 8000
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/touyan
PROD_REDIS_URL ?= redis://127.0.0.1:6379/0
WEB_WORKERS ?= 3

.PHONY: setup system-packages run production smoke-production test bench clean

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
	@$(PY) manage.py qcluster & qcluster=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload & web=$$!; \
	trap 'kill -TERM $$web $$qcluster 2>/dev/null; wait' EXIT; trap 'exit 0' INT TERM; \
	wait -n; echo "stopping the web server and the task cluster" >&2; exit 1

# PostgreSQL + Redis, gunicorn + qcluster, lms.settings.production, on $(HOST):$(PROD_PORT).
# Plain http on loopback, so SECURE_SSL_REDIRECT defaults to 0 here; behind a TLS proxy set it to 1
# (or let the proxy redirect). SECRET_KEY comes from the environment, else from var/secret_key
# (made once, kept out of git). Ctrl-C (or SIGTERM to make) stops both processes.
production: setup
	@set -euo pipefail; \
	if [ -z "$${SECRET_KEY:-}" ]; then \
	  mkdir -p var; \
	  [ -s var/secret_key ] || (umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key); \
	  SECRET_KEY=$$(cat var/secret_key); \
	fi; \
	export SECRET_KEY DJANGO_SETTINGS_MODULE=lms.settings.production \
	  DATABASE_URL="$${DATABASE_URL:-$(PROD_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(PROD_REDIS_URL)}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}"; \
	$(PY) manage.py migrate --no-input -v 0; \
	$(PY) manage.py collectstatic --no-input -v 0; \
	$(PY) manage.py check --deploy --fail-level WARNING; \
	$(PY) manage.py qcluster & qcluster=$$!; \
	$(VENV)/bin/gunicorn lms.wsgi:application --bind $(HOST):$(PROD_PORT) --workers $(WEB_WORKERS) \
	  --access-logfile - --graceful-timeout 10 --no-control-socket & gunicorn=$$!; \
	trap 'trap - EXIT INT TERM; kill -TERM $$gunicorn $$qcluster 2>/dev/null; wait' EXIT INT TERM; \
	echo "  Touyan (production settings) on http://$(HOST):$(PROD_PORT)/  gunicorn pid $$gunicorn, qcluster pid $$qcluster"; \
	wait -n; echo "a process of the stack exited; stopping the other" >&2; exit 1

# Boots `make production` on a spare port with a throwaway database and checks it from outside.
smoke-production: setup
	$(PY) .ci/smoke_production.py

test: setup
	$(VENV)/bin/pytest -c tests/pytest.ini --rootdir . $(PYTEST_ARGS)

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3* static
