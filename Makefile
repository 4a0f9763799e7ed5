# The commands the README names. Each bootstraps .venv from requirements.lock first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The engine compiled by mypyc (calmdesk/engine/native.py): rebuilt when a compiled module
# changes; without a C compiler it is skipped and the engine runs as pure Python.
ENGINE_SOURCES := $(addprefix calmdesk/engine/,$(addsuffix .py,cues facts features model \
	questions reading sentiment subjectivity text tones types strip rules draft coach_thread coach native))
ENGINE_BUILD := calmdesk/engine/_native/.make-stamp

.PHONY: demo demo-reset test test-fast test-sqlite test-postgres bench lint format lock venv

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(ENGINE_BUILD): $(STAMP) $(ENGINE_SOURCES)
	$(BIN)/calmdesk engine build --if-possible || echo "calmdesk: the engine did not compile; it runs as pure Python"
	@mkdir -p $(dir $@) && touch $@

venv: $(STAMP) $(ENGINE_BUILD)

demo: $(STAMP) $(ENGINE_BUILD)
	$(BIN)/calmdesk demo

demo-reset: $(STAMP) $(ENGINE_BUILD)
	$(BIN)/calmdesk demo --reset

test: $(STAMP) $(ENGINE_BUILD)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	bash scripts/run-tests

# A quick local loop: no lint, and without the tests marked slow (benchmarks, subprocesses,
# whole corpora). `make test`, what CI runs, runs everything.
test-fast: $(STAMP) $(ENGINE_BUILD)
	bash scripts/run-tests -m "not slow"

bench: $(STAMP) $(ENGINE_BUILD)
	$(BIN)/calmdesk bench all

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the lock after changing dependencies in pyproject.toml (needs uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock
