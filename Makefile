# lotpick: `make run` serves the demo on 127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench demo migrate clean translations

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The translation catalogues (locale/*/LC_MESSAGES/django.po) are compiled to .mo on every install and run:
# pure Python (Babel), no GNU gettext needed; .mo files are never committed (docs/translating.md).
install: $(STAMP)
	$(PY) manage.py compiletranslations --verbosity 0

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo_data

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) benchmarks/run.py

# After changing strings: update the catalogues of every app (<app>/locale) and of the project (locale/),
# one makemessages run from the top folder (needs GNU gettext's xgettext; docs/translating.md).
MAKEMESSAGES_IGNORE := -i tests -i benchmarks -i docs -i staticfiles -i node_modules -i build -i dist
translations: install
	$(PY) manage.py makemessages -l de -l es --no-obsolete --add-location file $(MAKEMESSAGES_IGNORE)
	$(PY) manage.py compiletranslations

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
