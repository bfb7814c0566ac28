"""The README's Python examples run as written (the documentation stays true)."""

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("k", range(len(BLOCKS)))
def test_readme_block_runs(k):
    namespace = {}
    # Blocks build on each other (the quick start defines np and the transforms).
    for code in BLOCKS[: k + 1]:
        exec(compile(code, f"README block {k}", "exec"), namespace)  # noqa: S102 - our own docs
