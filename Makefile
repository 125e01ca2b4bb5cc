# CV Match — developer commands. `make test` is what CI runs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Offline by default: Hugging Face downloads are not possible here, and a hub id retries for a minute.
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: install tools run test fuzz bench load calibrate clean

install: $(VENV)/.installed

# Reinstall whenever a requirements file changes.
$(VENV)/.installed: requirements/*.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# The whole stack on this machine (Redis if none answers, worker, Flower, API); Ctrl-C stops it.
run: install
	bash scripts/run_local.sh

# Debian packages the tests use: docker-compose validates docker-compose.yml, chromium runs the browser test.
# Installing them needs root and apt; without them the tests that need them skip and say why.
tools:
	@missing=""; for tool in docker-compose chromium; do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	[ -z "$$missing" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null 2>&1 \
	  && echo "installed from Debian's packages:$$missing"; } \
	  || echo "could not install$$missing (needs root and apt): the tests that need it will be skipped"

test: install tools
	$(PY) -m pytest

# Schemathesis against the served API with many more examples than make test and a fresh seed (several minutes).
fuzz: install
	FUZZ_EXAMPLES=$(or $(EXAMPLES),500) FUZZ_SEED=$(or $(SEED),random) $(PY) -m pytest tests/integration/test_fuzz.py -s -q

# The performance benchmark (several minutes; writes bench/results/). Not part of make test.
bench: install
	$(PY) scripts/benchmark.py --label $(or $(LABEL),run)

# Load test: 30 clients on POST /api/match for 60 s against its own stack (.env.example settings); about
# 2 minutes, writes bench/results/<time>-load.json. Not part of make test (a test runs the same). LOAD_ARGS=--help for more.
load: install
	$(PY) -m scripts.load_test $(LOAD_ARGS)

# Fit the configured model's calibration on the project's annotated sample (MODEL_NAME=... to choose).
calibrate: install
	$(PY) -m training.calibrate

clean:
	rm -rf $(VENV) .pytest_cache
