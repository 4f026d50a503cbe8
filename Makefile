# Convolutional Networks, Measured: every workflow is a make target.
#   make book       build the HTML book from stored outputs (_build/html)
#   make test       lint, build the book, run unit, notebook (nbval) and browser tests
#   make outputs    re-execute the chapters in book/ and store their outputs
#   make solutions  regenerate exercises/ and solutions/ from notebooks/
#   make bench      measure run time and memory against the budgets
#   make lab        JupyterLab from .venv on 127.0.0.1, to work in the notebooks
#   make grade SUBMISSIONS=DIR [ROSTER=roster.csv]   grade every notebook under DIR:
#                   grades.csv, gradebook.csv, canvas.csv, feedback/, report.html
#   make nbgrader   write an nbgrader course directory from notebooks/
#   make student-repo STUDENT_REPO=DIR STUDENT_URL=https://...   a copy without
#                   solutions, for students
#   make pdf        the PDF edition of the built book (_build/pdf/)
#   make coverage   line coverage of checks, grading and term (each above 90%)
#   make release VERSION=x.y   tag a release vx.y pinned to itself; then git push origin vx.y
# Each target creates .venv and installs the pinned requirements when needed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The course's command line (cnnbook/commands): `cnnbook --help` lists its commands.
CNNBOOK := $(VENV)/bin/cnnbook
STAMP := $(VENV)/.installed
JOBS ?= 2

# The kernels' environment (quiet TensorFlow, seeds) is set in one place,
# cnnbook/runtime.py, which the executor and tests/conftest.py read.

.PHONY: book test outputs solutions bench lint venv clean fuzz outputs-check lab \
	grade nbgrader student-repo pdf release coverage

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check \
	    -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -c "import cnnbook, nbval, myst_nb"
	$(CNNBOOK) --help > /dev/null
	@touch $(STAMP)

# `make book SOLUTIONS=no` leaves the solutions out (for instructors who keep them private).
SOLUTIONS ?= yes
PUBLIC_TOC := _build/toc-without-solutions.yml

book: $(STAMP)
ifeq ($(SOLUTIONS),no)
	rm -rf _build/html _build/.doctrees  # no solution page may survive from a full build
	$(CNNBOOK) toc-without-solutions _toc.yml $(PUBLIC_TOC)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going --toc $(PUBLIC_TOC)
else
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
endif
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# Code cells of the notebooks stay within 88 columns, so they read on a phone
# without scrolling sideways (exercises/ and solutions/ are generated from notebooks/).
NOTEBOOKS := book notebooks

# ESLint (pinned in tests/js/package-lock.json) over the widgets' ES modules, the
# page loader and the test scripts; installed with npm ci when missing or older
# than the lock (npm writes node_modules/.package-lock.json on every install).
JS_TOOLS := tests/js/node_modules/.package-lock.json
ESLINT := tests/js/node_modules/.bin/eslint

$(JS_TOOLS): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

lint: $(STAMP) $(JS_TOOLS)
	$(VENV)/bin/ruff check cnnbook tests
	$(VENV)/bin/ruff format --check cnnbook tests
	$(VENV)/bin/ruff check --select E501 --line-length 88 $(NOTEBOOKS)
	$(ESLINT) --config tests/js/eslint.config.mjs --max-warnings 0 \
	    cnnbook/widgets _extra/cnnbook-widgets.js tests/js
	$(VENV)/bin/shellcheck .ci/run .ci/debian-packages
	$(VENV)/bin/actionlint -shellcheck $(VENV)/bin/shellcheck -pyflakes= \
	    .github/workflows/*.yml

test: lint book
	$(PY) -m pytest -n $(JOBS) --dist loadfile --nbval tests book solutions

outputs: $(STAMP)
	$(CNNBOOK) execute book/*.ipynb

solutions: $(STAMP)
	$(CNNBOOK) solutions notebooks/*.ipynb

# JupyterLab from the venv, on this machine only (127.0.0.1); it prints the
# address with its token. Root (a container) needs --allow-root.
LAB_PORT ?= 8888
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser \
	    $$([ "$$(id -u)" = 0 ] && echo --allow-root) --ServerApp.root_dir=$(CURDIR)

# The PDF edition (cnnbook/publishing/pdf.py): every page of the built book
# printed by Debian's Chromium into one PDF, with a cover, contents and
# bookmarks; `make pdf SOLUTIONS=no` leaves the solutions out, as make book does.
# .ci/debian-packages installs Chromium first when it is missing.
PDF ?= _build/pdf/convolutional-networks-measured.pdf
pdf: book
	.ci/debian-packages
	$(CNNBOOK) pdf _build/html $(PDF) \
	    $(if $(filter no,$(SOLUTIONS)),--toc $(PUBLIC_TOC))

# A release for a term (cnnbook/publishing/release.py): tags HEAD's content as
# vVERSION with _config.yml's ref and every Colab install cell pinned to the
# tag, in a commit on no branch; your checkout is not changed. Publish it with
# `git push origin vVERSION` (the workflow builds and deploys the tag).
release: $(STAMP)
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y" >&2; exit 2; }
	$(CNNBOOK) release $(VERSION)

bench: $(STAMP)
	$(CNNBOOK) bench

# Grading runs each submission in a sandboxed kernel (README, "Instructors"),
# then writes the term's outputs beside grades.csv: gradebook.csv, canvas.csv,
# manual.csv, feedback/<id>.html, report.html (README, "A whole term").
# JOBS given on the command line sets the kernels run at once (default: the cores).
#   ROSTER=roster.csv    the students (default: course.yml's roster, if any)
#   COURSE=course.yml    assignments, due dates, late rules (default: course.yml)
#   MANUAL=filled.csv    hand grades to merge;  RUN=no: no kernel, outputs only
#   ONLY=ID              grade that student again, update their rows
SUBMISSIONS ?=
GRADE_FLAGS ?=
ROSTER ?=
COURSE ?=
MANUAL ?=
ONLY ?=
RUN ?= yes
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=DIR \
	[ROSTER=roster.csv] [MANUAL=filled.csv [RUN=no]] [ONLY=ID]"; exit 2; }
	$(CNNBOOK) grade "$(SUBMISSIONS)" \
	    $(if $(filter command line environment,$(origin JOBS)),--jobs $(JOBS)) \
	    $(if $(ROSTER),--roster "$(ROSTER)") $(if $(COURSE),--course "$(COURSE)") \
	    $(if $(MANUAL),--manual "$(MANUAL)") $(if $(ONLY),--only "$(ONLY)") \
	    $(if $(filter no,$(RUN)),--no-run) $(GRADE_FLAGS)

NBGRADER_COURSE ?= _build/nbgrader
nbgrader: $(STAMP)
	$(CNNBOOK) nbgrader notebooks/*.ipynb --out $(NBGRADER_COURSE)
	@echo "The nbgrader course is in $(NBGRADER_COURSE) (README, \"Instructors\")"

STUDENT_REPO ?= ../$(notdir $(CURDIR))-student
STUDENT_URL ?=
student-repo: $(STAMP)
	@test -n "$(STUDENT_URL)" || { echo "usage: make student-repo \
	STUDENT_REPO=DIR STUDENT_URL=https://github.com/you/convnets-student (the student \
	repository's address: the book's Binder and Colab buttons must open it, not \
	this repository and its solutions)" >&2; exit 2; }
	$(CNNBOOK) student-repo "$(STUDENT_REPO)" --url "$(STUDENT_URL)"

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis .coverage .coverage.*

# Line coverage of the packages that judge students (their tests only): each
# must stay above 90%. Code that runs only inside a sandboxed process (the
# sandbox's own set-up, a judge or code host started by the grader) is
# measured where the tests run it in-process, or in a forked copy of the test
# process that sends its lines back (tests/helpers.py, in_fork). HTML in
# _build/coverage.
COVERED := checks grading term
coverage: $(STAMP)
	rm -f .coverage .coverage.*
	$(PY) -m pytest -q -n $(JOBS) --dist loadfile \
	    $(foreach p,$(COVERED),--cov=cnnbook.$(p)) --cov-report= \
	    $(foreach p,$(COVERED),tests/$(p))
	$(PY) -m coverage html -q -d _build/coverage
	@for p in $(COVERED); do \
	    printf 'cnnbook/%-8s ' "$$p"; \
	    $(PY) -m coverage report --include="cnnbook/$$p/*" \
	        --fail-under=90 | tail -n 1 || exit 1; \
	done

# Property tests with random seeds and many more examples (tests/conftest.py);
# make test runs the same properties derandomised.
fuzz: $(STAMP)
	CNNBOOK_FUZZ=1 $(PY) -m pytest -n $(JOBS) -m hypothesis tests

# Strict nbval over book/ and solutions/ again, once per lever that moves the
# last bits of floating point (README, "Every stored output reproduces").
outputs-check: $(STAMP)
	$(CNNBOOK) outputs-check --jobs $(JOBS)
