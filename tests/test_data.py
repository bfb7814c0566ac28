"""chainrule.data: shipped datasets (validated on load), synthetic generators, preprocessing."""

import gzip
import hashlib
from importlib import resources

import numpy as onp
import pytest

from chainrule import data


def test_iris():
    X, y = data.iris()
    assert X.shape == (150, 4) and X.dtype == onp.float64 and y.dtype == onp.int64
    assert onp.bincount(y).tolist() == [50, 50, 50]
    assert X[0].tolist() == [5.1, 3.5, 1.4, 0.2] and X[-1].tolist() == [5.9, 3.0, 5.1, 1.8]
    assert onp.allclose(X.mean(0), [5.843, 3.057, 3.758, 1.199], atol=1e-3)
    X2, _ = data.iris(features=("petal_length", "petal_width"))
    assert onp.array_equal(X2, X[:, 2:])
    X3, _ = data.iris(features=["petal width (cm)", 0])
    assert onp.array_equal(X3, X[:, [3, 0]])
    X2[0, 0] = 99.0  # callers get copies: the cached data stays intact
    assert data.iris()[0][0, 2] == 1.4
    with pytest.raises(ValueError, match="unknown iris feature"):
        data.iris(features=("petal_size",))
    assert data.IRIS_CLASSES == ("setosa", "versicolor", "virginica")


def test_digits():
    X, y = data.digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0 and X.max() == 16 and onp.all(X == onp.round(X))
    assert onp.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    X5, y5 = data.digits(n_class=5)
    assert set(y5.tolist()) == {0, 1, 2, 3, 4} and len(X5) == (y < 5).sum()


def test_shipped_files_and_license():
    files = resources.files("chainrule.data").joinpath("files")
    digests = {
        "iris.csv": "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
        "digits.csv.gz": "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
    }
    for name, digest in digests.items():
        assert hashlib.sha256(files.joinpath(name).read_bytes()).hexdigest() == digest
    text = files.joinpath("LICENSE.md").read_text()
    assert "BSD 3-Clause" in text and "scikit-learn" in text


IRIS_HEAD = "150,4,setosa,versicolor,virginica\n"


def _iris_text():
    return resources.files("chainrule.data").joinpath("files", "iris.csv").read_text()


@pytest.mark.parametrize("mutate,message", [
    (lambda t: t.replace("5.1,3.5,1.4,0.2,0", "5.1,3.5,1.4,0"), "line 2: expected 5"),
    (lambda t: t.replace("5.1,3.5,1.4,0.2,0", "5.1,3.5,abc,0.2,0"), "line 2: not a number"),
    (lambda t: t.replace("5.1,3.5,1.4,0.2,0", "5.1,3.5,1.4,0.2,7"), "labels must be integers"),
    (lambda t: t.replace("5.1,3.5,1.4,0.2,0", "5.1,3.5,nan,0.2,0"), "NaN"),
    (lambda t: t[:len(t) // 2].rsplit("\n", 1)[0], "announces 150 rows, found"),
    (lambda t: "sepal,length\n" + t.split("\n", 1)[1], "line 1: expected the header"),
    (lambda t: "100,4,a,b,c\n" + t.split("\n", 1)[1], "header says 100x4"),
    (lambda t: t.replace(",1\n", ",0\n"), "50 examples of each class"),
])
def test_bad_iris_csv_gives_a_clear_error(tmp_path, mutate, message):
    path = tmp_path / "iris.csv"
    path.write_text(mutate(_iris_text()))
    with pytest.raises(data.DataFileError, match=message):
        data.iris(path=path)


def test_bad_digits_file_gives_a_clear_error(tmp_path):
    raw = gzip.decompress(resources.files("chainrule.data").joinpath(
        "files", "digits.csv.gz").read_bytes())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(raw[:len(raw) // 3].rsplit(b"\n", 1)[0]))
    with pytest.raises(data.DataFileError, match="expected 1797 rows"):
        data.digits(path=cut)
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(gzip.compress(raw)[:5000])  # a truncated gzip stream
    with pytest.raises(data.DataFileError, match="not a valid gzip file"):
        data.digits(path=broken)
    big = tmp_path / "big.csv.gz"
    big.write_bytes(gzip.compress(raw.replace(b"0,0,5,13", b"0,0,5,99", 1)))
    with pytest.raises(data.DataFileError, match="0..16"):
        data.digits(path=big)
    with pytest.raises(data.DataFileError, match="not found"):
        data.digits(path=tmp_path / "missing.csv.gz")


def test_synthetic_generators_are_seeded():
    for gen, kw, k in [(data.two_moons, {}, 2), (data.spirals, {"n_classes": 3}, 3),
                       (data.blobs, {"centers": 4}, 4)]:
        X, y = gen(101, seed=3, **kw)
        assert X.shape == (101, 2) and y.shape == (101,) and set(y.tolist()) == set(range(k))
        assert abs(onp.bincount(y).max() - onp.bincount(y).min()) <= 1
        X2, y2 = gen(101, seed=3, **kw)
        assert onp.array_equal(X, X2) and onp.array_equal(y, y2)
        assert not onp.array_equal(X, gen(101, seed=4, **kw)[0])
    X, _ = data.blobs(10, n_features=5, seed=0)
    assert X.shape == (10, 5)


def test_train_test_split():
    X, y = data.iris()
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, test_size=0.2, seed=1, stratify=True)
    assert len(Xtr) == 120 and len(Xte) == 30 and onp.bincount(yte).tolist() == [10, 10, 10]
    rows = {tuple(r) + (c,) for r, c in zip(Xtr.tolist(), ytr.tolist(), strict=True)}
    rows |= {tuple(r) + (c,) for r, c in zip(Xte.tolist(), yte.tolist(), strict=True)}
    assert len(rows) == len({tuple(r) + (c,) for r, c in zip(X.tolist(), y.tolist(), strict=True)})
    a = data.train_test_split(X, y, test_size=15, seed=1)
    b = data.train_test_split(X, y, test_size=15, seed=1)
    assert len(a[1]) == 15 and all(onp.array_equal(u, v) for u, v in zip(a, b, strict=True))
    with pytest.raises(ValueError, match="empty"):
        data.train_test_split(X, y, test_size=0.0)


@pytest.mark.parametrize("counts,test_size", [((50, 50, 50), 0.2), ((7, 5, 3), 4), ((7, 5, 3), 0.3),
                                               ((1, 1, 1, 10), 5), ((3, 3, 3), 2), ((99, 1), 0.5)])
def test_stratified_split_has_the_asked_size_and_proportions(counts, test_size):
    y = onp.repeat(onp.arange(len(counts)), counts)
    X = onp.arange(len(y), dtype=float)[:, None]
    n = len(y)
    n_test = int(round(test_size * n)) if isinstance(test_size, float) else test_size
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, test_size=test_size, seed=3, stratify=True)
    assert len(yte) == n_test and len(ytr) == n - n_test
    got = onp.bincount(yte, minlength=len(counts))
    want = n_test * onp.array(counts) / n
    assert onp.all(onp.abs(got - want) < 1.0), (got, want)  # each class within one of its share
    assert sorted(Xtr[:, 0].tolist() + Xte[:, 0].tolist()) == X[:, 0].tolist()  # a partition


def test_standardize_and_one_hot():
    X, _ = data.iris()
    Z = data.standardize(X)
    assert onp.allclose(Z.mean(0), 0) and onp.allclose(Z.std(0), 1)
    Xtr, Xte = X[:100], X[100:]
    Ztr, Zte = data.standardize(Xtr, Xte)
    s = data.Standardizer().fit(Xtr)
    assert onp.allclose(Zte, (Xte - Xtr.mean(0)) / Xtr.std(0)) and onp.allclose(Ztr,
                                                                               s.transform(Xtr))
    assert onp.allclose(s.inverse_transform(Zte), Xte)
    const = data.standardize(onp.ones((4, 2)))
    assert onp.all(const == 0)  # constant features: centred, not divided by 0
    with pytest.raises(ValueError, match="fit"):
        data.Standardizer().transform(X)
    assert data.one_hot(onp.array([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError):
        data.one_hot(onp.array([0.5]))


@pytest.mark.parametrize("call, error, message", [
    (lambda: data.digits(n_class="3"), TypeError, "n_class must be an int"),
    (lambda: data.digits(n_class=True), TypeError, "n_class must be an int"),
    (lambda: data.digits(n_class=0), ValueError, "from 1 to 10"),
    (lambda: data.digits(n_class=11), ValueError, "from 1 to 10"),
    (lambda: data.iris(features=1.5), TypeError, "features must be"),
    (lambda: data.iris(features=True), TypeError, "a feature is a name"),
    (lambda: data.iris(features=[0, None]), TypeError, "a feature is a name"),
    (lambda: data.iris(features=()), ValueError, "features is empty"),
    (lambda: data.iris(features=4), ValueError, "features 0..3"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_integers_select_features():
    X, _ = data.iris(features=onp.array([3, 0]))
    assert onp.array_equal(X, data.iris()[0][:, [3, 0]])
    assert len(data.digits(n_class=onp.int64(2))[1]) == 360
