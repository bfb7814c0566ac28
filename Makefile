# chainrule: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
PLOT_STAMP := $(VENV)/.installed-plot
COMPAT_STAMP := $(VENV)/.installed-compat

.PHONY: demo demo-docs test lint compat bench gpu-check fuzz clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# The tests need the dev extra and the dask extra (a LocalCluster runs in tests/test_dask.py).
$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q -e ".[dev,dask]"
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
	$(PY) -m ruff check src tests benchmarks examples compat

# Differential test, long budget: FUZZ_PROGRAMS random programs (tests/differential), chainrule's
# derivatives against finite differences, and against JAX (installed into the venv if absent,
# skipped with a message if that fails) on every FUZZ_JAX_EVERY-th program (JAX compiles each
# program, ~1 s). Failures are shrunk and printed as runnable reproducers. FUZZ_ARGS: more
# options (--start SEED, --include-known-bugs, --no-shrink; see --help).
FUZZ_PROGRAMS ?= 20000
FUZZ_JAX_EVERY ?= 20
fuzz: $(STAMP)
	@$(PY) -c "import jax" 2>/dev/null || $(PY) -m pip install -q jax jaxlib \
		|| echo "fuzz: could not install JAX; checking against finite differences only"
	OPENBLAS_NUM_THREADS=1 $(PY) -W ignore -m tests.differential.programs \
		--programs $(FUZZ_PROGRAMS) --jax-every $(FUZZ_JAX_EVERY) $(FUZZ_ARGS)

$(COMPAT_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e ".[dev,compat]"
	touch $(COMPAT_STAMP)

# autograd 1.9.1's own test suite and short examples, unmodified, with `autograd` imported as
# chainrule (compat/run.py: the sdist comes from the package index, sha256 pinned, cached
# outside the repository in $$CHAINRULE_COMPAT_CACHE or ~/.cache/chainrule-compat). Fails when
# a test fails that is not a deliberate difference listed in the README.
compat: $(COMPAT_STAMP)
	OPENBLAS_NUM_THREADS=1 $(PY) compat/run.py
	OPENBLAS_NUM_THREADS=1 $(PY) compat/run.py --examples

# Benchmarks: one BLAS thread, and OpenBLAS's core-type override unset (it slows current numpy).
bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
		MKL_NUM_THREADS=1 $(PY) benchmarks/run.py $(ARGS)

# On a machine with an NVIDIA GPU: install CuPy (the gpu extra), run the GPU tests, then
# the GPU workloads G1-G3 against hand-written CuPy backprop. About 3 minutes; 8 at most.
GPU_STAMP := $(VENV)/.installed-gpu
$(GPU_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[gpu]"
	touch $(GPU_STAMP)

gpu-check: $(GPU_STAMP)
	$(PY) -c "import cupy; cupy.cuda.runtime.getDeviceCount(); print('GPU:', cupy.cuda.runtime.getDeviceProperties(0)['name'].decode())"
	CHAINRULE_REQUIRE_GPU=1 timeout 240 $(PY) -m pytest -q -p no:cacheprovider tests/test_gpu.py
	timeout 240 $(PY) benchmarks/run.py --only G1,G2,G3 --no-peers --budget 3

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
