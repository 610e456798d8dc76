# AIWisper: `make run` and `make test` do all set-up themselves, once.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make

.PHONY: run test setup lint typecheck bench clean
.DELETE_ON_ERROR:

run: setup
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(VENV)/bin/aiwisper; else $(VENV)/bin/aiwisper serve; fi

test: setup
	$(VENV)/bin/ruff check backend tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

setup: $(STAMPS)/models

$(STAMPS)/system: build/setup-system.sh
	@mkdir -p $(STAMPS)
	./build/setup-system.sh
	touch $@

$(STAMPS)/venv: pyproject.toml $(STAMPS)/system
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,models]'
	touch $@

$(STAMPS)/models: $(STAMPS)/venv $(wildcard backend/aiwisper/models/*.py)
	$(VENV)/bin/aiwisper models build
	touch $@

bench: setup
	$(PY) -m bench.run

lint:
	$(VENV)/bin/ruff check backend tests bench
	$(VENV)/bin/ruff format --check backend

typecheck:
	$(VENV)/bin/mypy

clean:
	rm -rf $(STAMPS) $(VENV) models/*.bin models/*.onnx models/models.json
