"""chainrule.serialization (save/load): exact round trips, validation, corruption, no pickle."""

import collections
import json
import os
import pickle

import numpy as onp
import pytest

import chainrule
from chainrule import nn, optim
from chainrule.serialization import CheckpointError, load, save

FORMATS = ["npz", "safetensors"]
Pair = collections.namedtuple("Pair", "first second")


def _tree():
    r = onp.random.default_rng(0)
    return {
        "layers": [{"W": r.standard_normal((3, 4)), "b": r.standard_normal(4)}, {},
                   {"W": r.standard_normal((4, 2)).astype(onp.float32)}],
        "bn": {"mean": onp.float32(0.5) * onp.ones(4, onp.float32), "count": onp.arange(3)},
        "flags": onp.array([True, False]),
        "step": onp.array(7, dtype=onp.int64),
        "pair": Pair(onp.zeros((0, 3)), onp.float16([1.5, -2.0])),
        "scalars": (2.5, 3, True),
        "odd": onp.asfortranarray(r.standard_normal((3, 2))),
    }


def _assert_same(a, b):
    la, lb = nn.named_leaves(a), nn.named_leaves(b)
    assert [p for p, _ in la] == [p for p, _ in lb]
    for (path, u), (_, v) in zip(la, lb, strict=True):
        assert type(u) is type(v), path
        assert onp.asarray(u).dtype == onp.asarray(v).dtype, path
        assert onp.array_equal(u, v), path  # bit-exact


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_is_exact(tmp_path, fmt):
    tree = _tree()
    path = tmp_path / f"ckpt.{fmt}"
    save(path, tree)
    back = load(path, like=tree)
    _assert_same(tree, back)
    assert type(back["pair"]) is Pair and back["layers"][1] == {}
    flat = load(path)
    assert flat["layers/0/W"].shape == (3, 4) and "layers/1" not in flat
    assert list(os.listdir(tmp_path)) == [f"ckpt.{fmt}"]  # no temporary file left behind


@pytest.mark.parametrize("fmt", FORMATS)
def test_model_and_optimizer_state_round_trip(tmp_path, fmt):
    model = nn.mlp([4, 8, 3], "relu", batch_norm="before")
    params, state = model.init(seed=0, dtype=onp.float32), model.init_state(onp.float32)
    opt = optim.Adam(0.01)
    ckpt = {"params": params, "state": state, "opt": opt.init(params)}
    save(tmp_path / f"m.{fmt}", ckpt)
    _assert_same(ckpt, load(tmp_path / f"m.{fmt}", like=ckpt))
    like = {"params": model.init(seed=5, dtype=onp.float32),
            "state": model.init_state(onp.float32), "opt": opt.init(params)}
    back = load(tmp_path / f"m.{fmt}", like=like)
    assert onp.array_equal(back["params"][0]["W"], params[0]["W"])


def test_npz_is_readable_by_numpy(tmp_path):
    save(tmp_path / "a.npz", {"w": onp.arange(3.0), "nested": [onp.ones(2)]})
    with onp.load(tmp_path / "a.npz", allow_pickle=False) as z:
        assert onp.array_equal(z["w"], onp.arange(3.0)) and onp.array_equal(z["nested/0"],
                                                                            onp.ones(2))


def test_safetensors_layout(tmp_path):
    save(tmp_path / "a.safetensors", {"w": onp.arange(3, dtype=onp.float32), "n": onp.int8(-1)})
    raw = (tmp_path / "a.safetensors").read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    assert header["w"] == {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}
    assert header["n"] == {"dtype": "I8", "shape": [], "data_offsets": [12, 13]}
    assert (8 + n) % 8 == 0 and raw[8 + n:8 + n + 12] == onp.arange(3, dtype="<f4").tobytes()
    assert header["__metadata__"]["format"] == "chainrule"


@pytest.mark.parametrize("fmt", FORMATS)
def test_mismatches_are_named(tmp_path, fmt):
    tree = {"layer": {"W": onp.zeros((2, 3)), "b": onp.zeros(3, onp.float32)}}
    path = tmp_path / f"x.{fmt}"
    save(path, tree)
    with pytest.raises(CheckpointError, match=r"'layer/W': shape \(2, 3\) in the file, "
                                              r"\(3, 2\) expected"):
        load(path, like={"layer": {"W": onp.zeros((3, 2)), "b": onp.zeros(3, onp.float32)}})
    with pytest.raises(CheckpointError, match="'layer/b': dtype float32 in the file, "
                                              "float64 expected"):
        load(path, like={"layer": {"W": onp.zeros((2, 3)), "b": onp.zeros(3)}})
    with pytest.raises(CheckpointError, match=r"missing \['layer/bias'\].*unexpected "
                                              r"\['layer/b'\]"):
        load(path, like={"layer": {"W": onp.zeros((2, 3)), "bias": onp.zeros(3, onp.float32)}})


def _corrupt(path, offset_from_end):
    raw = bytearray(path.read_bytes())
    raw[len(raw) - offset_from_end] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_files_are_rejected(tmp_path, fmt):
    tree = {"W": onp.random.default_rng(0).standard_normal((20, 20)), "b": onp.ones(20)}
    good = tmp_path / f"good.{fmt}"
    save(good, tree)
    raw = good.read_bytes()
    for cut in [0, 4, 8, 20, len(raw) // 2, len(raw) - 1]:
        bad = tmp_path / f"cut{cut}.{fmt}"
        bad.write_bytes(raw[:cut])
        with pytest.raises(CheckpointError, match="truncated or corrupt"):
            load(bad, like=tree)


@pytest.mark.parametrize("fmt", FORMATS)
def test_corrupted_bytes_are_rejected(tmp_path, fmt):
    tree = {"W": onp.random.default_rng(0).standard_normal((20, 20))}
    path = tmp_path / f"c.{fmt}"
    save(path, tree)
    # flip one byte inside the array data (the safetensors data is at the end;
    # in the zip, the central directory is the last ~100 bytes)
    _corrupt(path, 8 if fmt == "safetensors" else 400)
    with pytest.raises(CheckpointError, match="corrupt"):
        load(path, like=tree)


def test_garbage_and_wrong_suffix(tmp_path):
    (tmp_path / "g.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!")
    with pytest.raises(CheckpointError, match="JSON header"):
        load(tmp_path / "g.safetensors")
    (tmp_path / "g.npz").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(CheckpointError, match="not a valid .npz"):
        load(tmp_path / "g.npz")
    with pytest.raises(CheckpointError, match="suffix"):
        save(tmp_path / "model.pt", {"w": onp.ones(1)})
    save(tmp_path / "model.bin", {"w": onp.ones(1)}, format="safetensors")
    assert load(tmp_path / "model.bin", format="safetensors")["w"].tolist() == [1.0]
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")


@pytest.mark.parametrize("fmt", FORMATS)
def test_object_and_string_arrays_are_refused_on_save(tmp_path, fmt):
    for leaf in [onp.array([{"a": 1}], dtype=object), onp.array(["text"]), None]:
        with pytest.raises(CheckpointError, match="cannot save|None"):
            save(tmp_path / f"o.{fmt}", {"bad": leaf})
    assert not os.listdir(tmp_path)
    with pytest.raises(CheckpointError, match="dict keys must be str or int"):
        save(tmp_path / f"o.{fmt}", {(1, 2): onp.ones(1)})
    with pytest.raises(CheckpointError, match="both be saved as 'a/b'"):
        save(tmp_path / f"o.{fmt}", {"a/b": onp.ones(1), "a": {"b": onp.ones(1)}})


def test_complex_needs_npz(tmp_path):
    z = {"z": onp.array([1 + 2j])}
    save(tmp_path / "z.npz", z)
    assert load(tmp_path / "z.npz", like=z)["z"][0] == 1 + 2j
    with pytest.raises(CheckpointError, match="use the .npz format"):
        save(tmp_path / "z.safetensors", z)


UNPICKLED = []


class Evil:
    """Unpickling this object records it: the test checks that never happens."""

    def __reduce__(self):
        return (UNPICKLED.append, ("unpickled!",))


def test_loading_never_unpickles(tmp_path, monkeypatch):
    path = tmp_path / "evil.npz"
    onp.savez(path, w=onp.ones(2), evil=onp.array([Evil()], dtype=object))

    def forbidden(*a, **k):
        raise AssertionError("pickle was called")
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    with pytest.raises(CheckpointError, match="'evil' is an object array.*refusing"):
        load(path)
    with pytest.raises(CheckpointError, match="object array"):
        load(path, like={"w": onp.ones(2), "evil": onp.ones(1)})
    assert UNPICKLED == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_is_atomic(tmp_path, monkeypatch, fmt):
    path = tmp_path / f"a.{fmt}"
    old = {"w": onp.zeros(1000)}
    save(path, old)
    before = path.read_bytes()

    def crash(*a, **k):
        raise OSError("disk full")
    # fail in the middle of writing the new file: the old one must survive intact
    import chainrule.serialization as ck
    monkeypatch.setattr(ck.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        save(path, {"w": onp.ones(1000)})
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [f"a.{fmt}"]  # the temporary file was removed
    monkeypatch.undo()
    save(path, {"w": onp.ones(1000)})
    assert load(path)["w"][0] == 1.0


def test_exposed_as_chainrule_save_and_load(tmp_path):
    assert chainrule.save is save and chainrule.load is load  # the README's API
    chainrule.save(tmp_path / "p.npz", {"w": onp.ones(2)})
    assert chainrule.load(tmp_path / "p.npz", like={"w": onp.ones(2)})["w"].tolist() == [1, 1]


def test_every_readme_guarantee_names_tests_that_exist():
    import pathlib
    import re
    root = pathlib.Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Checkpoints: `chainrule.save` and `chainrule.load`")[1]
    table = next(b for b in section.split("\n\n") if b.startswith("| guarantee"))
    rows = table.splitlines()[2:]
    assert {r.split("|")[1].strip() for r in rows} >= {
        "atomic", "never unpickles", "never follows links", "bounded memory and time",
        "integrity of names, shapes, dtypes and data"}
    for row in rows:
        tests = row.split("|")[3]
        refs = re.findall(r"`([\w/]*?)(\w+\.py)(?:::(\w+\*?))?`|`::(\w+\*?)`", tests)
        assert refs, row
        current = None
        for _, file, name, bare in refs:
            if file:
                matches = list(root.glob(f"tests/**/{file}"))
                assert len(matches) == 1, file
                current = matches[0].read_text(encoding="utf-8")
            name = name or bare
            if name:
                pattern = r"def " + re.escape(name.rstrip("*")) + (r"\w*\(" if
                                                                   name.endswith("*") else r"\(")
                assert re.search(pattern, current), f"{file or 'the file before'}: {name}"
