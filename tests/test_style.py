"""Style as a check: ruff's formatter and linter over the package, the scripts, the
tests and the notebooks (ruff reads notebooks natively), at 88 characters a line so
that code does not scroll sideways in the HTML book. Configured in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

import nbtools

RUFF = Path(sys.executable).parent / "ruff"


def ruff(*arguments):
    return subprocess.run(
        [str(RUFF), *arguments], cwd=nbtools.ROOT, capture_output=True, text=True
    )


def test_code_is_formatted():
    result = ruff("format", "--check", "--diff")
    assert result.returncode == 0, (
        "run `.venv/bin/ruff format` (then re-execute changed notebooks):\n"
        + result.stdout[-4000:]
        + result.stderr[-2000:]
    )


def test_code_passes_the_linter():
    result = ruff("check", "--output-format", "concise")
    assert result.returncode == 0, (
        "fix what `.venv/bin/ruff check` reports:\n" + result.stdout[-4000:]
    )
