# Implicit Bias, executable. Two commands on a fresh machine with Python 3.11:
#   make book   build the HTML book into _build/html (executes every chapter)
#   make test   unit tests (claims sweeps included) side by side with the book built with every chapter executed and warnings as errors,
#               then every page of it offline in headless Chromium (make browser)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# nbgrader 0.9.6 and its pins (grading/requirements.txt), apart from the book's venv
GVENV  := .venv-grading
NBDIR  := _build/nbval
JOBS   ?= 2
CHAPTERS := $(shell git ls-files 'book/*.md' 'book/**/*.md' 2>/dev/null | xargs grep -l '^jupytext:' 2>/dev/null)

TEX_PACKAGES := latexmk texlive-xetex texlive-latex-recommended texlive-latex-extra \
                texlive-fonts-recommended texlive-fonts-extra texlive-science texlive-plain-generic \
                fonts-freefont-otf

.PHONY: pdf book test unit notebooks book-strict browser ipynb lab lite student venv clean ledger grading-venv

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found. Install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# The nbgrader round-trip test (tests/test_grading_nbgrader.py) runs nbgrader from its own venv.
grading-venv: $(GVENV)/.installed

$(GVENV)/.installed: grading/requirements.txt
	test -x $(GVENV)/bin/python || $(PYTHON) -m venv $(GVENV)
	$(GVENV)/bin/python -m pip install --quiet --upgrade pip
	$(GVENV)/bin/python -m pip install --quiet -r grading/requirements.txt
	touch $@

# make book HIDE_SOLUTIONS=1: the HTML without written solutions and without self-check outputs
# (grading/book_ext/coursework_book.py), for a course whose exercises are graded.
book: venv
	$(if $(HIDE_SOLUTIONS),IBIAS_HIDE_SOLUTIONS=1 )$(BIN)/jupyter-book build . --keep-going
	@echo "Open _build/html/index.html in a browser."

unit: venv grading-venv
	$(BIN)/python -m pytest -n $(JOBS) -q --ignore=tests/browser tests ibias_lib

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

# Every page of the built book in headless Chromium, offline (tests/browser; screenshots in
# _build/screenshots). Skips with a message if Chromium is missing: apt-get install chromium
browser: venv
	@test -f _build/html/index.html || { echo "error: no built book; run 'make book' first" >&2; exit 1; }
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider tests/browser

# Every chapter as a plain .ipynb (set-up cell that installs ibias_lib first) in _build/notebooks,
# the content of the `notebooks` branch that the chapters' Colab links open (README).
ipynb: venv
	rm -rf _build/notebooks
	$(BIN)/python book/_ext/notebook_links.py --out _build/notebooks $(CHAPTERS)

# JupyterLite (Python in the browser, no server) in _build/html/_lite: every chapter as .ipynb and
# the ibias_lib wheel; then the book, whose chapters get a JupyterLite entry in the launch menu.
# The browser fetches Pyodide (numpy, scipy, matplotlib) from the jsDelivr CDN when a kernel starts.
lite: ipynb
	rm -rf _build/lite _build/html/_lite && mkdir -p _build/lite/wheels
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir _build/lite/wheels . && rm -rf build
	$(BIN)/jupyter lite build --lite-dir $(CURDIR)/_build/lite --contents $(CURDIR)/_build/notebooks \
	  --piplite-wheels $$(ls $(CURDIR)/_build/lite/wheels/*.whl) --output-dir $(CURDIR)/_build/html/_lite
	$(BIN)/jupyter-book build . --all --keep-going   # --all: every page gets the JupyterLite entry

# JupyterLab with the repository's .jupyter/ config: a double click opens a chapter .md as a notebook
# As root (a container, Binder's build), Jupyter refuses to start without --allow-root: add it.
lab: venv
	@if [ "$$(id -u)" -eq 0 ]; then echo "running as root: adding --allow-root"; fi
	JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter $(BIN)/jupyter lab $$( [ "$$(id -u)" -eq 0 ] && echo --allow-root )

# Coursework (grading/README.md): student/<part>_<chapter>.ipynb (practice, no solutions),
# student/source/<chapter>/ (nbgrader instructor sources) and student/handout/ (graded assignments).
# Grade: python -m grading.grade x.ipynb --student ID, or --batch DIR --chapter C --out R
student: venv
	$(BIN)/python -m grading.student --out student

# The book as one PDF (_build/latex/book.pdf): Jupyter Book's LaTeX builder with XeLaTeX.
# Needs Debian's TeX (about 1.5 GB; apt-get install $(TEX_PACKAGES)) and executes every chapter
# again (~7 min on 2 cores), so it is not part of `make test`.
pdf: venv
	@command -v latexmk >/dev/null && command -v xelatex >/dev/null || { echo "error: make pdf needs TeX: apt-get install --no-install-recommends $(TEX_PACKAGES)" >&2; exit 1; }
	$(BIN)/jupyter-book build . --builder pdflatex
	@echo "PDF: _build/latex/book.pdf"

# The claims ledger's data (book/_data/claims/*.json): every experiment over its seed sweep.
# tests/test_claims.py fails when these files no longer match the code. One experiment: KEYS=rates
ledger: venv
	$(BIN)/python -m ibias_lib.experiments sweep -j $(JOBS) $(KEYS)

# `notebooks` (nbval) is not in `test`: book-strict executes every chapter with
# nb_execution_raise_on_error, the same check, so running both would execute each chapter twice.
# The unit tests and the strict book build are independent: run them side by side (the book
# executes its chapters one at a time, so it leaves a core the tests use); then the browser test.
test:
	$(MAKE) --no-print-directory -j 2 --output-sync=target unit book-strict
	$(MAKE) --no-print-directory browser

clean:
	rm -rf _build
