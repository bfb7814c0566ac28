"""Writing and reading files safely: the one helper every chainrule writer goes through.

Checkpoints (``chainrule.save``), the demos' figures, ``report.json`` and
``index.html``, and the graphs of ``chainrule trace --graph`` are all written by
:func:`write_atomic`, which guarantees:

* **Atomic.** The bytes go to a temporary file created in the target's own
  directory, are flushed to disk (``fsync``), then renamed over the target in
  one step (``os.replace``). A reader, or a crash at any moment, sees the old
  file or the new one, never a mixture; an error while writing leaves the old
  file as it was.
* **Securely created.** The temporary file has a random name and is created
  with ``O_CREAT | O_EXCL | O_NOFOLLOW`` (what :func:`tempfile.mkstemp` does):
  it is always a new file, never an existing one or the target of a planted
  symbolic link.
* **Never follows a link.** A symbolic link at the target is refused (as are a
  directory, a FIFO or a device there): nothing is written through it, and it
  is not replaced either. The error says so.
* **Permissions** are what a plain ``open()`` of a new file gives: 0o666 less
  the umask in force at the call.
* **Nothing left behind.** A writer killed in the middle (SIGKILL, power
  loss) leaves its temporary file; the next write to the same target removes
  it, and only it: files of this module's naming
  (``.NAME.chainrule-<16 hex digits>.tmp``, beside ``NAME``) that no live
  process holds (each writer keeps an exclusive ``flock`` on its temporary
  file until the rename; the kernel drops it when the process dies) and that
  have not changed for :data:`STALE_SECONDS`.
* ``overwrite=False`` never replaces an existing file, atomically
  (``os.link`` fails when the name is taken).

Validate before calling it: the writer function runs only once the data are
known to be good, so that a refusal never touches the old file.

Reading: :func:`open_regular` opens a path only when it is a regular file (a
FIFO, a device such as ``/dev/zero`` or a directory is refused before a byte
is read, and opening a FIFO does not block); :func:`read_regular` also bounds
the number of bytes read.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> path = write_atomic(os.path.join(folder, "notes.txt"), "hello\\n")
>>> read_regular(path, max_bytes=100)
b'hello\\n'
>>> os.symlink(path, os.path.join(folder, "link.txt"))
>>> write_atomic(os.path.join(folder, "link.txt"), "x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
chainrule.fileio.UnsafePathError: refusing to write ...link.txt': it is a symbolic link ...
"""

import os
import secrets
import stat
import time

try:
    import fcntl  # POSIX: the lock that tells a live writer's temporary file from a dead one's
except ImportError:  # pragma: no cover - Windows: no stale-file cleanup
    fcntl = None

__all__ = ["write_atomic", "open_regular", "read_regular", "check_target", "remove_stale_temps",
           "UnsafePathError",
           "NotARegularFileError", "FileTooLargeError", "STALE_SECONDS", "TEMP_MARK"]

#: the part of a temporary file's name that says it is ours: ``.NAME.chainrule-XXXX.tmp``
TEMP_MARK = ".chainrule-"
#: a temporary file unchanged for this long, and not locked, was left by a dead writer.
#: The lock alone decides for every live writer but one that has created its file and
#: not yet locked it (microseconds); the delay covers that moment.
STALE_SECONDS = 60.0
_HEX = 16  # hex digits of the random part of a temporary file's name

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class UnsafePathError(OSError):
    """A write was refused: the target is a symbolic link, or exists and is not a regular file."""

    # the path is kept as .path: OSError.filename would turn str(e) into "[Errno None] ..."
    def __init__(self, message, filename=None):
        super().__init__(message)
        self.path = filename


class NotARegularFileError(OSError):
    """A read was refused: the path is a FIFO, a device, a directory... not a regular file."""

    def __init__(self, message, filename=None, kind=None):
        super().__init__(message)
        self.path, self.kind = filename, kind


class FileTooLargeError(OSError):
    """A bounded read was refused: the file is larger than the limit given."""

    def __init__(self, message, filename=None, size=None, limit=None):
        super().__init__(message)
        self.path, self.size, self.limit = filename, size, limit


def _kind(mode):
    """What a file of this ``st_mode`` is, in words."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def check_target(path):
    """Whether a regular file exists at ``path`` (``False``: nothing there); refuse the rest.

    Raises :class:`UnsafePathError` for a symbolic link (even one pointing to a
    regular file: writing would either follow it or destroy it) and for a
    directory, FIFO, device or socket.

    >>> import os, tempfile
    >>> check_target(os.path.join(tempfile.mkdtemp(), "new.txt"))
    False
    """
    path = os.fspath(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(st.st_mode):
        try:
            where = f" (to {os.readlink(path)!r})"
        except OSError:
            where = ""
        raise UnsafePathError(f"refusing to write {path!r}: it is a symbolic link{where}; "
                              "chainrule never writes through a link, nor replaces one: "
                              "remove the link or choose another path", path)
    if not stat.S_ISREG(st.st_mode):
        raise UnsafePathError(f"refusing to write {path!r}: it is {_kind(st.st_mode)}, not a "
                              "regular file; choose another path", path)
    return True


def _lock(fd):
    """Hold an exclusive lock on ``fd`` (released by close, or by the kernel at death)."""
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without flock: only the age test protects the file
        pass


def _create_temp(folder, base):
    # mkstemp's recipe (random name, O_EXCL, O_NOFOLLOW) with mode 0o666 instead of 0o600:
    # the kernel then applies the umask in force now, as a plain open() would, without
    # reading the process-wide umask (os.umask can only be read by changing it).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
    for _ in range(100):
        tmp = os.path.join(folder, f".{base}{TEMP_MARK}{secrets.token_hex(_HEX // 2)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # a one-in-2**64 collision: draw another name
            continue
        _lock(fd)
        return fd, tmp
    raise FileExistsError(f"could not create a temporary file in {folder!r}")


def _is_our_temp(name, base):
    prefix = f".{base}{TEMP_MARK}"
    if not (name.startswith(prefix) and name.endswith(".tmp")):
        return False
    middle = name[len(prefix):-4]
    return len(middle) == _HEX and all(c in "0123456789abcdef" for c in middle)


def remove_stale_temps(path, older_than=None):
    """Remove the temporary files a killed writer left beside ``path``; return their names.

    Only files of :func:`write_atomic`'s naming for this very target, only when
    no live process holds their lock and they have not changed for
    ``older_than`` seconds (default :data:`STALE_SECONDS`). :func:`write_atomic`
    calls it before every write. Does nothing where ``flock`` is missing.

    >>> import os, tempfile
    >>> remove_stale_temps(os.path.join(tempfile.mkdtemp(), "model.npz"))
    []
    """
    if fcntl is None:
        return []
    path = os.fspath(path)
    folder, base = os.path.dirname(path) or ".", os.path.basename(path)
    limit = STALE_SECONDS if older_than is None else older_than
    removed = []
    try:
        entries = [e for e in os.scandir(folder) if _is_our_temp(e.name, base)]
    except OSError:
        return removed
    for entry in entries:
        try:
            fd = os.open(entry.path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
        except OSError:  # gone already, or a link planted under our naming: leave it
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or time.time() - st.st_mtime < limit:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a live writer holds it
                continue
            now = os.lstat(entry.path)
            if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):  # still that file
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def _fsync_folder(folder):
    try:  # make the rename itself durable (not possible on every platform)
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:  # some file systems cannot sync a directory; the rename stays atomic
        pass
    finally:
        os.close(dfd)


def write_atomic(path, data, *, overwrite=True):
    """Write ``data`` to ``path`` atomically, never through a link; return ``path``.

    ``data``: bytes, a str (written as UTF-8) or a function ``write(f)`` that
    writes to the binary file ``f`` it is given. ``overwrite=False`` raises
    :class:`FileExistsError` instead of replacing an existing file. See the
    module's docstring for the guarantees.

    >>> import os, tempfile
    >>> p = write_atomic(os.path.join(tempfile.mkdtemp(), "a.bin"), lambda f: f.write(b"\\x00"))
    >>> open(p, "rb").read()
    b'\\x00'
    >>> write_atomic(p, b"new", overwrite=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileExistsError: refusing to write ...a.bin': it exists (overwrite=False)
    """
    path = os.fspath(path)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    base = os.path.basename(path)
    if not base or base in (".", ".."):
        raise IsADirectoryError(f"cannot write {path!r}: it names a directory, not a file")
    folder = os.path.dirname(path) or "."
    exists = check_target(path)
    if exists and not overwrite:
        raise FileExistsError(f"refusing to write {path!r}: it exists (overwrite=False)")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path!r}: the folder {folder!r} does not exist")
    if isinstance(data, str):
        data = data.encode("utf-8")
    remove_stale_temps(path)
    fd, tmp = _create_temp(folder, base)
    f = os.fdopen(fd, "wb")  # stays open (and locked) until the rename is done
    try:
        if callable(data):
            data(f)
        else:
            f.write(data)
        f.flush()
        os.fsync(f.fileno())
        check_target(path)  # a link planted while we wrote is refused too
        if overwrite:
            os.replace(tmp, path)  # atomic; and rename replaces a link, never follows one
        else:
            _link_new(tmp, path)
    except BaseException:
        f.close()
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    f.close()
    _fsync_folder(folder)
    return path


def _link_new(tmp, path):
    """Give ``tmp``'s file the name ``path`` only if that name is free, then drop ``tmp``."""
    try:
        os.link(tmp, path)  # atomic, and fails when the name is taken
    except FileExistsError:
        raise FileExistsError(f"refusing to write {path!r}: it exists (overwrite=False)") \
            from None
    except OSError:  # no hard links here (FAT, some network file systems)
        if os.path.lexists(path):
            raise FileExistsError(f"refusing to write {path!r}: it exists (overwrite=False)") \
                from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def open_regular(path):
    """Open ``path`` for reading in binary mode, only if it is a regular file.

    A FIFO, a device (``/dev/zero``), a socket or a directory raises
    :class:`NotARegularFileError` before anything is read; a symbolic link is
    followed to what it points to, which must be a regular file. The test is
    made on the opened file (``fstat``), so the path cannot be swapped between
    test and read; the open does not block on a FIFO (``O_NONBLOCK``).

    >>> import tempfile
    >>> open_regular(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.fileio.NotARegularFileError: ... is a directory, not a regular file; ...
    """
    path = os.fspath(path)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC | _BINARY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = _kind(st.st_mode)
            raise NotARegularFileError(f"{path!r} is {kind}, not a regular file; refusing to "
                                       "read it", path, kind)
        if _NONBLOCK and fcntl is not None:  # back to ordinary reads (a no-op for files)
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path, max_bytes):
    """The bytes of the regular file ``path``; :class:`FileTooLargeError` beyond ``max_bytes``.

    >>> import os, tempfile
    >>> p = write_atomic(os.path.join(tempfile.mkdtemp(), "b.txt"), "12345")
    >>> read_regular(p, max_bytes=4)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.fileio.FileTooLargeError: ...b.txt' holds more than 4 bytes, the limit
    """
    with open_regular(path) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLargeError(f"{os.fspath(path)!r} holds more than {max_bytes} bytes, the "
                                "limit", os.fspath(path), None, max_bytes)
    return data
