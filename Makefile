# The README's two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
# `make run PORT=8080` when 5000 is taken.
PORT ?= 5000
BIN := $(VENV)/bin
export FLASK_APP := registration

.PHONY: run test lint format translations extract-messages bench install

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || { \
	  echo "WeasyPrint needs Pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"; \
	  exit 1; }
	@test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
	  && test -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf || { \
	  echo "Badges and lists need fonts for every script: sudo apt-get install fonts-noto-core fonts-noto-cjk"; \
	  exit 1; }
	touch $@

translations: install
	$(BIN)/pybabel compile -d registration/translations

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o registration/translations/messages.pot --no-location --sort-output --omit-header --ignore-dirs '.* __pycache__' .
	$(BIN)/pybabel update -i registration/translations/messages.pot -d registration/translations --no-fuzzy-matching

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/flask staff ensure-admin
	@echo "Serving http://127.0.0.1:$(PORT) with the background worker; Ctrl-C stops both."
	export REGISTRATION_PUBLIC_BASE_URL=$${REGISTRATION_PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}; \
	  $(BIN)/flask worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install translations
	$(BIN)/python -m bench
