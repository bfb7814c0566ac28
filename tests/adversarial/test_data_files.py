"""Shipped data files: any change is caught (SHA-256), a file given with ``path=`` is read
afresh, and one that is not a regular file, or inflates without end, is refused."""

import gzip
import os
import threading
import zlib
from importlib import resources

import pytest

from chainrule import data
from chainrule.data import datasets


def _shipped(name):
    return resources.files("chainrule.data").joinpath("files", name).read_bytes()


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """Point the shipped-file location at ``tmp_path`` and forget the cached data."""
    monkeypatch.setattr(datasets, "_default_path", lambda name: tmp_path / name)
    datasets._shipped.cache_clear()
    yield tmp_path
    datasets._shipped.cache_clear()


class _InMemory:
    """A stand-in for the shipped file's location: its bytes, changed in memory."""

    def __init__(self, raw):
        self.raw = raw

    def read_bytes(self):
        return self.raw


def test_every_single_digit_change_to_the_shipped_iris_is_caught(monkeypatch):
    raw = _shipped("iris.csv")
    place = _InMemory(raw)
    monkeypatch.setattr(datasets, "_default_path", lambda name: place)
    digits = [i for i, c in enumerate(raw) if chr(c).isdigit()]
    assert 1658 in digits  # '2' -> '9' there used to load silently
    try:
        for i in digits:
            changed = bytearray(raw)
            changed[i] = ord("9") if changed[i] != ord("9") else ord("1")
            place.raw = bytes(changed)
            datasets._shipped.cache_clear()
            try:
                data.iris()
            except data.DataFileError as e:
                assert "SHA-256" in str(e)
            else:
                raise AssertionError(f"byte {i} changed, and iris() loaded it")
    finally:
        datasets._shipped.cache_clear()


def test_a_regzipped_digits_file_with_one_change_is_caught(fake_package):
    text = gzip.decompress(_shipped("digits.csv.gz"))
    i = text.index(b"13")
    (fake_package / "digits.csv.gz").write_bytes(gzip.compress(text[:i] + b"12" + text[i + 2:]))
    with pytest.raises(data.DataFileError, match="modified or damaged"):
        data.digits()


def test_the_shipped_files_are_hashed_once_per_process(fake_package, monkeypatch):
    (fake_package / "iris.csv").write_bytes(_shipped("iris.csv"))
    calls = []
    real = datasets._shipped_bytes
    monkeypatch.setattr(datasets, "_shipped_bytes", lambda name: calls.append(name) or real(name))
    for _ in range(3):
        data.iris()
    assert calls == ["iris.csv"]


def test_a_given_path_is_read_at_every_call(tmp_path):
    path = tmp_path / "iris.csv"
    raw = _shipped("iris.csv").decode()
    path.write_text(raw)
    assert data.iris(path=path)[0][0, 0] == 5.1
    path.write_text(raw.replace("5.1,3.5,1.4,0.2,0", "5.2,3.5,1.4,0.2,0", 1))
    assert data.iris(path=path)[0][0, 0] == 5.2  # not the cached old data


@pytest.mark.parametrize("loader, name", [(data.iris, "iris.csv"),
                                          (data.digits, "digits.csv.gz")])
def test_fifo_device_and_directory_paths_are_refused(tmp_path, loader, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    done = []
    t = threading.Thread(target=lambda: done.append(
        pytest.raises(data.DataFileError, loader, path=fifo)))
    t.start()
    t.join(timeout=10)
    assert done and "FIFO" in str(done[0].value)  # answered at once, did not hang
    zero = tmp_path / ("zero" + name)
    os.symlink("/dev/zero", zero)
    with pytest.raises(data.DataFileError, match="character device"):
        loader(path=zero)
    with pytest.raises(data.DataFileError, match="a directory"):
        loader(path=tmp_path)


def test_a_gzip_bomb_stops_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_TEXT_BYTES", 2 ** 20)  # the check, at a small limit
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = c.compress(bytes(2 ** 22)) + c.flush()  # 4 kB that inflate to 4 MB
    path = tmp_path / "digits.csv.gz"
    path.write_bytes(bomb)
    with pytest.raises(data.DataFileError, match="inflates to more than 1048576 bytes"):
        data.digits(path=path)
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(datasets.MAX_FILE_BYTES + 1)  # sparse: no disk used
    with pytest.raises(data.DataFileError, match="larger than"):
        data.iris(path=big)
    path.write_bytes(gzip.compress(b"1,2\n") + b"junk")
    with pytest.raises(data.DataFileError, match="follow the compressed stream"):
        data.digits(path=path)
