# Two commands work on a fresh machine with only python3 and make: `make chat` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat test install telegram index eval bench-squad bench-scale bench-telegram clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

chat: $(STAMP)
	@$(BIN)/quoteqa console

test: $(STAMP)
	$(BIN)/python -m pytest -q
