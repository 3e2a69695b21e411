# The two commands: `make run` (the demo on SQLite at http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: setup system-deps run test test-pg test-browser translations extract-messages update-catalogs bench clean

setup: $(VENV)/.installed translations system-deps

# Debian packages the tests use: Chromium for the browser tests (no browser download),
# fonts and poppler-utils for the PDF tests. Installed only when missing and when root.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core poppler-utils >/dev/null; \
	  else echo "note: install chromium and poppler-utils (Debian) for the browser and PDF tests"; fi; \
	fi

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d debate/translations

# Serves on every network of this computer (phones in the hall reach it), prints the addresses they
# open with a QR code for the director's phone, and prints links and QR sheets with the first of
# them unless PUBLIC_BASE_URL says otherwise.
run: setup
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi debate demo --reuse
	@$(BIN)/flask --app wsgi debate addresses --port $(PORT)
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-$$($(BIN)/flask --app wsgi debate addresses --port $(PORT) --first)} \
		$(BIN)/gunicorn --worker-class gevent --workers 1 --no-control-socket --bind 0.0.0.0:$(PORT) wsgi:app

# The whole suite on SQLite; then again on PostgreSQL when TEST_DATABASE_URL is set
# (.ci/run sets it); then the browser tests (they install Debian's Chromium if missing).
test: setup
	env -u TEST_DATABASE_URL $(BIN)/pytest -q -p no:cacheprovider tests
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-pg; fi

test-pg: setup
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest -q -p no:cacheprovider tests --ignore=tests/tab --ignore=tests/browser

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o debate/translations/messages.pot --no-location --sort-output --ignore-dirs=".* _* node_modules bench tests migrations" .

update-catalogs: extract-messages
	$(BIN)/pybabel -q update -i debate/translations/messages.pot -d debate/translations --no-fuzzy-matching --ignore-obsolete -w 100

bench: setup
	$(BIN)/python bench/draw.py && $(BIN)/python bench/allocation.py && $(BIN)/python bench/standings.py

clean:
	rm -rf $(VENV) instance .pytest_cache
