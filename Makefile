# CV Match — developer commands. `make test` is what CI runs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Offline by default: Hugging Face downloads are not possible here, and a hub id retries for a minute.
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: install run test calibrate clean

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

test: install
	$(PY) -m pytest

# Fit the configured model's calibration on the project's annotated sample (MODEL_NAME=... to choose).
calibrate: install
	$(PY) -m shared.cli calibrate

clean:
	rm -rf $(VENV) .pytest_cache
