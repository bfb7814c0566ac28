"""What the package promises about itself: a version on the command line, a license file,
and an sdist that carries what its own tests need (checked on MANIFEST.in, which decides)."""

import pathlib
import subprocess
import sys

import chainrule

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_version_on_the_command_line():
    out = subprocess.run([sys.executable, "-m", "chainrule.cli", "--version"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == f"chainrule {chainrule.__version__}"


def test_license_file_matches_the_declared_license():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = "MIT"' in pyproject and 'license-files = ["LICENSE"]' in pyproject


def test_the_sdist_carries_the_tests_and_what_they_import():
    manifest = (ROOT / "MANIFEST.in").read_text().splitlines()
    assert "recursive-include tests *.py" in manifest  # __init__, rules/, fakecupy
    assert any(line.startswith("include ") and "conftest.py" in line and "LICENSE" in line
               for line in manifest)
    assert "graft docs" in manifest  # the README's images, the reports and texts tests read
