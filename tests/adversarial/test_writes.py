"""The one write helper (chainrule.fileio.write_atomic) and every writer that uses it:
links are never followed, temporary names cannot be planted, a killed save leaves a
loadable file and its temporary file is removed by the next save, permissions follow
the umask of the moment."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as onp
import pytest

from chainrule import fileio
from chainrule.demos import common
from chainrule.explain import graph as graph_mod
from chainrule.serialization import load, save


def _victim(tmp_path):
    """A file outside the target folder, and its content."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    victim = outside / "precious.txt"
    victim.write_text("precious")
    return victim


# ---------------------------------------------------------------------------
# Links at the target: refused, never followed, never replaced
# ---------------------------------------------------------------------------

def _writers(tmp_path):
    """(name, function writing to a given path) for every kind of file chainrule writes."""
    def figure(path):
        from matplotlib.figure import Figure
        common.save_figure(Figure(figsize=(1, 1)), path, dpi=20)
    return [
        ("checkpoint npz", lambda p: save(p.with_suffix(".npz"), {"w": onp.ones(2)})),
        ("checkpoint safetensors", lambda p: save(p.with_suffix(".safetensors"),
                                                  {"w": onp.ones(2)})),
        ("graph", lambda p: graph_mod.render("digraph g {}", p.with_suffix(".dot"))),
        ("report", lambda p: common.write_report(p.parent, {"numbers": {}})),
        ("figure", lambda p: figure(p.with_suffix(".png"))),
        ("helper", lambda p: fileio.write_atomic(p, b"data")),
    ]


def _target(folder, name, writer_name):
    suffix = {"checkpoint npz": ".npz", "checkpoint safetensors": ".safetensors",
              "graph": ".dot", "figure": ".png"}.get(writer_name, "")
    return folder / ("report.json" if writer_name == "report" else name + suffix)


@pytest.mark.parametrize("which", range(6))
def test_no_writer_follows_or_replaces_a_link(tmp_path, which):
    pytest.importorskip("matplotlib")
    name, write = _writers(tmp_path)[which]
    victim = _victim(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    link = _target(folder, "file", name)
    os.symlink(victim, link)
    with pytest.raises(fileio.UnsafePathError, match="symbolic link"):
        write(folder / "file")
    assert victim.read_text() == "precious" and os.path.islink(link)
    assert sorted(os.listdir(folder)) == [link.name]  # no temporary file left either


def test_directories_and_fifos_at_the_target_are_refused(tmp_path):
    (tmp_path / "d.npz").mkdir()
    with pytest.raises(fileio.UnsafePathError, match="a directory"):
        save(tmp_path / "d.npz", {"w": onp.ones(1)})
    os.mkfifo(tmp_path / "f.json")
    with pytest.raises(fileio.UnsafePathError, match="FIFO"):
        fileio.write_atomic(tmp_path / "f.json", "{}")
    with pytest.raises(IsADirectoryError):
        fileio.write_atomic(str(tmp_path) + os.sep, "x")


def test_a_planted_temporary_name_is_never_written_through(tmp_path, monkeypatch):
    victim = _victim(tmp_path)
    names = iter(["0" * 16, "1" * 16])
    monkeypatch.setattr(fileio.secrets, "token_hex", lambda n: next(names))
    planted = tmp_path / f".a.json{fileio.TEMP_MARK}{'0' * 16}.tmp"
    os.symlink(victim, planted)  # the name the writer will draw first
    fileio.write_atomic(tmp_path / "a.json", "{}")
    assert victim.read_text() == "precious" and (tmp_path / "a.json").read_text() == "{}"
    assert os.path.islink(planted)  # not ours to remove (a link, not our temporary file)


def test_old_predictable_names_are_harmless(tmp_path):
    # what the writers used before: .report.json.<pid>.tmp and .index.html.<pid>.tmp
    from chainrule.demos import report
    victim = _victim(tmp_path)
    for name in (f".report.json.{os.getpid()}.tmp", f".index.html.{os.getpid()}.tmp"):
        os.symlink(victim, tmp_path / name)
    common.write_report(tmp_path, {"numbers": {"a": 1}})
    report.write_index(tmp_path, [], seed=0, quick=True)
    assert victim.read_text() == "precious"


def test_overwrite_false_never_replaces(tmp_path):
    p = tmp_path / "g.dot"
    p.write_text("mine")
    with pytest.raises(FileExistsError, match="exists"):
        graph_mod.render("digraph g {}", p, overwrite=False)
    assert p.read_text() == "mine" and os.listdir(tmp_path) == ["g.dot"]
    graph_mod.render("digraph g {}", tmp_path / "new.dot", overwrite=False)
    assert (tmp_path / "new.dot").read_text() == "digraph g {}\n"


@pytest.mark.parametrize("mask, mode", [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)])
def test_new_files_follow_the_umask_of_the_moment(tmp_path, mask, mode):
    old = os.umask(mask)  # set after chainrule was imported: the file must follow it
    try:
        save(tmp_path / "m.npz", {"w": onp.ones(1)})
        common.write_report(tmp_path, {"numbers": {}})
    finally:
        os.umask(old)
    for name in ("m.npz", "report.json"):
        assert (os.stat(tmp_path / name).st_mode & 0o777) == mode, name


# ---------------------------------------------------------------------------
# A save killed half-way: the old file loads, the next save removes the leftovers
# ---------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import os, sys, time
    import numpy
    import chainrule
    from chainrule import fileio
    path = sys.argv[1]
    real_fsync = os.fsync

    def stall(fd):  # the new file is written, not yet renamed: kill me here
        print("writing", flush=True)
        time.sleep(60)
    fileio.os.fsync = stall
    chainrule.save(path, {"w": numpy.ones(500_000)})
""")


def _killed_mid_save(path):
    """Run a save of ``path`` in a child process, SIGKILL it between write and rename."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
        return child
    except BaseException:
        child.kill()
        raise


def _temps(folder):
    return sorted(n for n in os.listdir(folder) if fileio.TEMP_MARK in n)


def test_killed_save_leaves_a_loadable_file_and_its_leftover_is_cleaned(tmp_path):
    path = tmp_path / "model.npz"
    save(path, {"w": onp.zeros(3)})
    child = _killed_mid_save(path)
    try:
        (leftover,) = _temps(tmp_path)  # the child's temporary file, 4 MB, complete
        old = time.time() - 10 * fileio.STALE_SECONDS
        os.utime(tmp_path / leftover, (old, old))
        save(tmp_path / "other.npz", {"w": onp.ones(1)})  # another target: not looked at
        save(path, {"w": onp.zeros(3)})  # old, but a live writer holds it: kept
        assert _temps(tmp_path) == [leftover]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert load(path)["w"].tolist() == [0, 0, 0]  # the old file, intact
    os.utime(tmp_path / leftover)  # dead, but changed a moment ago: kept for now
    save(path, {"w": onp.zeros(3)})
    assert _temps(tmp_path) == [leftover]
    old = time.time() - fileio.STALE_SECONDS - 1
    os.utime(tmp_path / leftover, (old, old))
    save(path, {"w": onp.full(3, 2.0)})  # dead and stale: removed
    assert _temps(tmp_path) == [] and load(path)["w"].tolist() == [2, 2, 2]


def test_only_our_temporary_files_are_removed(tmp_path):
    old = time.time() - 10 * fileio.STALE_SECONDS
    others = [".model.npz.abc123.tmp", ".model.npz.chainrule-xyz.tmp",
              f".other.npz{fileio.TEMP_MARK}{'a' * 16}.tmp", "model.npz.tmp"]
    for name in others:
        (tmp_path / name).write_text("not mine")
        os.utime(tmp_path / name, (old, old))
    save(tmp_path / "model.npz", {"w": onp.ones(1)})
    assert sorted(set(os.listdir(tmp_path)) - {"model.npz"}) == sorted(others)
