"""Optional peer libraries: HIPS autograd, torch (CPU) and jax. None is required.

:func:`load` imports the ones asked for and installed, pins each to one
thread, and returns them with a note for every one that is skipped.
"""

import importlib


class Peers:
    """The peer modules that could be imported (``None`` when not)."""

    def __init__(self):
        self.autograd = None   # the autograd package
        self.anp = None        # autograd.numpy
        self.torch = None
        self.jax = None
        self.jnp = None
        self.versions = {}
        self.notes = []

    def names(self):
        out = []
        if self.autograd:
            out.append("autograd")
        if self.torch:
            out.append("torch")
        if self.jax:
            out += ["jax", "jax-jit"]
        return out


def load(wanted=("autograd", "torch", "jax")):
    p = Peers()
    if "autograd" in wanted:
        try:
            p.autograd = importlib.import_module("autograd")
            p.anp = importlib.import_module("autograd.numpy")
            importlib.import_module("autograd.scipy.special")
            p.versions["autograd"] = _version("autograd")
        except ImportError as e:
            p.autograd = p.anp = None
            p.notes.append(f"autograd skipped: not installed ({e}); `pip install autograd`")
    if "torch" in wanted:
        try:
            torch = importlib.import_module("torch")
            torch.set_num_threads(1)
            try:
                torch.set_num_interop_threads(1)
            except RuntimeError:
                pass  # already set once in this process
            importlib.import_module("torch.func")
            p.torch = torch
            p.versions["torch"] = torch.__version__
        except ImportError as e:
            p.notes.append(f"torch skipped: not installed ({e}); `pip install torch` (CPU wheel)")
    if "jax" in wanted:
        try:
            jax = importlib.import_module("jax")
            jax.config.update("jax_enable_x64", True)  # float64 workloads; float32 stays float32
            jax.config.update("jax_platforms", "cpu")
            p.jax = jax
            p.jnp = importlib.import_module("jax.numpy")
            p.versions["jax"] = jax.__version__
        except ImportError as e:
            p.notes.append(f"jax skipped: not installed ({e}); `pip install jax`")
        except Exception as e:  # a broken jaxlib must not stop the run
            p.jax = p.jnp = None
            p.notes.append(f"jax skipped: import failed ({type(e).__name__}: {e})")
    return p


def _version(dist):
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:
        return "?"
