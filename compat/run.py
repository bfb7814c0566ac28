"""autograd's own test suite (and its short examples) run against chainrule.

What an autograd user does, changing only the import: the autograd 1.9.1 sdist
is fetched from the package index (``pip download``, its sha256 pinned here),
its ``tests/`` folder is unpacked into a cache outside the repository, and
those files run unmodified with ``autograd`` mapped to chainrule
(``compat/autograd_alias.py``). No autograd code is committed.

autograd passes all 631 of its tests. A test that fails here must be listed,
with its reason, in the README's "Deliberate differences" list; otherwise this
exits non-zero, and so it does for a listed test that passes (the list stays
true) or for a test that did not run.

    python compat/run.py                 # the test suite (make compat)
    python compat/run.py --examples      # the short examples, printed numbers
                                         #   compared with autograd's own run
    python compat/run.py --cache DIR     # default: $CHAINRULE_COMPAT_CACHE,
                                         #   else ~/.cache/chainrule-compat
"""

import argparse
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

VERSION = "1.9.1"
SDIST = f"autograd-{VERSION}.tar.gz"
SHA256 = "7818c5c69ddf9efb7da74097bd741a4c7920133f41966f68537223a15ef798bc"
N_TESTS = 631  # autograd 1.9.1 passes all of them (with xarray installed)

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
README = ROOT / "README.md"
DIFF_HEADING = "Deliberate differences from autograd"


def cache_dir(arg):
    if arg:
        return pathlib.Path(arg).expanduser().resolve()
    env = os.environ.get("CHAINRULE_COMPAT_CACHE")
    if env:
        return pathlib.Path(env).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return pathlib.Path(base) / "chainrule-compat"


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_sdist(cache):
    """The sdist in the cache, downloaded once, its sha256 checked every time."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / SDIST
    if not path.exists() or _sha256(path) != SHA256:
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                   f"autograd=={VERSION}", "-d", tmp]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            got = pathlib.Path(tmp) / SDIST
            if r.returncode != 0 or not got.exists():
                sys.exit(f"compat: could not download {SDIST}:\n{r.stdout}\n{r.stderr}")
            digest = _sha256(got)
            if digest != SHA256:
                sys.exit(f"compat: {SDIST} has sha256 {digest}, expected {SHA256}")
            shutil.move(str(got), path)
    return path


def unpack(sdist, dest, folders):
    """Unpack only ``folders`` (e.g. ``tests``) of the sdist into ``dest``."""
    prefix = f"autograd-{VERSION}/"
    dest.mkdir(parents=True, exist_ok=True)
    stamp = dest / ".unpacked"
    want = ",".join(sorted(folders))
    if stamp.exists() and stamp.read_text() == want:
        return dest
    with tarfile.open(sdist) as tar:
        members = []
        for m in tar.getmembers():
            if not m.name.startswith(prefix) or not (m.isfile() or m.isdir()):
                continue
            rel = m.name[len(prefix):]
            if rel.split("/")[0] in folders and ".." not in rel.split("/"):
                m.name = rel
                members.append(m)
        for folder in folders:
            shutil.rmtree(dest / folder, ignore_errors=True)
        tar.extractall(dest, members=members, filter="data")
    stamp.write_text(want)
    return dest


def deliberate_differences(readme=README):
    """``{test id: reason}`` from the README's list, one line per test:
    ``- `test_file.py::test_name`: reason``."""
    text = readme.read_text(encoding="utf-8")
    start = text.find(DIFF_HEADING)
    if start < 0:
        return {}
    section = text[start:]
    end = re.search(r"\n#+ ", section[1:])
    section = section[: end.start() + 1] if end else section
    out = {}
    for m in re.finditer(r"^- `([\w./\[\]\-]+::[^`]+)`[:\s—-]*(.*)$", section, re.M):
        out[m.group(1)] = m.group(2).strip()
    return out


def run_tests(cache, extra=(), log=None):
    """Run the suite; returns ``{test id: outcome entry}`` (ids relative to tests/)."""
    root = unpack(fetch_sdist(cache), cache / f"autograd-{VERSION}", {"tests"})
    tests = root / "tests"
    report = cache / "report.json"
    if report.exists():
        report.unlink()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(HERE)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        AUTOGRAD_COMPAT_REPORT=str(report), OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    cmd = [sys.executable, "-m", "pytest", "-p", "autograd_alias", "-p", "no:cacheprovider",
           "-c", os.devnull, "--rootdir", str(tests), "-o", "addopts=", "-q",
           "--continue-on-collection-errors", "-W", "ignore::DeprecationWarning",
           *(extra or [str(tests)])]
    log = log or cache / "pytest.log"
    with open(log, "w") as out:
        subprocess.run(cmd, cwd=tests, env=env, stdout=out, stderr=subprocess.STDOUT,
                       timeout=1800)
    if not report.exists():
        sys.exit(f"compat: pytest wrote no report; see {log}")
    outcomes = json.loads(report.read_text())
    prefix = "tests/"
    return {(k[len(prefix):] if k.startswith(prefix) else k): v for k, v in outcomes.items()}


def summarize(outcomes, differences, selected=False):
    """Print the counts and what is wrong; returns the exit status."""
    counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for v in outcomes.values():
        if v.get("when") != "collect":
            counts[v["outcome"]] += 1
    collect_errors = {k: v for k, v in outcomes.items() if v.get("when") == "collect"}
    ran = sum(counts.values())
    errors = counts["error"] + (N_TESTS - ran if collect_errors or not selected else 0)
    if selected:
        errors = counts["error"]
    print(f"compat: autograd {VERSION}'s tests, autograd imported as chainrule: "
          f"{counts['passed']} passed / {counts['failed']} failed / {errors} errors "
          f"of {N_TESTS if not selected else ran}")
    status = 0
    bad = sorted(k for k, v in outcomes.items() if v["outcome"] in ("failed", "error")
                 and k not in differences)
    listed = sorted(k for k, v in outcomes.items() if v["outcome"] in ("failed", "error")
                    and k in differences)
    if listed:
        print(f"  {len(listed)} listed in the README as deliberate differences:")
        for k in listed:
            print(f"    {k}: {differences[k]}")
    for k in bad:
        status = 1
        msg = outcomes[k].get("message", "").strip().splitlines()
        print(f"  NOT LISTED, {outcomes[k]['outcome']}: {k}")
        for line in msg[-6:]:
            print(f"      {line[:160]}")
    skipped = sorted(k for k, v in outcomes.items() if v["outcome"] == "skipped")
    for k in skipped:
        status = 1
        print(f"  skipped (autograd runs it; is xarray installed?): {k}")
    stale = sorted(k for k in differences if outcomes.get(k, {}).get("outcome") == "passed")
    for k in stale:
        status = 1
        print(f"  listed as a difference but passes (remove it from the README): {k}")
    if not selected and ran != N_TESTS:
        status = 1
        print(f"  {N_TESTS - ran} of autograd's tests did not run")
    return status


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", help="where the sdist and the unpacked tests live")
    ap.add_argument("--examples", action="store_true", help="run the short examples instead")
    ap.add_argument("pytest_args", nargs="*", help="passed on to pytest (-k, a test id...)")
    args = ap.parse_args(argv)
    cache = cache_dir(args.cache)
    if args.examples:
        from examples_check import run_examples
        return run_examples(cache, fetch_sdist, unpack, VERSION, HERE)
    outcomes = run_tests(cache, args.pytest_args)
    return summarize(outcomes, deliberate_differences(), selected=bool(args.pytest_args))


if __name__ == "__main__":
    sys.exit(main())
