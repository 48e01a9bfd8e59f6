"""The HTML book builds with no warning (-W -n), every chapter included."""

import re

import nbtools


def test_book_builds_without_warnings(book):
    assert book.returncode == 0, book.log
    for path in nbtools.chapters():
        page = (book.html / "notebooks" / f"{path.stem}.html").read_text()
        assert "Solution to exercise 1" in page and "dropdown" in page
    reproductions = (book.html / "book" / "reproductions.html").read_text()
    assert all(
        path.name.replace(".ipynb", ".html") in reproductions
        for path in nbtools.chapters()
    )


def test_setup_cell_is_collapsed(book):
    """The Colab set-up cell stays in the notebook but is folded away in the HTML."""
    for path in nbtools.chapters():
        setup = next(c for c in nbtools.read(path).cells if c.cell_type == "code")
        assert "hide-cell" in setup.metadata.get("tags", []), (
            f"{path.name}: tag the set-up cell (the first code cell) hide-cell"
        )
        page = (book.html / "notebooks" / f"{path.stem}.html").read_text()
        first_cell = page[page.index('<div class="cell ') :]
        assert re.match(r'<div class="cell tag_hide-cell[^"]*">\s*<details', first_cell)
        assert first_cell.index("Colab set-up") < first_cell.index("</details>")
