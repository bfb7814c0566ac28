"""Crafted, mutated and hostile checkpoint files: every one a CheckpointError saying what is
wrong, in bounded time and memory; a save that could not be loaded back is refused first.

Each case is built here, byte by byte (``crafted.py``): nothing binary is committed.
"""

import json
import os
import resource
import struct
import threading
import zlib

import numpy as onp
import pytest

from chainrule.serialization import CheckpointError, load, save

from . import crafted

FORMATS = ["npz", "safetensors"]


def _five():
    r = onp.random.default_rng(1)
    return {"a": r.standard_normal(3), "b": onp.arange(4, dtype=onp.int32),
            "c": {"W": r.standard_normal((2, 2)).astype(onp.float32)},
            "d": onp.array([True, False]), "e": onp.float64(2.5)}


def _same(a, b):
    return list(a) == list(b) and all(
        a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and a[k].tobytes() == b[k].tobytes()
        for k in a)


# ---------------------------------------------------------------------------
# Every single-byte change: exactly what was saved, or a CheckpointError
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_every_flipped_byte_fails_or_changes_nothing(tmp_path, fmt):
    good = tmp_path / f"good.{fmt}"
    save(good, {"a": onp.arange(2.0), "b": {"W": onp.int32(3)}, "c": onp.array([True])})
    want = load(good)
    raw = good.read_bytes()
    bad = tmp_path / f"bad.{fmt}"
    changed = 0
    for i in range(len(raw)):
        mask = (0x01, 0x80, 0xFF)[i % 3]  # a low bit, a high bit, every bit
        b = bytearray(raw)
        b[i] ^= mask
        bad.write_bytes(bytes(b))
        try:
            got = load(bad)
        except CheckpointError:
            changed += 1
            continue
        # loaded: only bytes no reader uses (zip timestamps, spare fields) may differ
        assert _same(got, want), f"byte {i} ^ {mask:#x} loaded different arrays"
    assert changed > 0.6 * len(raw)  # most bytes matter (zip timestamps, versions do not)


def test_npz_directory_that_lists_two_of_five_members_is_caught(tmp_path):
    path = tmp_path / "five.npz"
    save(path, _five())
    raw = path.read_bytes()
    end = raw.rindex(b"PK\x05\x06")
    fields = list(crafted.END.unpack_from(raw, end))
    starts = [i for i in range(fields[6], end) if raw[i:i + 4] == b"PK\x01\x02"]
    # a valid zip whose directory lost its last three entries: a reader sees two arrays
    fields[3] = fields[4] = 2
    fields[5] = starts[2] - fields[6]
    path.write_bytes(raw[:starts[2]] + crafted.END.pack(*fields) + raw[end + 22:])
    with pytest.raises(CheckpointError, match="does not match the integrity record"):
        load(path)


def test_safetensors_renamed_key_is_caught(tmp_path):
    path = tmp_path / "m.safetensors"
    save(path, {"W": onp.ones(2), "b": onp.zeros(2)})
    path.write_bytes(path.read_bytes().replace(b'"W"', b'"V"', 1))
    with pytest.raises(CheckpointError, match="names, dtypes, shapes and offsets"):
        load(path)


# ---------------------------------------------------------------------------
# Crafted .npz files: each of the exceptions zipfile and numpy would raise
# ---------------------------------------------------------------------------

def _npz(tmp_path, members, comment=b""):
    path = tmp_path / "crafted.npz"
    path.write_bytes(crafted.zip_archive(members, comment))
    return path


def _member(shape=(2,), data=None, **kw):
    data = onp.zeros(shape).tobytes() if data is None else data
    return {"name": "w.npy", "payload": crafted.npy(shape, data=data), **kw}


@pytest.mark.parametrize("overrides, message", [
    ({"method": 99}, "compression method 99"),                      # NotImplementedError
    ({"method": 14}, "compression method 14"),                      # LZMAError
    ({"method": 12}, "compression method 12"),                      # bzip2
    ({"flags": 0x801}, "encrypted"),                                # RuntimeError
    ({"crc": 12345}, "truncated or corrupt"),                       # BadZipFile (CRC)
    ({"offset": 10 ** 9}, "truncated or corrupt"),                  # OSError / BadZipFile
    ({"method": 8, "raw": True}, "truncated or corrupt"),           # zlib.error
    ({"file_size": 2 ** 31, "compress_size": 2 ** 31}, "zip entry holds"),  # vs the header
    ({"compress_size": 2 ** 31}, "sizes disagree"),                 # stored: must be equal
])
def test_crafted_npz_members_are_checkpoint_errors(tmp_path, overrides, message):
    with pytest.raises(CheckpointError, match=message):
        load(_npz(tmp_path, [_member(**overrides)]), allow_unverified=True)


@pytest.mark.parametrize("shape", [(2 ** 40,), (2 ** 70,), (2 ** 32, 2 ** 32), (1,) * 65])
def test_claimed_shapes_are_checked_before_allocating(tmp_path, shape):
    # MemoryError (2**40), OverflowError (2**70), an int64 product that wraps, 65 dims
    with pytest.raises(CheckpointError, match="zip entry holds|dimensions"):
        load(_npz(tmp_path, [_member(shape, data=b"\0" * 16)]), allow_unverified=True)


@pytest.mark.parametrize("header, message", [
    ("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "object array"),
    ("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", "structured"),
    ("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", "numeric and boolean"),
    ("{'descr': '<f8', 'fortran_order': 1, 'shape': (1,), }", "fortran_order"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", "non-negative"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,), }", "non-negative"),
    ("{'descr': 'xyz', 'fortran_order': False, 'shape': (1,), }", "not a NumPy dtype"),
    ("__import__('os').system('echo pwned')", "not a Python literal"),
    ("[" * 5000, "not a Python literal"),
    ("{'descr': '<f8', 'shape': (1,), }", "not a dict of"),
])
def test_crafted_npy_headers(tmp_path, header, message):
    member = {"name": "w.npy", "payload": crafted.npy(None, header=header, data=b"\0" * 8)}
    with pytest.raises(CheckpointError, match=message):
        load(_npz(tmp_path, [member]), allow_unverified=True)


def test_oversized_npy_header_says_what_it_is(tmp_path):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" + " " * 20000
    member = {"name": "w.npy", "payload": crafted.npy(None, header=header, data=b"\0" * 8,
                                                      version=(2, 0))}
    with pytest.raises(CheckpointError, match=r"header is \d+ bytes long") as e:
        load(_npz(tmp_path, [member]), allow_unverified=True)
    assert "pickl" not in str(e.value) and "object" not in str(e.value)


def test_decompression_is_bounded_before_inflating(tmp_path):
    # a 1 MB .npz that inflates to 1 GiB: deflate blocks of zeros, each 1 MiB of output
    # (a full flush makes every block the same bytes), after a header declaring them
    header = crafted.npy((2 ** 27,))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(2 ** 20)) + c.flush(zlib.Z_FULL_FLUSH)
    stream += block * 1024 + c.flush()
    path = _npz(tmp_path, [{"name": "w.npy", "payload": stream, "method": 8, "raw": True,
                            "crc": 0, "file_size": len(header) + 2 ** 30}])
    assert os.path.getsize(path) < 2 ** 21
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(CheckpointError, match=r"needs 1073741824 bytes.*max_bytes="):
        load(path, allow_unverified=True)
    grew_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grew_kib < 100_000  # nothing near a GiB was allocated
    # the same file is read when the limit allows it (and then the CRC, 0 here, fails)
    with pytest.raises(CheckpointError, match="max_bytes=1000"):
        load(path, allow_unverified=True, max_bytes=1000)


def test_real_compressed_npz_loads_within_the_limit(tmp_path):
    path = tmp_path / "c.npz"
    onp.savez_compressed(path, w=onp.zeros(200_000))  # 1.6 MB of zeros, a 2 kB file
    assert load(path, like={"w": onp.zeros(200_000)})["w"].shape == (200_000,)
    with pytest.raises(CheckpointError, match="max_bytes=100000"):
        load(path, like={"w": onp.zeros(200_000)}, max_bytes=100_000)


def test_overlapping_stored_members_count_against_the_budget(tmp_path):
    # 50 directory entries pointing at one stored member: memory would be 50x the file
    one = _member((1000,))
    members = [{**one, "name": f"w{i}.npy", "offset": 0} for i in range(50)]
    path = _npz(tmp_path, members)
    with pytest.raises(CheckpointError):
        load(path, allow_unverified=True, max_bytes=os.path.getsize(path))


def test_duplicate_and_foreign_members(tmp_path):
    with pytest.raises(CheckpointError, match="named 'w.npy'"):
        load(_npz(tmp_path, [_member(), _member()]), allow_unverified=True)
    with pytest.raises(CheckpointError, match="unexpected member 'x.txt'"):
        load(_npz(tmp_path, [{"name": "x.txt", "payload": b"hi"}]), allow_unverified=True)
    with pytest.raises(CheckpointError, match="integrity record .* is damaged"):
        load(_npz(tmp_path, [_member()], comment=b"chainrule-npz sha256=00"))


# ---------------------------------------------------------------------------
# Crafted .safetensors files
# ---------------------------------------------------------------------------

def _st(tmp_path, header, data=b"\0" * 8):
    path = tmp_path / "crafted.safetensors"
    path.write_bytes(crafted.safetensors(header, data))
    return path


def _entry(**kw):
    return {"w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8], **kw}}


@pytest.mark.parametrize("header, message", [
    (b"[" * 100_000, "does not parse"),                              # RecursionError
    (_entry(dtype=["F32"]), "is not a string"),                      # TypeError
    (b'{"w": {"dtype": "F64", "shape": [1e400], "data_offsets": [0, 8]}}',
     "non-negative integers"),                                       # OverflowError
    (_entry(shape=[2 ** 32, 2 ** 32]), "needs"),                     # int64 wraps to 0
    (_entry(shape=[1] * 65), "65 dimensions"),                       # numpy's limit
    (_entry(shape=[True]), "non-negative integers"),
    (_entry(shape=[-1]), "non-negative integers"),
    (_entry(data_offsets=[8, 0]), "data_offsets"),
    (_entry(data_offsets=[0.0, 8.0]), "data_offsets"),
    (_entry(dtype="F8"), "NumPy cannot represent"),
    (_entry(extra=1), "exactly"),
    (b'{"w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]},'
     b' "w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}', "names 'w' twice"),
    (b'{"w": {"dtype": "F64", "shape": [NaN], "data_offsets": [0, 8]}}', "does not parse"),
    (b'{"w": {"dtype": "F64", "shape": [' + b"9" * 5000 + b'], "data_offsets": [0, 8]}}',
     "does not parse"),
    ({"__metadata__": {"format": 1}}, "map of strings"),
    (b"\xff\xfe", "does not parse"),
    (b"[1, 2]", "not an object"),
])
def test_crafted_safetensors_headers(tmp_path, header, message):
    with pytest.raises(CheckpointError, match=message):
        load(_st(tmp_path, header), allow_unverified=True)


def test_safetensors_header_length_and_data_size_are_checked(tmp_path):
    path = tmp_path / "big.safetensors"
    path.write_bytes(struct.pack("<Q", 2 ** 60) + b"{}")
    with pytest.raises(CheckpointError, match="announces"):
        load(path)
    # the header describes more data than the file holds: refused before reading it
    with pytest.raises(CheckpointError, match="describes 8000 bytes"):
        load(_st(tmp_path, _entry(shape=[1000], data_offsets=[0, 8000])), allow_unverified=True)


# ---------------------------------------------------------------------------
# Not a regular file: refused without reading (a FIFO would hang, /dev/zero never ends)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_fifo_device_and_directory_are_refused(tmp_path, fmt):
    fifo = tmp_path / f"x.{fmt}"
    os.mkfifo(fifo)
    done = []
    t = threading.Thread(target=lambda: done.append(pytest.raises(CheckpointError, load, fifo)))
    t.start()
    t.join(timeout=10)
    assert done and "FIFO" in str(done[0].value)  # answered at once, did not block
    zero = tmp_path / f"zero.{fmt}"
    os.symlink("/dev/zero", zero)
    with pytest.raises(CheckpointError, match="character device"):
        load(zero)
    folder = tmp_path / f"dir.{fmt}"
    folder.mkdir()
    with pytest.raises(CheckpointError, match="a directory"):
        load(folder)


# ---------------------------------------------------------------------------
# Saves that could not be loaded back are refused, and leave the old file
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, tree, message", [
    ("safetensors", {"__metadata__": onp.ones(2)}, "reserves that name"),
    ("npz", {"a\0b": onp.ones(2)}, "NUL"),
    ("npz", {"a\udcffb": onp.ones(2)}, "not valid Unicode"),
    ("safetensors", {"a\udcffb": onp.ones(2)}, "not valid Unicode"),
    ("npz", {"x" * 70000: onp.ones(2)}, "more than a zip member name can hold"),
])
def test_unloadable_saves_are_refused_before_writing(tmp_path, fmt, tree, message):
    path = tmp_path / f"m.{fmt}"
    save(path, {"old": onp.zeros(3)})
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match=message):
        save(path, tree)
    assert path.read_bytes() == before and os.listdir(tmp_path) == [path.name]


@pytest.mark.parametrize("fmt", FORMATS)
def test_names_that_are_allowed_round_trip(tmp_path, fmt):
    tree = {"é/ü": onp.ones(1), "a b": onp.zeros(2), "\\": onp.ones(3), "": onp.ones(1),
            "x.npy": onp.ones(1)}
    save(tmp_path / f"n.{fmt}", tree)
    back = load(tmp_path / f"n.{fmt}", like=tree)
    assert all(onp.array_equal(back[k], tree[k]) for k in tree)


# ---------------------------------------------------------------------------
# Files without chainrule's integrity record
# ---------------------------------------------------------------------------

def test_files_without_the_integrity_record_need_like(tmp_path):
    npz = tmp_path / "plain.npz"
    onp.savez(npz, w=onp.ones(2))
    with pytest.raises(CheckpointError, match="no chainrule integrity record.*like="):
        load(npz)
    assert load(npz, like={"w": onp.ones(2)})["w"].tolist() == [1, 1]
    assert load(npz, allow_unverified=True)["w"].tolist() == [1, 1]
    # a safetensors file of an older chainrule: a data hash, no header hash
    st = tmp_path / "old.safetensors"
    save(st, {"w": onp.ones(2)})
    raw = st.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    del header["__metadata__"]["sha256_header"]
    hb = json.dumps(header).encode()
    st.write_bytes(len(hb).to_bytes(8, "little") + hb + raw[8 + n:])
    with pytest.raises(CheckpointError, match="no chainrule integrity record"):
        load(st)
    assert load(st, like={"w": onp.ones(2)})["w"].tolist() == [1, 1]
    with pytest.raises(CheckpointError, match="does not match `like`"):
        load(st, like={"v": onp.ones(2)})
    raw = bytearray(st.read_bytes())
    raw[-1] ^= 1  # its data hash is still checked
    st.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="SHA-256 of the tensor data"):
        load(st, like={"w": onp.ones(2)})


def test_load_rejects_a_bad_max_bytes(tmp_path):
    save(tmp_path / "a.npz", {"w": onp.ones(1)})
    with pytest.raises(TypeError, match="max_bytes"):
        load(tmp_path / "a.npz", max_bytes="1GB")
