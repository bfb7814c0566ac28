"""``chainrule demo``: quick runs of the demos, their reports, figures and the HTML report.

One ``chainrule demo all --quick`` run (module fixture) feeds most tests; the
headless-browser check of index.html is skipped where Chromium is missing.
"""

import contextlib
import io
import json
import math
import pathlib
import shutil
import struct
import subprocess
import types
from html import escape as html_escape

import numpy
import pytest

pytest.importorskip("matplotlib", reason="the demos need the `plot` extra (matplotlib)")

from chainrule import cli, demos  # noqa: E402
from chainrule.demos import common, iris, landscape  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
MINE = ("iris", "landscape", "critical-points", "batchnorm", "modes")
MIN_DPI = 150


def run_cli(*argv):
    """``chainrule *argv`` in-process: (exit status, stdout)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = cli.main(list(argv))
    return rc, out.getvalue()


def png_size(path):
    """(width, height) from a PNG's IHDR chunk; fails on anything that is not a PNG."""
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == PNG, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def png_dpi(path):
    """Dots per inch from a PNG's pHYs chunk (None when it has none)."""
    data = pathlib.Path(path).read_bytes()
    i = data.find(b"pHYs")
    if i < 0:
        return None
    x, y, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1, "pHYs in pixels per metre"
    return min(x, y) * 0.0254


def check_figures(folder, report):
    assert report["figures"], "every demo draws at least one figure"
    for fig in report["figures"]:
        path = folder / fig["file"]
        assert path.suffix == ".png" and path.stat().st_size > 1024, path
        w, h = png_size(path)
        assert w > 100 and h > 100
        assert png_dpi(path) >= MIN_DPI - 0.5, f"{path}: under {MIN_DPI} dpi looks soft"
        assert fig["caption"].strip().endswith("."), "a caption is one sentence"


@pytest.fixture(scope="module")
def quick_all(tmp_path_factory):
    """``chainrule demo all --quick`` into a temporary folder, once for this module."""
    root = tmp_path_factory.mktemp("demos")
    rc, out = run_cli("demo", "all", "--quick", "--no-progress", "--out", str(root))
    return types.SimpleNamespace(root=root, rc=rc, out=out)


def report_of(quick_all, name):
    return json.loads((quick_all.root / name / "report.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------

def test_help_lists_every_demo_and_the_common_options(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    assert "demo" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    text = capsys.readouterr().out
    for name in demos.ORDER + ("all",):
        assert name in text
    with pytest.raises(SystemExit):
        cli.main(["demo", "iris", "--help"])
    text = capsys.readouterr().out
    for option in ("--seed", "--out", "--quick", "--no-progress", "--steps", "--lr"):
        assert option in text
    assert cli.main(["demo"]) == 2  # no demo named: the demo help, exit status 2
    assert "DEMO" in capsys.readouterr().out


def test_registry_is_lazy_and_knows_what_is_missing():
    assert demos.ORDER == ("iris", "landscape", "critical-points", "depth", "batchnorm",
                           "transfer", "curriculum", "modes")
    assert set(MINE) <= set(demos.DEMOS)
    assert sorted(demos.available() + demos.missing()) == sorted(demos.ORDER)
    for name in demos.DEMOS:
        m = demos.DEMOS[name]
        assert m.NAME == name and m.HELP and callable(m.run) and callable(m.add_arguments)
    with pytest.raises(demos.DemoUnavailable, match="no demo named"):
        demos.load("nope")
    with pytest.raises(KeyError):
        demos.DEMOS["nope"]


def test_single_demo_writes_its_folder(tmp_path):
    rc, out = run_cli("demo", "iris", "--quick", "--no-progress", "--seed", "3",
                      "--out", str(tmp_path / "iris"), "--steps", "150")
    assert rc == 0
    rep = json.loads((tmp_path / "iris" / "report.json").read_text())
    assert rep["demo"] == "iris" and rep["seed"] == 3 and rep["quick"] is True
    assert rep["numbers"]["steps"] == 150
    assert "Training accuracy" in out and "report.json" in out
    check_figures(tmp_path / "iris", rep)


# ---------------------------------------------------------------------------
# chainrule demo all --quick
# ---------------------------------------------------------------------------

def test_all_runs_every_available_demo(quick_all):
    assert quick_all.rc == 0, quick_all.out
    for name in demos.ORDER:
        if name in demos.available():
            rep = report_of(quick_all, name)
            assert rep["demo"] == name and rep["quick"] is True and rep["seed"] == 0
            assert isinstance(rep["numbers"], dict) and rep["summary"]
            assert rep["seconds"] > 0
            assert rep["source_hash"] == demos.source_hash(name)  # the code that made it
            check_figures(quick_all.root / name, rep)
        else:
            assert f"[{name}] skipped" in quick_all.out


def test_iris_report(quick_all):
    n = report_of(quick_all, "iris")["numbers"]
    assert (n["hidden_units"], n["classes"], n["inputs_with_bias"]) == (16, 3, 3)
    assert n["features"] == ["petal_length", "petal_width"] and n["weights"] == 96
    d = n["grad_rel_diff"]
    assert d["reverse_vs_hand"] < 1e-12 and d["forward_vs_hand"] < 1e-12
    assert d["reverse_vs_forward"] < 1e-12
    assert d["finite_differences_vs_hand"] < 1e-6 and n["grad_max_rel_diff"] < 1e-6
    assert n["grad_agree"] is True
    assert n["train_accuracy"] >= 0.95
    assert n["final_cost"] < n["initial_cost"] / 10
    assert math.isclose(n["initial_cost"], 150 * math.log(3), rel_tol=0.05)  # small weights


def test_landscape_report(quick_all):
    n = report_of(quick_all, "landscape")["numbers"]
    s = n["symmetry"]
    assert s["hidden_unit_orderings"] == math.factorial(16) and s["sign_patterns"] == 2 ** 16
    for key in ("permutation", "negation_tanh", "rescaling_relu"):
        assert s[key]["max_abs_change"] < 1e-10, key
        assert s[key]["count"] >= 30
        assert s[key]["mean_distance"] > 1.0  # a different point in weight space
    assert s["all_below_tolerance"] is True
    # the controls: negating sigmoid units, rescaling tanh units, do change the cost
    assert s["control_negation_sigmoid"]["max_abs_change"] > 1e-3
    assert s["control_rescaling_tanh"]["max_abs_change"] > 1e-3
    i, f = n["interpolation"], n["surface"]
    assert i["cost_t1"] < i["cost_t0"] and math.isclose(i["cost_t1"], n["cost_trained"])
    assert f["grid"] % 2 == 1 and f["min_cost"] <= f["center_cost"] <= f["max_cost"]
    assert abs(f["direction_cosine"]) < 0.5


def test_critical_points_report(quick_all):
    from chainrule.demos import critical_points as cp
    n = report_of(quick_all, "critical-points")["numbers"]
    out, ends = n["outcomes"], n["ends"]
    assert sum(out.values()) == n["searches"] == len(ends["outcome"])
    assert out["critical"] >= 3 and n["distinct_critical_points"] >= 2
    assert n["distinct_minima"] + n["distinct_saddles"] <= n["distinct_critical_points"]
    assert sum(p["times_found"] for p in n["critical_points"]) == out["critical"]
    assert n["runs_at_minima"] + n["runs_at_saddles"] <= out["critical"]
    assert n["hvp_vs_hessian_max_rel_diff"] < 1e-12   # hvp and the exact Hessian agree
    tol = n["grad_tolerance"]
    # every search that counts as a critical point has ‖∇J‖ below the threshold, and the
    # stalled ones are the trap: ‖∇J‖ not small, ‖H∇J‖/‖∇J‖ tiny
    for outcome, g, hg in zip(ends["outcome"], ends["grad_norm"], ends["phi_grad_norm"]):
        if outcome == "critical":
            assert g < tol
        elif outcome == "stalled":
            assert g >= tol and hg < n["stall_tolerance"] * g
    # the index comes from the exact Hessian: recompute it there, and check it against an
    # independent Hessian from central differences of the gradient
    problem = cp.Problem()
    assert problem.n == n["weights"]
    h = 1e-5
    for p in n["critical_points"]:
        theta = numpy.asarray(p["theta"])
        assert p["max_grad_norm_of_runs"] < tol
        assert float(numpy.linalg.norm(problem.grad(theta))) < tol
        spec = cp.classify(problem, theta)
        assert (spec["negative"], spec["zero"]) == (p["negative"], p["zero"])
        assert p["index"] == p["negative"] / n["weights"]
        assert p["kind"] == ("minimum" if p["negative"] == 0 else "saddle")
        fd = numpy.array([(problem.grad(theta + h * e) - problem.grad(theta - h * e)) / (2 * h)
                          for e in numpy.eye(len(theta))])
        lam = numpy.linalg.eigvalsh((fd + fd.T) / 2)
        assert int((lam < -1e-6 * abs(lam).max()).sum()) == p["negative"]
    # the spectra order the points: Spearman's ρ is in [-1, 1]
    rho = n["spearman_eps_index"]
    assert rho is None or -1 <= rho <= 1
    # 2-D saddles: Newton converges to the saddle from every start, saddle-free Newton escapes
    for name in ("classic", "monkey"):
        m = n["toy"][name]["methods"]
        assert all(m["Newton"]["converged_to_saddle"]), name
        assert all(m["saddle-free Newton"]["escaped"]), name
        assert not any(m["saddle-free Newton"]["converged_to_saddle"]), name
    # the network: from the same push off a saddle, Newton stays, saddle-free Newton escapes
    assert n["escape"]["saddles"], "the quick run finds a saddle to escape from"
    for e in n["escape"]["saddles"]:
        assert e["steps_to_escape"]["Newton"] is None
        assert e["steps_to_escape"]["saddle-free Newton"] is not None
        assert abs(e["final_eps"]["Newton"] - e["saddle_eps"]) < 1e-3
        assert e["final_eps"]["saddle-free Newton"] < e["escape_level"]


def test_batchnorm_report(quick_all):
    n = report_of(quick_all, "batchnorm")["numbers"]
    assert n["same_initial_weights"] is True
    k = len(n["checkpoints"])
    assert k >= 2 and n["checkpoints"][0] == 0 and n["checkpoints"][-1] == n["steps"]
    r = n["ratios_plain_over_batchnorm"]
    assert set(r) == {"loss_range", "grad_change", "abs_rayleigh", "beta_sampled",
                      "lambda_max"}
    assert n["ratios_finite"] is True
    for key, values in r.items():
        assert len(values) == k and all(isinstance(v, float) and math.isfinite(v) and v > 0
                                        for v in values), key
    for net in ("plain", "batchnorm"):
        for key in ("loss_range", "grad_change", "abs_rayleigh", "lambda_max"):
            rows = n[net][key]
            assert len(rows) == n["seeds"] and all(len(row) == k for row in rows)
            assert all(math.isfinite(v) and v > 0 for row in rows for v in row), (net, key)
        # the curvature along g is a Rayleigh quotient: at most the largest |eigenvalue|
        # (wherever the power iteration converged to it)
        for ray, top, ok in zip(n[net]["abs_rayleigh"], n[net]["abs_lambda_max"],
                                n[net]["power_converged"]):
            for a, b, converged in zip(ray, top, ok):
                assert not converged or a <= 1.01 * b, (net, a, b)
    s = n["sweep"]
    for net in ("plain", "batchnorm"):
        assert len(s[net]) == n["seeds"] and all(len(row) == len(s["learning_rates"])
                                                 for row in s[net])


def test_modes_report(quick_all):
    n = report_of(quick_all, "modes")["numbers"]
    assert n["jacobian_max_rel_diff"] < 1e-12
    t = n["timing"]
    sizes = t["sizes"]
    assert len(t["seconds"]["forward, one pass per input"]) == len(sizes)
    # the extreme corners are 20-60x apart: robust even on a busy machine
    assert t["corners_forward_over_reverse"]["n_max_m_1"] > 1
    assert t["corners_forward_over_reverse"]["n_1_m_max"] < 1
    r = t["cheap_gradient"]["ratios"]
    assert r["iris_reverse"] < r["iris_fd"] and r["iris_reverse"] < r["iris_forward"]


def test_index_html_is_self_contained(quick_all):
    html = (quick_all.root / "index.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    n_figs = sum(len(report_of(quick_all, d)["figures"]) for d in demos.available())
    assert html.count('<img src="data:image/png;base64,') == n_figs
    assert "http://" not in html and "https://" not in html and "<link" not in html
    for name in demos.available():
        assert f'id="{name}"' in html
        for fig in report_of(quick_all, name)["figures"]:
            assert html_escape(fig["caption"]) in html
    # the numbers of report.json appear in the tables
    assert "grad_rel_diff.finite_differences_vs_hand" in html
    assert "symmetry.permutation.max_abs_change" in html


def _browser():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHECK = """<script>window.addEventListener('load', function () {
  var imgs = Array.from(document.images);
  var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); });
  var p = document.createElement('pre');
  p.textContent = 'IMAGES ' + imgs.length + ' BROKEN ' + bad.length;
  document.body.appendChild(p);
});</script>"""


def test_index_html_renders_in_headless_chromium(quick_all, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium here (Debian: apt-get install chromium)")
    page = tmp_path / "check.html"  # index.html plus a script that counts broken images
    html = (quick_all.root / "index.html").read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", CHECK + "</body>"), encoding="utf-8")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
           "--dump-dom", page.as_uri()]
    try:
        dom = subprocess.run(cmd, capture_output=True, text=True, timeout=90).stdout
    except (subprocess.TimeoutExpired, OSError) as e:
        pytest.skip(f"Chromium did not run here: {e}")
    if "IMAGES" not in dom:
        pytest.skip("Chromium ran but printed no page (sandboxed environment?)")
    n_figs = sum(len(report_of(quick_all, d)["figures"]) for d in demos.available())
    assert f"IMAGES {n_figs} BROKEN 0" in dom


# ---------------------------------------------------------------------------
# Same seed, same numbers; missing and failing demos
# ---------------------------------------------------------------------------

def _quick_args(tmp_path, seed, **extra):
    out = tmp_path / f"run-{seed}-{len(list(tmp_path.iterdir()))}"
    out.mkdir()
    return types.SimpleNamespace(seed=seed, out=out, quick=True, progress=False, **extra)


@pytest.mark.parametrize("module", [iris, landscape], ids=["iris", "landscape"])
def test_same_seed_same_numbers(module, tmp_path, capsys):
    runs = []
    for seed in (5, 5, 6):
        iris._CACHE.clear()  # train again: a cached model would make this test vacuous
        runs.append(common.deterministic_numbers(module.run(_quick_args(tmp_path, seed))
                                                 ["numbers"]))
    assert common.json_ready(runs[0]) == common.json_ready(runs[1])
    assert common.json_ready(runs[0]) != common.json_ready(runs[2])


def test_all_skips_missing_demos_and_reports_failures(tmp_path, monkeypatch):
    broken = types.SimpleNamespace(NAME="broken", HELP="always fails",
                                   add_arguments=lambda p: None,
                                   run=lambda args: 1 / 0)
    real_load = demos.load

    def fake_load(name):
        return broken if name == "broken" else real_load(name)
    monkeypatch.setattr(demos, "ORDER", ("iris", "absent", "broken"))
    monkeypatch.setattr(demos, "load", fake_load)
    rc, out = run_cli("demo", "all", "--quick", "--no-progress", "--out", str(tmp_path))
    assert rc == 1
    assert "[absent] skipped" in out and "not part of this installation" in out
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="absent"' in html and "skipped" in html
    assert "ZeroDivisionError" in html and (tmp_path / "iris" / "report.json").exists()


def test_write_report_is_json_with_numpy_values(tmp_path):
    import numpy
    rep = {"numbers": {"a": numpy.float64(0.5), "b": numpy.arange(3), "c": float("nan"),
                       "d": numpy.int64(7), "e": numpy.bool_(True)}}
    path = common.write_report(tmp_path, rep)
    back = json.loads(path.read_text())
    assert back["numbers"] == {"a": 0.5, "b": [0, 1, 2], "c": "nan", "d": 7, "e": True}
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left
    with pytest.raises(TypeError):
        common.json_ready(object())
