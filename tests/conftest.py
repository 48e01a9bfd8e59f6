import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import nbtools  # noqa: E402  (importable only once scripts/ is on the path)


@dataclass
class BookBuild:
    returncode: int
    log: str  # the end of the build's output, enough to show a warning
    html: Path  # the built HTML: html / "index.html" is the book's front page


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> BookBuild:
    """The HTML book, built once per test session with warnings as errors.

    Shared by tests/test_book.py and tests/test_browser.py: a build takes long
    enough that building it once for each would be noticed. It goes into a
    temporary folder, so it never races with a `make book` in the checkout.
    """
    output = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [
            str(jupyter_book),
            "build",
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            str(output),
            str(nbtools.ROOT),
        ],
        capture_output=True,
        text=True,
    )
    log = result.stdout[-5000:] + result.stderr[-5000:]
    return BookBuild(result.returncode, log, output / "_build" / "html")
