"""Checkpoints: save and load containers of arrays (parameters, optimizer state), no pickle.

Exposed as ``chainrule.save`` and ``chainrule.load``. (The module is not
called ``checkpoint``: that name is :func:`chainrule.checkpoint`, gradient
checkpointing, and importing a submodule of the same name would replace it.)

``save(path, tree)`` writes every array of ``tree`` under its path name
(``"0/W"``, ``"body/1/b"``, ``"m/head/W"``...). ``load(path, like=tree)``
reads them back into a container shaped like ``like`` and checks that names,
shapes and dtypes all match, naming whatever does not.

Two formats, chosen by the file suffix:

* ``.npz``: NumPy's zip of ``.npy`` files, readable by ``numpy.load(path)``.
  Written with ``allow_pickle=False``, read with ``allow_pickle=False``; every
  member's CRC is checked, so corruption is detected.
* ``.safetensors``: the safetensors layout (8-byte little-endian header
  length, a JSON header of ``dtype``/``shape``/``data_offsets``, raw
  little-endian bytes), readable by the ``safetensors`` library. chainrule
  adds a SHA-256 of the data to the header's ``__metadata__`` and verifies it.

Writes are atomic: a temporary file in the same directory is written, flushed
to disk, then renamed over ``path`` (``os.replace``), so a crash never
leaves a half-written checkpoint. Nothing is ever unpickled: object arrays are
refused when saving, and a file that would need pickle is rejected on load.

>>> import os, tempfile, numpy
>>> params = [{"W": numpy.ones((2, 3), numpy.float32), "b": numpy.zeros(3, numpy.float32)}, {}]
>>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
>>> save(path, params)
>>> back = load(path, like=params)
>>> back[0]["W"].dtype, back[1]
(dtype('float32'), {})
>>> sorted(load(path))                                  # no `like`: a flat dict by name
['0/W', '0/b']
"""

import hashlib
import io
import json
import os
import tempfile
import zipfile
import zlib

import numpy as onp

from .core.tree import join_path, tree_flatten_with_keys, tree_unflatten

__all__ = ["save", "load", "CheckpointError", "named_arrays"]

_ROOT = "__root__"  # the name of a tree that is a single array
_MAX_HEADER = 100 * 2 ** 20

_ST_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
              "I16": "<i2", "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1",
              "BOOL": "?"}
_ST_CODES = {onp.dtype(v): k for k, v in _ST_DTYPES.items()}


class CheckpointError(ValueError):
    """A checkpoint cannot be written or read: bad contents, corrupt or mismatched file."""


# ----------------------------------------------------------------------------
# Trees <-> named arrays
# ----------------------------------------------------------------------------

def named_arrays(tree):
    """``[(name, leaf), ...]``: the names under which ``save`` stores each leaf.

    >>> named_arrays({"W": 1.0, "layers": [2.0]})
    [('W', 1.0), ('layers/0', 2.0)]
    """
    pairs, _ = tree_flatten_with_keys(tree)
    out = []
    for keys, leaf in pairs:
        for i, k in enumerate(keys):  # sequence indices are ints: only dict keys can fail
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise CheckpointError(f"dict keys must be str or int to be saved, found "
                                      f"{k!r} under {join_path(keys[:i]) or '<root>'!r}")
        out.append((join_path(keys) or _ROOT, leaf))
    seen = set()
    for name, _ in out:
        if name in seen:
            raise CheckpointError(f"two leaves would both be saved as {name!r}; rename the "
                                  "dict keys (a key containing '/' collides with nesting)")
        seen.add(name)
    return out


def _as_array(name, leaf, fmt):
    if leaf is None:
        raise CheckpointError(f"{name!r} is None; only arrays and numbers can be saved")
    a = onp.asarray(leaf)
    kinds = "biuf" if fmt == "safetensors" else "biufc"
    if a.dtype.kind not in kinds:
        extra = " (complex arrays: use the .npz format)" if a.dtype.kind == "c" else ""
        what = "an object array (it would need pickle)" if a.dtype.kind == "O" else \
            f"of dtype {a.dtype}"
        raise CheckpointError(f"cannot save {name!r}: it is {what}; only numeric and boolean "
                              f"arrays can be saved{extra}")
    if fmt == "safetensors" and a.dtype.newbyteorder("<") not in _ST_CODES:
        raise CheckpointError(f"cannot save {name!r}: dtype {a.dtype} has no safetensors code")
    return a


# ----------------------------------------------------------------------------
# Atomic write
# ----------------------------------------------------------------------------

def _default_mode():
    # the permissions a plain open() would give: 0o666 minus the umask
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _default_mode()


def _atomic_write(path, write):
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _MODE)  # mkstemp makes files private (0600)
        os.replace(tmp, path)  # atomic: readers see the old file or the new one
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


# ----------------------------------------------------------------------------
# Formats
# ----------------------------------------------------------------------------

def _format(path, fmt):
    if fmt is not None:
        fmt = fmt.lower().lstrip(".")
    else:
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        fmt = {".npz": "npz", ".safetensors": "safetensors"}.get(suffix)
        if fmt is None:
            raise CheckpointError(f"cannot tell the format of {os.fspath(path)!r}: use a .npz or "
                                  ".safetensors suffix, or format='npz' / 'safetensors'")
    if fmt not in ("npz", "safetensors"):
        raise CheckpointError(f"unknown format {fmt!r}; use 'npz' or 'safetensors'")
    return fmt


def _write_npz(f, arrays):
    # numpy.savez's layout (a zip of .npy members), written by hand so that any
    # name is allowed and pickling is switched off for every member.
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, a in arrays:
            with zf.open(name + ".npy", "w", force_zip64=True) as member:
                onp.lib.format.write_array(member, a, allow_pickle=False)


def _read_npz(path):
    out = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                if not info.filename.endswith(".npy"):
                    raise CheckpointError(f"{path!r}: unexpected member {info.filename!r} in an "
                                          ".npz checkpoint")
                name = info.filename[:-4]
                raw = zf.read(info)  # checks the CRC: corrupt bytes raise here
                try:
                    out[name] = onp.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)
                except ValueError as e:
                    if "pickle" in str(e).lower() or "object" in str(e).lower():
                        raise CheckpointError(
                            f"{path!r}: {name!r} is an object array, which could only be read "
                            "by unpickling it; refusing (checkpoints hold numeric arrays "
                            "only)") from None
                    raise CheckpointError(f"{path!r}: {name!r} is corrupt: {e}") from None
                except (EOFError, OSError) as e:
                    raise CheckpointError(f"{path!r}: {name!r} is truncated: {e}") from None
    except zipfile.BadZipFile as e:
        raise CheckpointError(f"{path!r} is truncated or corrupt (not a valid .npz zip "
                              f"archive: {e})") from None
    except (zlib.error, EOFError) as e:
        raise CheckpointError(f"{path!r} is truncated or corrupt: {e}") from None
    return out


def _write_safetensors(f, arrays):
    header, chunks, offset = {}, [], 0
    digest = hashlib.sha256()
    for name, a in arrays:
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)  # safetensors is little-endian
        data = a.tobytes(order="C")
        header[name] = {"dtype": _ST_CODES[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
        digest.update(data)
    header["__metadata__"] = {"format": "chainrule", "sha256": digest.hexdigest()}
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * (-len(hb) % 8)  # pad so the data starts 8-byte aligned
    f.write(len(hb).to_bytes(8, "little"))
    f.write(hb)
    for data in chunks:
        f.write(data)


def _read_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()

    def bad(msg):
        return CheckpointError(f"{path!r} is truncated or corrupt: {msg}")

    if len(buf) < 8:
        raise bad(f"{len(buf)} bytes, less than the 8-byte header length")
    n = int.from_bytes(buf[:8], "little")
    if n > len(buf) - 8 or n > _MAX_HEADER:
        raise bad(f"the header announces {n} bytes but the file has {len(buf) - 8} after the "
                  "length field (not a safetensors file, or cut short)")
    try:
        header = json.loads(buf[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise bad(f"the JSON header does not parse ({e})") from None
    if not isinstance(header, dict):
        raise bad("the JSON header is not an object")
    meta = header.pop("__metadata__", None) or {}
    data = memoryview(buf)[8 + n:]
    entries = []
    for name, e in header.items():
        try:
            code, shape, (begin, end) = e["dtype"], e["shape"], e["data_offsets"]
            shape = tuple(int(s) for s in shape)
            begin, end = int(begin), int(end)
        except (KeyError, TypeError, ValueError):
            raise bad(f"malformed header entry for {name!r}: {e!r}") from None
        if code not in _ST_DTYPES:
            raise CheckpointError(f"{path!r}: {name!r} has dtype {code!r}, which NumPy cannot "
                                  f"represent (supported: {sorted(_ST_DTYPES)})")
        dt = onp.dtype(_ST_DTYPES[code])
        if any(s < 0 for s in shape) or end - begin != int(onp.prod(shape)) * dt.itemsize:
            raise bad(f"{name!r}: shape {list(shape)} of {code} does not match its "
                      f"{end - begin} bytes")
        entries.append((begin, end, name, dt, shape))
    entries.sort()
    pos = 0
    for begin, end, name, _, _ in entries:
        if begin != pos:
            raise bad(f"{name!r}: tensor data is not contiguous (offset {begin}, expected {pos})")
        pos = end
    if pos != len(data):
        raise bad(f"the header describes {pos} bytes of tensor data but the file holds "
                  f"{len(data)}")
    want = meta.get("sha256") if isinstance(meta, dict) else None
    if want is not None and hashlib.sha256(data).hexdigest() != want:
        raise bad("the SHA-256 of the tensor data does not match the one in the header")
    out = {}
    for begin, end, name, dt, shape in entries:
        out[name] = onp.frombuffer(data[begin:end], dtype=dt).reshape(shape).astype(
            dt.newbyteorder("="), copy=True)
    return out


# ----------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------

def save(path, tree, *, format=None):
    """Write every array of ``tree`` to ``path`` (``.npz`` or ``.safetensors``), atomically.

    ``tree``: an array, or dicts (str/int keys), lists and tuples of arrays and
    numbers. Object, string and other non-numeric arrays are refused (they
    would need pickle); so is complex data in safetensors.

    >>> import os, tempfile, numpy
    >>> p = os.path.join(tempfile.mkdtemp(), "w.npz")
    >>> save(p, {"w": numpy.arange(3.0)})
    >>> numpy.load(p, allow_pickle=False)["w"]
    array([0., 1., 2.])
    """
    fmt = _format(path, format)
    arrays = [(name, _as_array(name, leaf, fmt)) for name, leaf in named_arrays(tree)]
    writer = _write_npz if fmt == "npz" else _write_safetensors
    _atomic_write(path, lambda f: writer(f, arrays))


def _rebuild(like, values):
    def restore(x, a):
        if isinstance(x, (bool, int, float, complex)):
            return a.item()  # Python numbers come back as Python numbers
        if isinstance(x, onp.generic):
            return a[()]
        return a
    pairs, spec = tree_flatten_with_keys(like)
    return tree_unflatten(spec, [restore(x, values[join_path(keys) or _ROOT])
                                 for keys, x in pairs])


def load(path, like=None, *, format=None):
    """Read a checkpoint. With ``like``: a container shaped like it, after checking names,
    shapes and dtypes; without: a dict ``{name: array}``.

    Raises :class:`CheckpointError` for a missing name, an unexpected name, a
    shape or dtype mismatch (all named in the message), a truncated or corrupt
    file, or data that would need unpickling.

    >>> import os, tempfile, numpy
    >>> p = os.path.join(tempfile.mkdtemp(), "w.npz")
    >>> save(p, {"w": numpy.zeros(2)})
    >>> load(p, like={"w": numpy.zeros(3)})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.serialization.CheckpointError: ...'w': shape (2,) in the file, (3,) expected
    """
    path = os.fspath(path)
    fmt = _format(path, format)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path!r}")
    values = _read_npz(path) if fmt == "npz" else _read_safetensors(path)
    if like is None:
        return values
    expected = named_arrays(like)
    problems = []
    names = [n for n, _ in expected]
    missing = [n for n in names if n not in values]
    unexpected = sorted(set(values) - set(names))
    if missing:
        problems.append(f"missing {missing[:10]}")
    if unexpected:
        problems.append(f"unexpected {unexpected[:10]}")
    for name, leaf in expected:
        if name not in values:
            continue
        want, got = onp.asarray(leaf), values[name]
        if got.shape != want.shape:
            problems.append(f"{name!r}: shape {got.shape} in the file, {want.shape} expected")
        if got.dtype != want.dtype:
            problems.append(f"{name!r}: dtype {got.dtype} in the file, {want.dtype} expected")
    if problems:
        raise CheckpointError(f"checkpoint {path!r} does not match `like`: " +
                              "; ".join(problems))
    return _rebuild(like, values)
