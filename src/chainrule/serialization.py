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
  Every member's CRC is checked; the zip's archive comment holds a SHA-256 of
  every name, dtype, shape and byte of data (``chainrule-npz sha256=...``).
* ``.safetensors``: the safetensors layout (8-byte little-endian header
  length, a JSON header of ``dtype``/``shape``/``data_offsets``, raw
  little-endian bytes), readable by the ``safetensors`` library. chainrule
  adds to the header's ``__metadata__`` a SHA-256 of the data (``sha256``)
  and one of the names, dtypes, shapes and offsets (``sha256_header``).

The guarantees (each has its test, in ``tests/test_checkpoint.py`` and
``tests/adversarial/``):

* **Atomic**: written through :func:`chainrule.fileio.write_atomic` (a
  securely created temporary file beside ``path``, ``fsync``, then a rename),
  so a crash leaves the old file or the new one, and the temporary files of a
  killed save are removed by the next save. Everything is validated before
  the first byte is written: a refused save leaves the old file as it was.
* **Never unpickles**: object arrays are refused when saving, and a file
  that would need pickle is rejected on load.
* **Never follows links**: a symbolic link at ``path`` is refused when saving;
  loading reads only regular files (a FIFO, a device, a directory is refused
  without reading it).
* **Bounded memory**: every array's size is computed from its header and
  checked against the bytes the file holds for it before anything is
  allocated; a load allocates at most the file's size plus
  :data:`INFLATE_ALLOWANCE` (for compressed ``.npz`` members), or
  ``max_bytes`` when given.
* **Integrity**: a load returns exactly what was saved (names, shapes,
  dtypes and data) or raises :class:`CheckpointError` saying what is wrong.
  Files without chainrule's integrity record (an older chainrule's,
  ``numpy.savez``'s, another program's) are loaded only with ``like=`` (which
  checks names, shapes and dtypes) or ``allow_unverified=True``.

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

import ast
import hashlib
import json
import math
import os
import zipfile

import numpy as onp

from . import fileio
from .core.tree import join_path, tree_flatten_with_keys, tree_unflatten

__all__ = ["save", "load", "CheckpointError", "named_arrays", "INFLATE_ALLOWANCE"]

_ROOT = "__root__"  # the name of a tree that is a single array
_MAX_HEADER = 100 * 2 ** 20  # safetensors JSON header
_MAX_NPY_HEADER = 10_000  # numpy's own limit for a .npy header it reads safely
_MAX_DIMS = 64  # numpy 2's limit (numpy 1: 32, where reshape then refuses more)
_CHUNK = 1 << 20  # bytes per read when filling an array from a zip member
_NPZ_MARK = b"chainrule-npz sha256="
_METADATA = "__metadata__"

#: the most bytes of arrays a load may create beyond the file's own size (what
#: compressed ``.npz`` members inflate to), unless ``load(..., max_bytes=...)`` says
INFLATE_ALLOWANCE = 256 * 2 ** 20

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


def _check_name(name, fmt):
    """Refuse, before anything is written, a name the format could not give back."""
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError(f"cannot save {name!r}: the name is not valid Unicode text (a "
                              "lone surrogate); rename the dict key") from None
    if fmt == "npz":
        if "\0" in name:  # zip readers cut a member's name at the first NUL
            raise CheckpointError(f"cannot save {name!r} as .npz: the name contains a NUL "
                                  "character, which zip member names cannot hold; rename the "
                                  "dict key (or use .safetensors)")
        if len(encoded) + 4 > 0xFFFF:
            raise CheckpointError(f"cannot save {name[:40]!r}...: the name is "
                                  f"{len(encoded)} bytes long, more than a zip member name "
                                  "can hold (65531)")
    elif name == _METADATA:
        raise CheckpointError(f"cannot save {name!r} as .safetensors: the format reserves "
                              "that name for its metadata; rename the dict key (or use .npz)")


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


def _c_order(a):
    # not numpy.ascontiguousarray, which turns a 0-d array into shape (1,)
    return a if a.flags.c_contiguous else a.copy(order="C")


def _bytes_view(a):
    """The bytes of a C-contiguous array, without a copy."""
    return a.reshape(-1).view(onp.uint8).data


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


def _describe(name, dtype_text, shape, extra=None):
    """One line of the integrity digest: what an array is, unambiguously (JSON escapes)."""
    item = [name, dtype_text, list(shape)] + ([] if extra is None else [extra])
    return json.dumps(item, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"


def _write_npz(f, arrays):
    # numpy.savez's layout (a zip of .npy members), written by hand so that any
    # name is allowed, nothing can be pickled, and the integrity digest (every
    # name, dtype, shape and data byte) goes into the archive comment.
    digest = hashlib.sha256()
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, a in arrays:
            a = _c_order(a)  # C order always: one layout to describe
            header = onp.lib.format.header_data_from_array_1_0(a)
            data = _bytes_view(a)
            digest.update(_describe(name, header["descr"], a.shape, False))
            digest.update(data)
            with zf.open(name + ".npy", "w", force_zip64=True) as member:
                onp.lib.format.write_array_header_1_0(member, header)
                member.write(data)
        zf.comment = _NPZ_MARK + digest.hexdigest().encode("ascii")


def _read_exact(f, n, bad, what):
    data = f.read(n)
    if len(data) != n:
        raise bad(f"{what}: {len(data)} bytes where {n} were expected (cut short)")
    return data


def _parse_npy_header(member, name, bad, path):
    """``(shape, fortran_order, dtype, header bytes)`` of a ``.npy`` member, read by hand:
    a bounded header, literals only (``ast.literal_eval``), numeric dtypes only."""
    magic = _read_exact(member, 8, bad, f"{name!r}: the .npy header")
    if magic[:6] != b"\x93NUMPY":
        raise bad(f"{name!r} is not a .npy array (no \\x93NUMPY magic)")
    major, minor = magic[6], magic[7]
    if (major, minor) not in ((1, 0), (2, 0), (3, 0)):
        raise bad(f"{name!r}: .npy format version {major}.{minor} is not one NumPy writes")
    width = 2 if major == 1 else 4
    n = int.from_bytes(_read_exact(member, width, bad, f"{name!r}: the .npy header"),
                       "little")
    if n > _MAX_NPY_HEADER:
        raise bad(f"{name!r}: its .npy header is {n} bytes long, more than the "
                  f"{_MAX_NPY_HEADER} a header of a numeric array needs (damaged or crafted)")
    text = _read_exact(member, n, bad, f"{name!r}: the .npy header")
    try:
        d = ast.literal_eval(text.decode("utf-8" if major == 3 else "latin1"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError,
            UnicodeDecodeError):
        raise bad(f"{name!r}: its .npy header is not a Python literal: "
                  f"{text[:60]!r}") from None
    if not isinstance(d, dict) or set(d) != {"descr", "fortran_order", "shape"}:
        raise bad(f"{name!r}: its .npy header is not a dict of 'descr', 'fortran_order' and "
                  f"'shape': {text[:60]!r}")
    descr, fortran, shape = d["descr"], d["fortran_order"], d["shape"]
    if not isinstance(descr, str):
        raise CheckpointError(f"{path!r}: {name!r} has a structured dtype ({str(descr)[:60]}); "
                              "checkpoints hold numeric arrays only")
    try:
        dtype = onp.dtype(descr)
    except (TypeError, ValueError, SyntaxError):
        raise bad(f"{name!r}: {descr[:40]!r} is not a NumPy dtype") from None
    if dtype.hasobject:
        raise CheckpointError(f"{path!r}: {name!r} is an object array (dtype {descr!r}), "
                              "which could only be read by unpickling it; refusing "
                              "(checkpoints hold numeric arrays only)")
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        raise CheckpointError(f"{path!r}: {name!r} has dtype {descr!r}; checkpoints hold "
                              "numeric and boolean arrays only")
    if not isinstance(fortran, bool):
        raise bad(f"{name!r}: fortran_order is {fortran!r}, not True or False")
    _check_shape(shape, name, bad, tuple)
    return tuple(shape), fortran, dtype, magic + (len(text)).to_bytes(width, "little") + text


def _check_shape(shape, name, bad, kind):
    if not isinstance(shape, kind) or not all(type(s) is int and s >= 0 for s in shape):
        raise bad(f"{name!r}: the shape {str(shape)[:60]} is not a list of non-negative "
                  "integers")
    if len(shape) > _MAX_DIMS:
        raise bad(f"{name!r}: {len(shape)} dimensions, more than NumPy's {_MAX_DIMS}")


def _fill(member, a, digest, name, bad):
    """Read ``a.nbytes`` bytes from ``member`` into ``a``, in bounded chunks, hashing them."""
    view = memoryview(a.reshape(-1).view(onp.uint8))
    pos, total = 0, a.nbytes
    while pos < total:
        chunk = member.read(min(_CHUNK, total - pos))
        if not chunk:
            raise bad(f"{name!r}: its data end after {pos} of {total} bytes")
        view[pos:pos + len(chunk)] = chunk
        digest.update(chunk)
        pos += len(chunk)


# zipfile parses a damaged archive with whatever exception its arithmetic meets
# (BadZipFile, OSError, NotImplementedError, RuntimeError, OverflowError, zlib.error,
# struct.error, ValueError...): every one of them means a bad file, and becomes a
# CheckpointError that says so and names it
_ZIP_ERRORS = Exception


def _read_npz(path, f, limit):
    def bad(msg):
        return CheckpointError(f"{path!r} is truncated or corrupt: {msg}")

    try:
        zf = zipfile.ZipFile(f)
    except CheckpointError:
        raise
    except _ZIP_ERRORS as e:
        raise bad(f"not a valid .npz zip archive ({type(e).__name__}: {e})") from None
    out, digest, budget = {}, hashlib.sha256(), limit
    with zf:
        for info in zf.infolist():
            name = info.filename[:-4]
            if not info.filename.endswith(".npy") or info.is_dir():
                raise CheckpointError(f"{path!r}: unexpected member {info.filename!r} in an "
                                      ".npz checkpoint (only .npy arrays belong there)")
            if name in out:
                raise bad(f"two members are both named {info.filename!r}")
            if info.flag_bits & 0x1:
                raise CheckpointError(f"{path!r}: {name!r} is encrypted; checkpoints are "
                                      "never encrypted (damaged or not a checkpoint)")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise CheckpointError(
                    f"{path!r}: {name!r} uses zip compression method {info.compress_type}; "
                    "checkpoints are stored or deflated (numpy.savez_compressed) only")
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise bad(f"{name!r}: a stored member whose sizes disagree "
                          f"({info.compress_size} bytes stored, {info.file_size} declared)")
            try:
                with zf.open(info) as member:
                    shape, fortran, dtype, header = _parse_npy_header(member, name, bad, path)
                    nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
                    if len(header) + nbytes != info.file_size:
                        raise bad(f"{name!r}: its header declares shape {shape} of {dtype} "
                                  f"({nbytes} bytes of data) but its zip entry holds "
                                  f"{info.file_size - len(header)}")
                    if nbytes > budget:
                        raise CheckpointError(
                            f"{path!r}: {name!r} (shape {shape}, {dtype}) needs {nbytes} "
                            f"bytes, which would make the arrays of this file more than "
                            f"max_bytes={limit}; refusing before allocating it (pass a "
                            "larger max_bytes= if you trust the file)")
                    budget -= nbytes
                    a = onp.empty(shape[::-1] if fortran else shape, dtype)
                    digest.update(_describe(name, dtype.str, shape, fortran))
                    _fill(member, a, digest, name, bad)
                    if member.read(1):  # also where zipfile checks the CRC
                        raise bad(f"{name!r}: more data than its shape {shape} holds")
            except CheckpointError:
                raise
            except _ZIP_ERRORS as e:
                raise bad(f"{name!r} cannot be read ({type(e).__name__}: {e})") from None
            out[name] = a.T if fortran else a
        comment = zf.comment
    if not comment:
        return out, False
    if not comment.startswith(_NPZ_MARK) or len(comment) != len(_NPZ_MARK) + 64:
        raise bad(f"the integrity record (the zip comment) is damaged: {comment[:80]!r}")
    if digest.hexdigest().encode("ascii") != comment[len(_NPZ_MARK):]:
        raise bad("the SHA-256 of the names, dtypes, shapes and data does not match the "
                  "integrity record: the file changed after it was saved")
    return out, True


def _header_digest(entries):
    """SHA-256 of the safetensors entries ``(begin, end, name, code, shape)``, in file order."""
    h = hashlib.sha256()
    for begin, end, name, code, shape in sorted(entries):
        h.update(_describe(name, code, shape, [begin, end]))
    return h.hexdigest()


def _write_safetensors(f, arrays):
    header, entries, data, offset = {}, [], [], 0
    digest = hashlib.sha256()
    for name, a in arrays:
        a = _c_order(a.astype(a.dtype.newbyteorder("<"), copy=False))
        code, n = _ST_CODES[a.dtype], a.nbytes
        header[name] = {"dtype": code, "shape": list(a.shape),
                        "data_offsets": [offset, offset + n]}
        entries.append((offset, offset + n, name, code, list(a.shape)))
        offset += n
        data.append(_bytes_view(a))
        digest.update(data[-1])
    header[_METADATA] = {"format": "chainrule", "sha256": digest.hexdigest(),
                         "sha256_header": _header_digest(entries)}
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * (-len(hb) % 8)  # pad so the data starts 8-byte aligned
    if len(hb) > _MAX_HEADER:
        raise CheckpointError(f"the safetensors header would be {len(hb)} bytes, more than "
                              f"the {_MAX_HEADER} a reader accepts (too many arrays); use .npz")
    f.write(len(hb).to_bytes(8, "little"))
    f.write(hb)
    for chunk in data:
        f.write(chunk)


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for i, k in enumerate(keys) if k in keys[:i])
        raise CheckpointError(f"the JSON header names {dup!r} twice")
    return dict(pairs)


def _no_constant(text):
    raise ValueError(f"{text} is not a JSON number")


def _read_safetensors(path, f, size, limit):
    def bad(msg):
        return CheckpointError(f"{path!r} is truncated or corrupt: {msg}")

    if size < 8:
        raise bad(f"{size} bytes, less than the 8-byte header length")
    n = int.from_bytes(f.read(8), "little")
    if n > size - 8 or n > _MAX_HEADER:
        raise bad(f"the header announces {n} bytes but the file has {size - 8} after the "
                  "length field (not a safetensors file, or cut short)")
    raw = _read_exact(f, n, bad, "the JSON header")
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates,
                            parse_constant=_no_constant)
    except CheckpointError as e:
        raise bad(str(e)) from None
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as e:
        raise bad(f"the JSON header does not parse ({type(e).__name__}: "
                  f"{str(e)[:100]})") from None
    if not isinstance(header, dict):
        raise bad("the JSON header is not an object")
    meta = header.pop(_METADATA, {})
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise bad(f"{_METADATA!r} is not a map of strings")
    entries = []
    for name, e in header.items():
        if not isinstance(e, dict) or set(e) != {"dtype", "shape", "data_offsets"}:
            raise bad(f"malformed header entry for {name!r}: {str(e)[:80]} (needs exactly "
                      "dtype, shape and data_offsets)")
        code, shape, offsets = e["dtype"], e["shape"], e["data_offsets"]
        if not isinstance(code, str):
            raise bad(f"{name!r}: the dtype {str(code)[:40]} is not a string")
        if code not in _ST_DTYPES:
            raise CheckpointError(f"{path!r}: {name!r} has dtype {code[:20]!r}, which NumPy "
                                  f"cannot represent (supported: {sorted(_ST_DTYPES)})")
        _check_shape(shape, name, bad, list)
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(type(o) is int for o in offsets) and 0 <= offsets[0] <= offsets[1]):
            raise bad(f"{name!r}: data_offsets {str(offsets)[:60]} are not two increasing "
                      "non-negative integers")
        begin, end = offsets
        nbytes = math.prod(shape) * onp.dtype(_ST_DTYPES[code]).itemsize  # exact, no overflow
        if end - begin != nbytes:
            raise bad(f"{name!r}: shape {shape} of {code} needs {nbytes} bytes but its "
                      f"data_offsets give {end - begin}")
        entries.append((begin, end, name, code, shape))
    entries.sort()
    pos = 0
    for begin, end, name, _, _ in entries:
        if begin != pos:
            raise bad(f"{name!r}: tensor data is not contiguous (offset {begin}, expected {pos})")
        pos = end
    if pos != size - 8 - n:
        raise bad(f"the header describes {pos} bytes of tensor data but the file holds "
                  f"{size - 8 - n}")
    if pos > limit:
        raise CheckpointError(f"{path!r} holds {pos} bytes of arrays, more than "
                              f"max_bytes={limit}; refusing (pass a larger max_bytes=)")
    verified = meta.get("format") == "chainrule" and "sha256_header" in meta
    if verified and _header_digest(entries) != meta["sha256_header"]:
        raise bad("the SHA-256 of the names, dtypes, shapes and offsets does not match the "
                  "one in the header: the header changed after it was saved")
    digest, out = hashlib.sha256(), {}
    for _, _, name, code, shape in entries:  # in offset order: one sequential read
        a = onp.empty(shape, onp.dtype(_ST_DTYPES[code]))
        _fill(f, a, digest, name, bad)
        out[name] = a.astype(a.dtype.newbyteorder("="), copy=False)
    want = meta.get("sha256") if meta.get("format") == "chainrule" else None
    if want is not None and digest.hexdigest() != want:
        raise bad("the SHA-256 of the tensor data does not match the one in the header")
    return {name: out[name] for name in header}, verified  # in the header's order


# ----------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------

def save(path, tree, *, format=None):
    """Write every array of ``tree`` to ``path`` (``.npz`` or ``.safetensors``), atomically.

    ``tree``: an array, or dicts (str/int keys), lists and tuples of arrays and
    numbers. Object, string and other non-numeric arrays are refused (they
    would need pickle); so is complex data in safetensors, and any name the
    format could not give back (a NUL in an ``.npz`` name, ``"__metadata__"``
    in safetensors). Everything is checked before the file is touched; a
    symbolic link at ``path`` is refused (:class:`chainrule.fileio.UnsafePathError`).

    >>> import os, tempfile, numpy
    >>> p = os.path.join(tempfile.mkdtemp(), "w.npz")
    >>> save(p, {"w": numpy.arange(3.0)})
    >>> numpy.load(p, allow_pickle=False)["w"]
    array([0., 1., 2.])
    >>> save(p, {"a\\0b": numpy.ones(1)})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.serialization.CheckpointError: cannot save 'a\\x00b' as .npz: the name contains ...
    """
    fmt = _format(path, format)
    arrays = []
    for name, leaf in named_arrays(tree):
        _check_name(name, fmt)
        arrays.append((name, _as_array(name, leaf, fmt)))
    writer = _write_npz if fmt == "npz" else _write_safetensors
    fileio.write_atomic(path, lambda f: writer(f, arrays))


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


def _open(path):
    try:
        return fileio.open_regular(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint at {path!r}") from None
    except fileio.NotARegularFileError as e:
        raise CheckpointError(f"{path!r} is {e.kind}, not a regular file; refusing to read "
                              "it as a checkpoint") from None
    except OSError as e:
        raise CheckpointError(f"{path!r} cannot be opened: {e}") from None


def load(path, like=None, *, format=None, max_bytes=None, allow_unverified=False):
    """Read a checkpoint. With ``like``: a container shaped like it, after checking names,
    shapes and dtypes; without: a dict ``{name: array}``.

    Raises :class:`CheckpointError` for a missing name, an unexpected name, a
    shape or dtype mismatch (all named in the message), a truncated, corrupt or
    crafted file (saying what is wrong), data that would need unpickling, a path
    that is not a regular file, or arrays larger than ``max_bytes`` (default:
    the file's size plus :data:`INFLATE_ALLOWANCE`), checked before allocating.
    A file without chainrule's integrity record (saved by an older chainrule,
    by ``numpy.savez`` or by another program) is refused unless ``like`` is
    given (which checks its names, shapes and dtypes) or ``allow_unverified=True``.

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
    if max_bytes is not None and (type(max_bytes) is not int or max_bytes < 0):
        raise TypeError(f"load: max_bytes must be a non-negative int (a number of bytes), "
                        f"not {max_bytes!r}")
    with _open(path) as f:
        size = os.fstat(f.fileno()).st_size
        limit = size + INFLATE_ALLOWANCE if max_bytes is None else max_bytes
        try:
            if fmt == "npz":
                values, verified = _read_npz(path, f, limit)
            else:
                values, verified = _read_safetensors(path, f, size, limit)
        except (OSError, MemoryError) as e:  # a read error (EIO...) is a bad file too
            raise CheckpointError(f"{path!r} cannot be read: {type(e).__name__}: {e}") from None
    if like is None:
        if not verified and not allow_unverified:
            raise CheckpointError(
                f"{path!r} has no chainrule integrity record, so its names, shapes and dtypes "
                "cannot be verified (it was saved by an older chainrule, by numpy.savez or "
                "by another program, or its record was lost): load it with like=... to check "
                "them against what you expect, or with allow_unverified=True to take it as "
                "it is; saving it again adds the record")
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
