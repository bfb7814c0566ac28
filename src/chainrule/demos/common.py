"""Helpers shared by the ``chainrule demo`` experiments: progress bars, figures, reports.

Every demo module (``chainrule.demos.<name>``) has ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> dict``; ``args`` carries
``seed``, ``out`` (an existing :class:`pathlib.Path`), ``quick`` and
``progress``. ``run`` saves its figures with :func:`save_figure`, prints its
summary and returns the report (``demo``, ``seed``, ``quick``, ``numbers``,
``figures``, ``summary``, ``notes``); the command line writes it with
:func:`write_report`.

Files are written through :func:`chainrule.fileio.write_atomic` (atomic,
never through a symbolic link). The command line runs a demo inside
:func:`staged_figures`: its figures are kept in memory and written only once
the demo has succeeded, just before its report.json, so a demo that fails
half-way leaves the previous run's figures and report together, untouched.

Conventions: every printed number is in ``numbers``; numbers that vary from
run to run (wall-clock times) go under ``numbers["timing"]`` so that "same
seed, same numbers" can be checked on the rest (:func:`deterministic_numbers`).

>>> json_ready({"a": __import__("numpy").float64(1.5), "b": (1, 2)})
{'a': 1.5, 'b': [1, 2]}
"""

import contextlib
import gc
import io
import json
import math
import pathlib
import statistics
import sys
import time

import numpy as onp

from .. import fileio

__all__ = ["progress", "pyplot", "figure", "save_figure", "staged_figures", "plain_log_ticks",
           "rng", "write_report", "json_ready",
           "deterministic_numbers", "median_time", "one_blas_thread", "rel_diff", "say"]

#: a bar appears only once a loop has run this long (seconds): quick loops stay quiet
PROGRESS_DELAY = 0.5


def progress(iterable, total=None, desc=None, enabled=True):
    """Wrap ``iterable`` in a tqdm bar (on stderr, shown after 0.5 s) when tqdm is installed.

    Without tqdm, or with ``enabled=False``, the iterable is returned unchanged.

    >>> list(progress(range(3), enabled=False))
    [0, 1, 2]
    """
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm  # optional (the `plot` extra): imported only when used
    except Exception:  # noqa: BLE001 - any failure just means no bar
        return iterable
    return tqdm(iterable, total=total, desc=desc, delay=PROGRESS_DELAY, leave=False,
                dynamic_ncols=True, file=sys.stderr)


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend (no display needed)."""
    import matplotlib
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # before pyplot is imported: works on a headless machine
    import matplotlib.pyplot as plt
    return plt


def figure(figsize=(6.4, 4.2), **kwargs):
    """A new matplotlib :class:`~matplotlib.figure.Figure` not tied to pyplot's global state."""
    from matplotlib.figure import Figure
    return Figure(figsize=figsize, layout="constrained", **kwargs)


def plain_log_ticks(axis):
    """Label a logarithmic ``axis`` (``ax.yaxis``) with plain numbers: 0.05, 2, 30, not 2×10⁰.

    Matplotlib's default writes every label as a power of ten, which is hard to read on an
    axis that spans less than two decades (its minor ticks get labels too).
    """
    from matplotlib.ticker import LogFormatter

    class Plain(LogFormatter):
        # matplotlib decides which ticks get a label (minor ones only on short axes); the
        # label itself is the plain number
        def __call__(self, x, pos=None):
            return f"{x:g}" if super().__call__(x, pos) else ""

    axis.set_major_formatter(Plain())
    axis.set_minor_formatter(Plain(labelOnlyBase=False))


#: resolution of every figure: 100 dpi looks soft when projected or on a high-density screen
DPI = 150


#: {path: PNG bytes} while :func:`staged_figures` is active, else None
_STAGED = None


@contextlib.contextmanager
def staged_figures():
    """Keep the figures :func:`save_figure` makes in memory; write them when the block ends
    without an error, and drop them when it raises.

    Every target is checked before the first is written (a symbolic link there
    fails the whole set), and each is written atomically. Yields the
    ``{path: bytes}`` being collected.

    >>> with staged_figures() as staged:
    ...     pass
    >>> staged
    {}
    """
    global _STAGED
    outer, _STAGED = _STAGED, {}
    staged = _STAGED
    try:
        yield staged
    except BaseException:
        staged.clear()  # the demo failed: none of its figures replace the old ones
        raise
    finally:
        _STAGED = outer
    for path in staged:
        fileio.check_target(path)  # refuse a link at any target before writing one
    for path, data in staged.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fileio.write_atomic(path, data)


def save_figure(fig, path, dpi=DPI):
    """Save ``fig`` as a PNG at ``path`` (Agg renderer, ``dpi``), release it, return the path.

    The image is stored with a palette of 256 colours (no dithering): a line plot has few
    distinct colours, and the palette makes the file about a third of the full-colour size,
    which matters for the figures committed under ``docs/demos``. Written with
    :func:`chainrule.fileio.write_atomic`, or kept until the end of :func:`staged_figures`.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image  # a dependency of matplotlib
    path = pathlib.Path(path)
    FigureCanvasAgg(fig)  # render with Agg whatever the session's backend is
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=dpi, format="png")
    buffer.seek(0)
    # method 0 = median cut, dither 0 = none (numbers, not Pillow ≥ 9.1's enum names)
    image = Image.open(buffer).convert("RGB").quantize(256, method=0, dither=0)
    png = io.BytesIO()
    image.save(png, format="png", optimize=True, dpi=(dpi, dpi))
    if "matplotlib.pyplot" in sys.modules:  # figures made with pyplot must be closed
        sys.modules["matplotlib.pyplot"].close(fig)
    if _STAGED is not None:
        _STAGED[path] = png.getvalue()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        fileio.write_atomic(path, png.getvalue())
    return path


def rng(seed):
    """A NumPy ``Generator`` for ``seed``: the one source of randomness of a demo.

    >>> float(rng(0).normal()) == float(rng(0).normal())
    True
    """
    return onp.random.default_rng(seed)


def json_ready(x):
    """``x`` with NumPy scalars and arrays, tuples and paths turned into JSON types.

    Non-finite floats become the strings ``"nan"``, ``"inf"``, ``"-inf"``
    (JSON has no such numbers).

    >>> json_ready([onp.arange(2), onp.bool_(True), float("inf")])
    [[0, 1], True, 'inf']
    """
    if isinstance(x, dict):
        return {str(k): json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_ready(v) for v in x]
    if isinstance(x, onp.ndarray):
        return json_ready(x.tolist())
    if isinstance(x, (onp.bool_, bool)):
        return bool(x)
    if isinstance(x, (onp.integer, int)):
        return int(x)
    if isinstance(x, (onp.floating, float)):
        x = float(x)
        return x if math.isfinite(x) else str(x)
    if isinstance(x, pathlib.PurePath):
        return str(x)
    if x is None or isinstance(x, str):
        return x
    raise TypeError(f"json_ready: cannot store {type(x).__name__} in a report")


def write_report(out, report):
    """Write ``report`` to ``out/report.json`` with :func:`chainrule.fileio.write_atomic`.

    The JSON text is made (and checked) first; readers never see a half-written report.
    """
    out = pathlib.Path(out)
    text = json.dumps(json_ready(report), indent=2, ensure_ascii=False, allow_nan=False)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.json"
    fileio.write_atomic(path, text + "\n")
    return path


def deterministic_numbers(numbers):
    """``numbers`` without the ``"timing"`` entries (which differ from run to run).

    >>> deterministic_numbers({"acc": 1.0, "timing": {"s": 0.1}, "x": {"timing": 2, "y": 3}})
    {'acc': 1.0, 'x': {'y': 3}}
    """
    if isinstance(numbers, dict):
        return {k: deterministic_numbers(v) for k, v in numbers.items() if k != "timing"}
    return numbers


def median_time(fn, repeats=5, warmup=1, min_total=0.0, max_repeats=100):
    """Median wall-clock seconds of ``fn()`` (``time.perf_counter``), as ``timeit`` measures.

    At least ``repeats`` calls, more (up to ``max_repeats``) until they add up
    to ``min_total`` seconds, so that fast calls get enough samples. The
    median, not the mean, so that one interrupted call does not move the
    result; the garbage collector is paused while timing, as ``timeit`` does.
    """
    for _ in range(warmup):
        fn()
    times = []
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        while len(times) < repeats or (sum(times) < min_total and len(times) < max_repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    finally:
        if gc_was_on:
            gc.enable()
    return statistics.median(times)


@contextlib.contextmanager
def one_blas_thread():
    """Pin BLAS to one thread while timing, with threadpoolctl when installed; yields whether.

    The demos' matrices are small: a second BLAS thread buys nothing there,
    and on a 2-core machine shared with other work it makes times erratic
    (several-fold swings). ``benchmarks/run.py`` does the same.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield False
        return
    with threadpool_limits(limits=1):
        yield True


def rel_diff(a, b):
    """Largest entry-wise difference relative to the largest entry: ``max|a-b| / max(|a|,|b|)``.

    Norm-wise (∞-norm), so that entries that are nearly zero do not turn a
    tiny absolute error into a large relative one.

    >>> rel_diff(onp.array([1.0, 2.0]), onp.array([1.0, 2.002]))  # doctest: +ELLIPSIS
    0.000999...
    """
    a, b = onp.asarray(a, dtype=float), onp.asarray(b, dtype=float)
    scale = max(onp.max(onp.abs(a)), onp.max(onp.abs(b)))
    return float(onp.max(onp.abs(a - b)) / scale) if scale > 0 else 0.0


def say(text=""):
    """Print a summary line, falling back to UTF-8 bytes where the terminal cannot encode it."""
    try:
        print(text, flush=True)
    except UnicodeEncodeError:
        sys.stdout.flush()
        sys.stdout.buffer.write((text + "\n").encode("utf-8"))
        sys.stdout.flush()


def digits_split(seed, test_size=0.25, stratify=True):
    """Standardized 8x8 digits split for training and test: ``X_tr, X_te, y_tr, y_te``."""
    from chainrule import data
    X, y = data.digits()
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=test_size, seed=seed,
                                                   stratify=stratify)
    X_tr, X_te = data.standardize(X_tr, X_te)
    return X_tr, X_te, y_tr, y_te
