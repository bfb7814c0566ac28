"""Crafted files for the adversarial tests, built byte by byte (no binary fixtures).

:func:`zip_archive` writes a zip with whatever header fields a test wants, true or
not (compression method, flags, CRC, sizes, offsets); :func:`npy` a ``.npy``
member with any header text; :func:`safetensors` a file from a header object or
raw header bytes.
"""

import json
import struct
import zlib

LOCAL = struct.Struct("<4s2B4HL2L2H")    # zip local file header
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zip central directory entry
END = struct.Struct("<4s4H2LH")           # end of central directory record


def npy(shape, descr="<f8", data=b"", header=None, version=(1, 0)):
    """A ``.npy`` member: magic, header (``header`` text, or one for ``descr``/``shape``), data."""
    if header is None:
        header = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {tuple(shape)!r}, }}"
    text = header.encode("latin1")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    width = "<H" if version[0] == 1 else "<I"
    return b"\x93NUMPY" + bytes(version) + struct.pack(width, len(text)) + text + data


def zip_archive(members, comment=b""):
    """A zip of ``members``: dicts with ``name``, ``payload`` and optional overrides
    ``method`` (0 stored, 8 deflated: the payload is compressed here unless
    ``raw=True``), ``flags``, ``crc``, ``compress_size``, ``file_size``, ``offset``."""
    out, central = bytearray(), bytearray()
    for m in members:
        name = m["name"].encode("utf-8")
        payload = m["payload"]
        method = m.get("method", 0)
        data = payload
        if method == 8 and not m.get("raw"):
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = c.compress(payload) + c.flush()
        crc = m.get("crc", zlib.crc32(payload))
        csize = m.get("compress_size", len(data))
        fsize = m.get("file_size", len(payload))
        flags = m.get("flags", 0x800)
        offset = m.get("offset", len(out))
        out += LOCAL.pack(b"PK\x03\x04", 20, 0, flags, method, 0, 0x21, crc, csize, fsize,
                          len(name), 0) + name + data
        central += CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, flags, method, 0, 0x21, crc,
                                csize, fsize, len(name), 0, 0, 0, 0, 0o644 << 16,
                                offset) + name
    start = len(out)
    out += central
    out += END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(central), start,
                    len(comment)) + comment
    return bytes(out)


def safetensors(header, data=b""):
    """A safetensors file: a header object (or raw bytes), padded, then ``data``."""
    hb = header if isinstance(header, bytes) else json.dumps(header).encode("utf-8")
    return struct.pack("<Q", len(hb)) + hb + data
