"""The HTML book builds with no warning (-W -n), every chapter included."""

import subprocess
import sys
from pathlib import Path

import nbtools


def test_book_builds_without_warnings(tmp_path):
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", "-W", "-n", "--keep-going", "--path-output", str(tmp_path), str(nbtools.ROOT)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    html = tmp_path / "_build" / "html"
    for path in nbtools.chapters():
        page = (html / "notebooks" / f"{path.stem}.html").read_text()
        assert "Solution to exercise 1" in page and "dropdown" in page
    reproductions = (html / "book" / "reproductions.html").read_text()
    assert all(path.name.replace(".ipynb", ".html") in reproductions for path in nbtools.chapters())
