# chainrule: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
PLOT_STAMP := $(VENV)/.installed-plot

.PHONY: demo demo-docs test lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

$(PLOT_STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q -e ".[plot]"
	touch $(PLOT_STAMP)

# The main job: the lecture's example values, then the Iris demo (figures and report in out/iris).
demo: $(PLOT_STAMP)
	$(PY) examples/lecture_example.py
	OPENBLAS_NUM_THREADS=1 $(VENV)/bin/chainrule demo iris

# The committed full-size reports that the README and docs/demos.md quote: every demo at its
# default size and seed into docs/demos/<demo>/ (report.json and figures; tests/test_tour.py
# checks the quoted numbers against them). One or a few demos: make demo-docs DEMOS="iris modes"
DEMOS ?= all
demo-docs: $(PLOT_STAMP)
	@if [ "$(DEMOS)" = all ]; then \
		OPENBLAS_NUM_THREADS=1 $(VENV)/bin/chainrule demo all --no-progress --out docs/demos; \
	else for d in $(DEMOS); do \
		OPENBLAS_NUM_THREADS=1 $(VENV)/bin/chainrule demo $$d --no-progress --out docs/demos/$$d \
			|| exit 1; \
	done; fi

test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks examples

# Benchmarks: one BLAS thread, and OpenBLAS's core-type override unset (it slows current numpy).
bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
		MKL_NUM_THREADS=1 $(PY) benchmarks/run.py $(ARGS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
