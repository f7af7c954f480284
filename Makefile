# `make run`: set everything up and serve the app on the bundled corpus. `make test`: set up and run the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.askgov-installed

export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
# llama.cpp (llama-cpp-python) is compiled at install. Built for the CPU it is built on (GGML_NATIVE), it crashed
# with a segmentation fault on the first token on a 2-core AVX-512 machine (2026-12-02); built for AVX2, as
# here, it runs there and on any x86-64 CPU of the last ten years. Override CMAKE_ARGS to build otherwise.
CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
export CMAKE_ARGS

.PHONY: run test install models index clean browser topology-tools lock

run: index
	$(BIN)/askgov serve

test: models browser topology-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The browser test uses Debian's chromium (Playwright never downloads a browser) and CJK/emoji fonts for the
# screenshots. Installing needs root, as in CI; elsewhere run `sudo make browser` once. It also injects axe-core
# (WCAG checks, one 0.6 MB script from the npm registry, pinned) from build/axe, where npm puts it.
AXE_CORE := axe-core@4.14.1
AXE_DIR := build/axe
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi wqy || \
		(apt-get update -q && apt-get install -y -q chromium fonts-wqy-zenhei fonts-noto-color-emoji)
	@grep -qs '"version": "$(subst axe-core@,,$(AXE_CORE))"' $(AXE_DIR)/node_modules/axe-core/package.json || { \
		command -v npm >/dev/null || (apt-get update -q && apt-get install -y -q npm); \
		npm install --prefix $(AXE_DIR) --no-save --no-audit --no-fund --loglevel=error $(AXE_CORE); }

# tests/test_topology.py runs Debian's PostgreSQL (a scratch cluster of its own, never the system's) beside a
# Chroma server; tests/test_deploy.py checks deploy/nginx.conf with Debian's nginx (`nginx -t`, no daemon).
# Installing needs root, as in CI; elsewhere run `sudo make topology-tools` once.
topology-tools:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && test -x /usr/sbin/nginx || \
		(apt-get update -q && apt-get install -y -q postgresql nginx)

install: $(STAMP)

# torch is pinned to 2.13.0, the CPU build pip finds on this machine's disk (an unpinned torch is a multi-GB CUDA build).
# constraints.txt holds every other package at the version last tested: a fresh CI machine once took a new httpx2
# that broke the openai backend (2026-12-04).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt -e '.[dev]'
	touch $@

# Resolve pyproject.toml's ranges afresh in a scratch venv and record the result under constraints.txt's comment
# lines; run `make test` after it.
LOCK_VENV := $(VENV)-lock
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	{ grep '^#' constraints.txt; $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf $(LOCK_VENV)

models: install
	$(BIN)/askgov models fetch --all

index: models
	$(BIN)/askgov ingest corpus/ --prune

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*/ .pytest_cache
