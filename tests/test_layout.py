"""The package's layout keeps its promises (docs/architecture.md):

* no import cycle among chainrule's modules, counting imports inside functions;
* chainrule's own code never imports the autograd compatibility layer;
* the module names autograd code imports are thin re-exports of that layer;
* ``from chainrule import *`` shadows no Python builtin.
"""

import ast
import builtins
import importlib
import pathlib
import subprocess
import sys

import pytest

import chainrule

SRC = pathlib.Path(chainrule.__file__).resolve().parent.parent
COMPAT = "chainrule.autograd_compat"

#: autograd's module names, kept importable as thin modules over the layer
THIN = {
    "chainrule.tracer": "tracer", "chainrule.wrap_util": "wrap_util",
    "chainrule.builtins": "builtins", "chainrule.util": "util",
    "chainrule.differential_operators": "differential_operators",
    "chainrule.vspace": "vspace", "chainrule.misc.flatten": "misc.flatten",
    "chainrule.misc.optimizers": "misc.optimizers",
    "chainrule.misc.fixed_points": "misc.fixed_points", "chainrule.misc.tracers": "misc.tracers",
    "chainrule.numpy.numpy_boxes": "numpy_boxes", "chainrule.numpy.numpy_vspaces": "numpy_vspaces",
    "chainrule.numpy.numpy_vjps": "numpy_vjps", "chainrule.numpy.numpy_jvps": "numpy_jvps",
    "chainrule.numpy.numpy_wrapper": "numpy_wrapper",
}
#: packages that offer autograd's names beside their own, loading the layer on first use
#: (module __getattr__): autograd's top-level names, autograd.core's, autograd.extend's,
#: autograd.numpy's (make_diagonal...) and autograd.numpy.linalg's (T, _dot...)
FACADES = {"chainrule", "chainrule.core", "chainrule.extend", "chainrule.misc",
           "chainrule.numpy", "chainrule.numpy.linalg"}


def _modules():
    """``{module name: (path, is_package)}`` of every module under src/chainrule."""
    mods = {}
    for p in (SRC / "chainrule").rglob("*.py"):
        parts = list(p.relative_to(SRC).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        mods[".".join(parts)] = (p, is_pkg)
    return mods


MODULES = _modules()


def _targets(module, is_pkg, node):
    """The chainrule modules an import statement loads (the longest module prefix of each
    imported name; ``from pkg import name`` is pkg.name when that is a module)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        if node.level:
            base = module.split(".") if is_pkg else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        names = [f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target
                 for a in node.names]
    out = set()
    for t in names:
        while t and t not in MODULES:
            t = t.rpartition(".")[0]
        if t and t != module:
            out.add(t)
    return out


def import_graph():
    """``{module: set of modules it imports}``, imports inside functions included."""
    graph = {}
    for m, (p, is_pkg) in MODULES.items():
        graph[m] = set()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[m] |= _targets(m, is_pkg, node)
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on, stack, comps, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        comps.append(sorted(comp))
    return comps


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle_among_chainrules_modules():
    found = cycles(import_graph())
    assert not found, "import cycles (imports inside functions count):\n" + "\n".join(
        " -> ".join(c) for c in found)


def _own_modules():
    return sorted(m for m in MODULES if not m.startswith(COMPAT) and m not in THIN
                  and m not in FACADES)


def test_chainrules_own_code_never_imports_the_compatibility_layer():
    graph = import_graph()
    bad = {m: sorted(t for t in graph[m] if t.startswith(COMPAT) or t in THIN)
           for m in _own_modules()}
    bad = {m: t for m, t in bad.items() if t}
    assert not bad, f"chainrule modules importing the autograd layer: {bad}"


def test_importing_every_own_module_loads_nothing_of_the_layer():
    # A fresh interpreter: this test process has imported the layer already.
    names = [m for m in _own_modules() if not m.startswith("chainrule.demos.")
             and m != "chainrule.__main__"]
    code = ("import importlib, sys\n"
            f"for m in {names!r}:\n"
            "    try:\n        importlib.import_module(m)\n"
            "    except ImportError as e:  # an optional extra (scipy, matplotlib) missing\n"
            "        print('skip', m, e, file=sys.stderr)\n"
            f"print(sorted(k for k in sys.modules if k.startswith({COMPAT!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize("name", sorted(THIN))
def test_autograds_module_names_are_thin_re_exports(name):
    thin = importlib.import_module(name)
    impl = importlib.import_module(f"{COMPAT}.{THIN[name]}")
    assert thin.__all__ == impl.__all__
    for attr in impl.__all__:
        assert getattr(thin, attr) is getattr(impl, attr), attr
    # thin: no code of its own beyond the forwarding __getattr__
    tree = ast.parse(pathlib.Path(thin.__file__).read_text(encoding="utf-8"))
    defs = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert defs in ([], ["__getattr__"]), defs


def test_star_import_shadows_no_builtin():
    ns = {}
    exec("from chainrule import *", ns)  # noqa: S102 - a fixed statement, the test's subject
    shadowed = sorted(set(ns) - {"__builtins__"} & set(dir(builtins)))
    assert not shadowed, f"from chainrule import * shadows {shadowed}"
    assert set(chainrule.__all__) <= set(ns)


def test_autograds_top_level_names_are_still_there():
    # autograd code writes autograd.isinstance, autograd.primitive...: available by name.
    from chainrule import dict as dict_, isinstance as isinstance_, primitive, tuple as tuple_
    assert isinstance_((1.0,), tuple_) and dict_(a=1) == {"a": 1}
    assert primitive.__module__.startswith(COMPAT)
    from chainrule.core import make_vjp, trace
    from chainrule.tracer import trace as tracer_trace
    assert trace is tracer_trace  # autograd.core.engine: the graph tracer, not a module
    assert make_vjp(lambda x: 2.0 * x, 1.0)[0](1.0) == 2.0


def test_the_engine_imports_only_the_standard_library():
    # core/ is the bottom layer: it knows nothing of NumPy or of the layers above.
    bad = []
    for m, (p, is_pkg) in MODULES.items():
        if not m.startswith("chainrule.core"):
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if not node.level else []
                if node.level:
                    names = [t for t in _targets(m, is_pkg, node) if not t.startswith(
                        "chainrule.core")]
            else:
                continue
            bad += [(m, n) for n in names
                    if n and n.split(".")[0] not in sys.stdlib_module_names]
    assert not bad, f"core imports outside the standard library: {bad}"
