"""The demo tour quotes the committed full-size reports, and those reports are current.

README.md and docs/demos.md describe each demo in a paragraph that starts with
**`chainrule demo NAME`**. Right after it, an HTML comment (invisible on GitHub)
says where each of the paragraph's numbers comes from::

    <!-- numbers: docs/demos/transfer/report.json
    98.5%   mean_source_test_accuracy
    300     pre_steps
    300     steps
    2018    = a year (Li et al., 2018)
    -->

Every number of the paragraph must be listed, once per report value it quotes
(a dotted path under the report's ``numbers``; ``min(a, b)``, ``max(...)``,
``len(...)`` over lists and ``100*key`` for percentage points are allowed), or
with ``= reason`` when it is not a measurement. A number matches a value when
the value, rounded to the number's own precision, reads the same (``98.5%``
matches 0.985 or 98.5; ``2.1·10¹³`` and ``1e-14`` compare normalized
mantissas and exponents). So a tour number that no longer matches its
report fails here, naming the number, the key and the value.

The committed reports, ``docs/demos/<demo>/report.json`` with the demo's
figures beside them, are full-size runs written by ``make demo-docs`` (one
demo: ``make demo-docs DEMOS=iris``). Each stores a hash of its demo's source
files and of every figure; the tests recompute both, so a report older than
its demo's code, or a figure from another run, fails too.
"""

import hashlib
import json
import math
import pathlib
import re
import struct

import pytest

from chainrule import demos

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "demos"
TOURS = [ROOT / "README.md", ROOT / "docs" / "demos.md"]
REGENERATE = "regenerate it with `make demo-docs DEMOS={name}` (every demo: `make demo-docs`)"
MAX_FIGURE_BYTES = 400_000
MIN_DPI = 150

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
#: a number in running text: an optional minus sign (− anywhere, - only after a space or a
#: parenthesis, so that ranges like 0-4 stay two numbers), digits, decimals, an exponent
#: written e-14 or ·10¹³, a percent sign; digits inside words (float64, L2) are not numbers
NUMBER = re.compile(r"(?<![\w.·])(?:−|(?<=[\s(])-)?\d+(?:\.\d+)?"
                    r"(?:e[−-]?\d+|·10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?%?(?![\w.]\d)")


# ---------------------------------------------------------------------------
# Reading the tour
# ---------------------------------------------------------------------------

def numbers_in(text):
    """The numbers of a paragraph, as written (− made -).

    >>> numbers_in("96% of 150, J = −4.4 ± 19.8, 16! ≈ 2.1·10¹³, digits 0-4, float64, 1e-14")
    ['96%', '150', '-4.4', '19.8', '16', '2.1·10¹³', '0', '4', '1e-14']
    """
    text = re.sub(r"\]\([^)]*\)", "]", text)   # link targets are not prose
    return [m.group(0).replace("−", "-") for m in NUMBER.finditer(text)]


def tour_paragraphs(path):
    """``[(demo, paragraph, report path, [(number, key or None, reason)])]`` of a tour file."""
    blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
    found = []
    for i, block in enumerate(blocks):
        m = re.match(r"\*\*`chainrule demo ([\w-]+)`\*\*", block.strip())
        if not m or m.group(1) == "all":
            continue
        name = m.group(1)
        comment = blocks[i + 1].strip() if i + 1 < len(blocks) else ""
        head = re.match(r"<!-- numbers: (\S+)\n(.*?)-->$", comment, flags=re.S)
        if not head:  # the test says what is missing
            found.append((name, block, None, []))
            continue
        entries = []
        for line in head.group(2).strip().splitlines():
            token, _, rest = line.strip().partition(" ")
            rest = rest.strip()
            if rest.startswith("="):
                entries.append((token.replace("−", "-"), None, rest[1:].strip()))
            else:
                entries.append((token.replace("−", "-"), rest, None))
        found.append((name, block, head.group(1), entries))
    return found


def parse_number(token):
    """``(mantissa text, decimals, exponent or None, percent)`` of a quoted number.

    >>> parse_number("2.1·10¹³"), parse_number("-4.4"), parse_number("96%")
    (('2.1', 1, 13, False), ('-4.4', 1, None, False), ('96', 0, None, True))
    """
    percent = token.endswith("%")
    token = token.rstrip("%")
    exponent = None
    if "·10" in token:
        token, exp = token.split("·10")
        exponent = int(exp.translate(SUPERSCRIPT))
    elif "e" in token:
        token, exp = token.split("e")
        exponent = int(exp.replace("−", "-"))
    decimals = len(token.split(".")[1]) if "." in token else 0
    return token, decimals, exponent, percent


def quotes(token, value):
    """Whether ``token`` (as written in the tour) is ``value`` rounded to its precision.

    >>> quotes("98.5%", 0.9851), quotes("98.7%", 0.9851), quotes("-4.4", -4.44)
    (True, False, True)
    >>> quotes("2.1·10¹³", 20922789888000), quotes("1e-14", 6.7e-15), quotes("300", 300)
    (True, False, True)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    mantissa, decimals, exponent, percent = parse_number(token)
    for v in ([value, 100 * value] if percent else [value]):
        if exponent is not None:  # scientific: the value's own normalized mantissa and exponent
            m, e = f"{v:.{decimals}e}".split("e")
            if int(e) == exponent and _unsigned_zero(m) == _unsigned_zero(mantissa):
                return True
        elif _unsigned_zero(f"{v:.{decimals}f}") == _unsigned_zero(mantissa):
            return True
    return False


def _unsigned_zero(text):
    """'-0.0' -> '0.0' (a value that rounds to zero has no sign worth quoting)."""
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def lookup(numbers, key):
    """The value at a dotted ``key`` of ``numbers`` (list indices as numbers), an
    aggregate ``min(k1, k2)``, ``max(...)``, ``len(k)`` of the lists and values there, or
    ``100*key`` (a fraction quoted in percentage points).

    >>> lookup({"a": {"b": [1, 5]}, "c": 0.25}, "max(a.b, c)"), lookup({"c": 0.25}, "100*c")
    (5, 25.0)
    """
    if key.startswith("100*"):
        return 100 * lookup(numbers, key[4:])
    agg = re.fullmatch(r"(min|max|len)\((.*)\)", key)
    if agg:
        values = [lookup(numbers, k.strip()) for k in agg.group(2).split(",")]
        if agg.group(1) == "len":
            return len(values[0])
        flat = []
        for v in values:
            flat.extend(_flat(v))
        return (min if agg.group(1) == "min" else max)(flat)
    value = numbers
    for part in key.split("."):
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(key)
    return value


def _flat(v):
    if isinstance(v, list):
        return [y for x in v for y in _flat(x)]
    return [v] if isinstance(v, (int, float)) and not isinstance(v, bool) else []


def committed(name):
    """The committed report of demo ``name`` (fails, saying how to make it, where missing)."""
    path = DOCS / name / "report.json"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: " + REGENERATE.format(
        name=name)
    return json.loads(path.read_text(encoding="utf-8"))


PARAGRAPHS = [(path, *p) for path in TOURS for p in tour_paragraphs(path)]


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", TOURS, ids=lambda p: p.name)
def test_every_demo_has_a_tour_paragraph(path):
    names = [p[1] for p in PARAGRAPHS if p[0] == path]
    assert sorted(names) == sorted(demos.ORDER), f"{path.name} describes {names}"


@pytest.mark.parametrize("path, name, paragraph, report_path, entries", PARAGRAPHS,
                         ids=[f"{p[0].name}:{p[1]}" for p in PARAGRAPHS])
def test_every_number_in_the_tour_is_in_the_committed_report(path, name, paragraph,
                                                             report_path, entries):
    assert report_path == f"docs/demos/{name}/report.json", (
        f"{path.name}: the paragraph of `chainrule demo {name}` must be followed by a "
        f"<!-- numbers: docs/demos/{name}/report.json ... --> comment that says where each "
        "of its numbers comes from (see tests/test_tour.py)")
    numbers = committed(name)["numbers"]
    listed = {token for token, _, _ in entries}
    problems = []
    for token in numbers_in(paragraph):
        if token not in listed:
            problems.append(f"{token!r} is not in the comment below the paragraph: give the "
                            f"report key it quotes (or '= why' if it is no measurement)")
    for token, key, _ in entries:
        if key is None:
            continue
        try:
            value = lookup(numbers, key)
        except (KeyError, IndexError, ValueError):
            problems.append(f"{token!r}: no number {key!r} in {report_path}")
            continue
        if not quotes(token, value):
            problems.append(f"{token!r} quotes {key} = {value!r} from {report_path}")
    for token in listed - set(numbers_in(paragraph)):
        problems.append(f"{token!r} is listed below the paragraph but not in it")
    assert not problems, f"{path.name}, `chainrule demo {name}`:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name", demos.ORDER)
def test_committed_report_is_a_full_run_of_the_current_code(name):
    rep = committed(name)
    assert rep["demo"] == name and rep["quick"] is False and rep["seed"] == 0, (
        f"docs/demos/{name}/report.json must be a full-size run with seed 0: "
        + REGENERATE.format(name=name))
    files = [p.name for p in demos.source_files(name)]
    assert rep.get("source_files") == files and rep.get("source_hash") == demos.source_hash(
        name), (f"docs/demos/{name}/report.json is older than its demo's code ({', '.join(files)}"
                "): " + REGENERATE.format(name=name))


def _png_dpi(data):
    i = data.find(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[i + 4:i + 13]) if i >= 0 else (0, 0, 1)
    return min(x, y) * 0.0254 if unit == 1 else 0


@pytest.mark.parametrize("name", demos.ORDER)
def test_committed_figures_come_from_the_committed_report(name):
    rep = committed(name)
    assert rep["figures"]
    for fig in rep["figures"]:
        path = DOCS / name / fig["file"]
        assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == fig.get("sha256"), (
            f"{path.relative_to(ROOT)} is not the figure of docs/demos/{name}/report.json: "
            + REGENERATE.format(name=name))
        assert len(data) <= MAX_FIGURE_BYTES, f"{path.name}: {len(data)} bytes"
        assert _png_dpi(data) >= MIN_DPI - 0.5, f"{path.name}: under {MIN_DPI} dpi"
    listed = {f["file"] for f in rep["figures"]}
    present = {p.name for p in (DOCS / name).glob("*.png")}
    assert present == listed, f"docs/demos/{name}: stray figures {sorted(present - listed)}"


@pytest.mark.parametrize("path", TOURS, ids=lambda p: p.name)
def test_tour_figures_are_committed_report_figures(path):
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", path.read_text(encoding="utf-8"))
    assert images
    for image in images:
        target = (path.parent / image).resolve()
        assert target.is_file(), f"{path.name}: {image} does not exist"
        rel = target.relative_to(DOCS)
        assert len(rel.parts) == 2, f"{path.name}: {image} is not a figure of a committed report"
        assert rel.parts[1] in {f["file"] for f in committed(rel.parts[0])["figures"]}
