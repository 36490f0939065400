# The two commands of the README: `make lab` and `make test`. Each sets itself up on a machine
# that has only Python 3 and pip, and is quick once set up.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KERNEL ?= lstm-cpu
SETUP := $(VENV)/.setup

PYTEST := $(BIN)/python -m pytest
NOTEBOOKS := $(wildcard book solutions)

.PHONY: lab test setup lint unit notebooks exercises grade reproduce robustness another-machine html notebooks-dist clean

# JupyterLab on chapter 00 (teaching_tools/lab.py holds the command line; the browser test runs it too).
lab: $(SETUP)
	$(BIN)/python -m teaching_tools.lab

test: $(SETUP) lint unit notebooks

setup: $(SETUP)

# Re-run only when the pins or the kernel set-up change. Where nvidia-smi lists a GPU, TensorFlow's
# CUDA wheels too (the `gpu` extra): the GPU is probed here, when the set-up runs, not on every make.
$(SETUP): pyproject.toml teaching_tools/setup_jupyter.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[book,test,site$$(nvidia-smi -L >/dev/null 2>&1 && echo ,gpu)]"
	$(BIN)/python -m teaching_tools.setup_jupyter
	@touch $@

lint: $(SETUP)
	$(BIN)/ruff check lstm_lib teaching_tools solutions tests conftest.py

unit: $(SETUP)
	$(PYTEST) tests

notebooks: $(SETUP)
	$(PYTEST) --nbval-lax --nbval-kernel-name $(KERNEL) --nbval-cell-timeout 900 $(NOTEBOOKS)

exercises: $(SETUP)
	$(BIN)/python -m teaching_tools.make_exercises

# The long versions of the chapters' experiments (many minutes), then the results table.
reproduce: $(SETUP)
	$(BIN)/python -m teaching_tools.reproduce --kernel $(KERNEL) $(CHAPTERS)

# Every chapter that asserts a claim about a trained model, under book seeds 0-4 and with oneDNN
# capped at AVX2 and at SSE41 (other CPUs' arithmetic): each claim's values and smallest margin.
robustness: $(SETUP)
	$(BIN)/python -m teaching_tools.robustness --kernel $(KERNEL) $(CHAPTERS)

# The same chapters once, as another reader's machine runs them: another book seed, and oneDNN
# capped below this CPU's instruction set (AVX2 where the CPU has AVX-512, SSE41 elsewhere).
# CI runs this after `make test`.
OTHER_SEED ?= 3
OTHER_ISA ?= $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo AVX2 || echo SSE41)
CLAIM_CHAPTERS = $(shell grep -l 'runs\.claim' book/*.md)
another-machine: $(SETUP)
	LSTM_BOOK_SEED=$(OTHER_SEED) ONEDNN_MAX_CPU_ISA=$(OTHER_ISA) $(PYTEST) --nbval-lax \
		--nbval-kernel-name $(KERNEL) --nbval-cell-timeout 900 $(CLAIM_CHAPTERS)

# The book as a website in build/html (site/conf.py): the README, the chapters with their outputs,
# the problem sets. Chapters are executed once and cached (build/.jupyter_cache): after an edit,
# only that chapter runs again. `make notebooks-dist`: every chapter and problem set as .ipynb in
# build/notebooks, a set-up cell first that installs the book's library outside this repository
# (from BOOK_SOURCE: the published repository's git URL, or a wheel; see the README).
html: $(SETUP)
	$(BIN)/python -m teaching_tools.website $(if $(BOOK_SOURCE),-D book_source=$(BOOK_SOURCE))

notebooks-dist: $(SETUP)
	$(BIN)/python -m teaching_tools.notebooks_dist $(if $(BOOK_SOURCE),--source $(BOOK_SOURCE)) build/notebooks

# Grade a folder of submissions: make grade SUBMISSIONS=path/to/folder
grade: $(SETUP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=path/to/folder" >&2; exit 2; }
	$(BIN)/python -m teaching_tools.grade $(SUBMISSIONS) --kernel $(KERNEL) --csv grades.csv --json grades.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
