# Implicit Bias, executable. Two commands on a fresh machine with Python 3.11:
#   make book   build the HTML book into _build/html (executes every chapter)
#   make test   unit tests, every notebook under nbval, then the book with warnings as errors
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
NBDIR  := _build/nbval
JOBS   ?= 2
CHAPTERS := $(shell git ls-files 'book/*.md' 'book/**/*.md' 2>/dev/null | xargs grep -l '^jupytext:' 2>/dev/null)

.PHONY: book test unit notebooks book-strict venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found. Install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

book: venv
	$(BIN)/jupyter-book build . --keep-going
	@echo "Open _build/html/index.html in a browser."

unit: venv
	$(BIN)/python -m pytest -n $(JOBS) -q tests ibias_lib

notebooks: venv
	rm -rf $(NBDIR) && mkdir -p $(NBDIR)
	for f in $(CHAPTERS); do \
	  out=$(NBDIR)/$$(echo $${f#book/} | tr '/' '_' | sed 's/\.md$$/.ipynb/'); \
	  $(BIN)/jupytext --quiet --to ipynb --output $$out $$f || exit 1; \
	done
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider -o addopts="" $(NBDIR)

book-strict: venv
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(BIN)/jupyter-book build . -n -W --keep-going

test: unit notebooks book-strict

clean:
	rm -rf _build
