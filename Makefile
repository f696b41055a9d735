# The two commands: `make run` (everything, embedded defaults) and `make test` (the suite).
# `make test` always builds the test database afresh (--create-db): a database left by an
# older checkout, with other migrations, must never decide the result.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint services browser clean messages messages-update faults

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# wsgi, asgi and the Celery app default to production settings; `make run` is local.
run: $(BIN)/.installed
	$(BIN)/python -m config.devrun

# The compiled translations (locale/*/LC_MESSAGES/django.mo) from the .po files, with
# Babel: no GNU gettext needed.
messages: $(BIN)/.installed
	$(BIN)/python -m config.translations

# After changing words in the code: add new ones to the .po files (Django's makemessages,
# which needs GNU gettext: apt-get install gettext), then translate them.
messages-update: $(BIN)/.installed
	DATABASE_URL=sqlite://:memory: $(BIN)/python -m config.translations --extract

services:
	@sh .ci/start-services

browser:
	@sh .ci/install-browser

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(BIN)/.installed services browser lint messages
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=sqlite://:memory: \
	  $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production \
	  SECRET_KEY=check-deploy-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(40))') \
	  ALLOWED_HOSTS=news.example.org DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom \
	  STRIPE_SECRET_KEY=sk_test_check STRIPE_PUBLISHABLE_KEY=pk_test_check \
	  STRIPE_WEBHOOK_SECRET=whsec_check ANYMAIL_WEBHOOK_SECRET=check:check TRUSTED_PROXY_COUNT=1 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/pytest --create-db

# Fault scripts (bench/faults/, not part of `make test`): every scenario, or one with
# SCENARIO=redis|postgres|worker-kill|smtp|stripe-500|shuffle.
faults: $(BIN)/.installed
	$(BIN)/python bench/faults/run.py $(SCENARIO)

clean:
	rm -rf $(VENV) var staticfiles locale/*/LC_MESSAGES/*.mo
