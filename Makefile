# CRSV MIS: `make demo` serves a seeded demo, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: demo test lint install serve clean-demo benchmark worker beat backup restore

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The demo's own keys, generated once and kept beside db.sqlite3 (never committed): the product
# has no default key, and the demo database stays readable from one run to the next.
DEMO_ENV := .demo.env
$(DEMO_ENV): | $(VENV)/.installed
	$(PY) -c "import secrets; from cryptography.fernet import Fernet; \
	print('FIELD_ENCRYPTION_KEYS=' + Fernet.generate_key().decode()); \
	print('AUDIT_CHAIN_KEY=' + secrets.token_urlsafe(32)); print('AUDIT_CHECKPOINT_DIR=audit-checkpoints')" > $@

# The demo runs without a second factor (REQUIRE_2FA=0) so the printed logins work at once.
demo: install $(DEMO_ENV)
	set -a && . ./$(DEMO_ENV) && set +a && export REQUIRE_2FA=0 && mkdir -p "$$AUDIT_CHECKPOINT_DIR" && \
	$(PY) manage.py migrate --noinput && $(PY) manage.py seed_demo && \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

benchmark: install
	$(PY) benchmarks/incidents_at_scale.py

worker: install
	$(VENV)/bin/celery -A crsv_mis worker -l info

beat: install
	$(VENV)/bin/celery -A crsv_mis beat -l info

# Backup of DATABASE_URL: BACKUP_DIR/crsv-YYYYmmdd-HHMMSS.dump and its .json manifest. The field
# encryption keys are not in it: they are backed up separately (README, "Backup and restore").
BACKUP_DIR ?= backups
backup:
	$(PY) manage.py backup_database --output-dir $(BACKUP_DIR)

# Restore into the empty database of DATABASE_URL, then check counts, encrypted fields, audit chain.
restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/crsv-YYYYmmdd-HHMMSS.dump" >&2; exit 2; }
	$(PY) manage.py restore_database "$(FILE)"

clean-demo:
	rm -f db.sqlite3
