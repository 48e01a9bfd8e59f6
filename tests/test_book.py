"""The HTML book builds with no warning (-W -n), every chapter included."""

import re

import nbtools


def test_book_builds_without_warnings(book):
    assert book.returncode == 0, book.log
    # A split chapter numbers its exercises across its parts: exercise 1 is in
    # one of them, and every part with exercises shows them folded.
    for parts in nbtools.chapter_parts():
        pages = [
            (book.html / "notebooks" / f"{path.stem}.html").read_text()
            for path in parts
        ]
        assert any("Solution to exercise 1" in page for page in pages), parts[0].name
        for path, page in zip(parts, pages, strict=True):
            if "Solution to exercise" in page:
                assert "dropdown" in page, path.name
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
