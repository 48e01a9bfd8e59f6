# One command each, on a fresh machine with Python 3.10+:
#   make book   build the HTML book into _build/html
#   make test   run every test (notebooks fast, structure, stored outputs, data, book build)
# Both create or refresh the virtual environment .venv from requirements.txt first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NB ?=

.PHONY: help venv book test test-fast execute lab student benchmark seeds clean

help:
	@echo "make book        build the HTML book (_build/html/index.html)"
	@echo "make test        run every test"
	@echo "make test-fast   run the chapters fast (NB=notebooks/NN_x.ipynb for one)"
	@echo "make execute     re-execute and store full-run outputs (NB=... for one chapter)"
	@echo "make lab         open the chapters in JupyterLab"
	@echo "make student     write student/ : the chapters without solutions"
	@echo "make benchmark   time each chapter's fast and full runs and the test suite into benchmarks.md"
	@echo "make seeds       run the chapters fast over seeds 1-5 into seeds.md (NB=..., SEEDS=\"1 2\", JOBS=2)"

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

book: venv
	$(BIN)/jupyter-book build -W -n --keep-going .
	@echo "The book is at _build/html/index.html"

test: venv
	$(BIN)/python -m pytest

test-fast: venv
	NNH_FAST=1 $(BIN)/python -m pytest $(if $(NB),$(NB),notebooks)

execute: venv
	$(BIN)/python scripts/execute.py $(if $(NB),$(NB),--all)

lab: venv
	$(BIN)/jupyter lab notebooks

student: venv
	$(BIN)/python scripts/make_student_version.py

benchmark: venv
	$(BIN)/python scripts/benchmark.py --suite $(NB)

# Not part of make test: five fast runs of every chapter take a while.
seeds: venv
	$(BIN)/python scripts/seeds.py $(NB) $(if $(SEEDS),--seeds $(SEEDS)) $(if $(JOBS),--jobs $(JOBS)) $(if $(OUT),--output $(OUT))

clean:
	rm -rf _build student
