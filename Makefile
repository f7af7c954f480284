# `make run`: set everything up and serve the app on the bundled corpus. `make test`: set up and run the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.askgov-installed

export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install models index clean

run: index
	$(BIN)/askgov serve

test: models
	$(BIN)/python -m pytest

install: $(STAMP)

# torch is pinned to 2.13.0, the CPU build pip finds on this machine's disk (an unpinned torch is a multi-GB CUDA build).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

models: install
	$(BIN)/askgov models fetch

index: models
	$(BIN)/askgov ingest corpus/ --prune

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*/ .pytest_cache
