"""Every chapter follows the template in CONTRIBUTING.md, and the book's files agree with each other."""

import re

import pytest

import nbtools

CHAPTERS = nbtools.chapters()
REQUIRED_SECTIONS = ["History", "The idea", "From scratch, then with torch.nn", "The experiment", "Limits", "Exercises", "References"]
BIB = (nbtools.ROOT / "book" / "references.bib").read_text()
BIB_KEYS = re.findall(r"^@\w+\{([^,\s]+),", BIB, flags=re.M)
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def markdown(notebook):
    return [c.source for c in notebook.cells if c.cell_type == "markdown"]


def code(notebook):
    return [c for c in notebook.cells if c.cell_type == "code"]


def tags(cell):
    return set(cell.metadata.get("tags", []))


def test_toc_and_notebooks_agree():
    listed = {p.name for p in CHAPTERS}
    on_disk = {p.name for p in nbtools.NOTEBOOKS.glob("*.ipynb")}
    assert listed == on_disk, f"in _toc.yml only: {listed - on_disk}; on disk only: {on_disk - listed}"
    for name in nbtools.toc_files():
        assert (nbtools.ROOT / f"{name}.ipynb").exists() or (nbtools.ROOT / f"{name}.md").exists(), name
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name) for p in CHAPTERS)
    assert [p.name[:2] for p in CHAPTERS] == [f"{i:02d}" for i in range(1, len(CHAPTERS) + 1)]


def test_bibliography_keys_are_unique():
    assert len(BIB_KEYS) == len(set(BIB_KEYS)), "duplicate keys in references.bib"


def test_every_citation_in_the_book_resolves():
    pages = [p.read_text() for p in (nbtools.ROOT / "book").glob("*.md")]
    pages += ["\n".join(markdown(nbtools.read(p))) for p in CHAPTERS]
    cited = {key.strip() for page in pages for group in CITE.findall(page) for key in group.split(",")}
    assert cited, "no citations found"
    assert cited <= set(BIB_KEYS), f"unknown citation keys: {sorted(cited - set(BIB_KEYS))}"


@pytest.fixture(params=CHAPTERS, ids=lambda p: p.stem)
def chapter(request):
    return request.param, nbtools.read(request.param)


def test_kernel_and_title(chapter):
    path, notebook = chapter
    assert notebook.metadata.kernelspec.name == "python3"
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    titles = [line for text in markdown(notebook) for line in text.splitlines() if line.startswith("# ")]
    assert len(titles) == 1, f"one '# ' title per chapter, found {titles}"
    assert re.search(r"\((1[89]\d\d|20\d\d)[^)]*\)", titles[0]), "the title gives the year, e.g. 'The perceptron (1958)'"
    for part in ("Learning objectives", "Prerequisites", "Run time"):
        assert part in first.source, f"the title cell needs '{part}'"
    assert nbtools.colab_url(path) in first.source, "Open-in-Colab link missing or not matching _config.yml"


def test_sections_in_template_order(chapter):
    _, notebook = chapter
    sections = [line[3:].strip() for text in markdown(notebook) for line in text.splitlines() if line.startswith("## ")]
    positions = []
    for required in REQUIRED_SECTIONS:
        matches = [i for i, s in enumerate(sections) if s == required]
        assert matches, f"missing section '## {required}' (found {sections})"
        positions.append(matches[0])
    assert positions == sorted(positions), f"sections out of order: {sections}"


def test_setup_and_parameters_cells(chapter):
    path, notebook = chapter
    cells = code(notebook)
    assert cells[0].source.strip() == nbtools.setup_cell_source(), "first code cell must be the Colab set-up cell"
    tagged = [i for i, c in enumerate(cells) if "parameters" in tags(c)]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    parameters = cells[tagged[0]].source
    for name in ("seed", "device", "fast"):
        assert re.search(rf"^{name}\s*=", parameters, flags=re.M), f"parameters cell lacks {name}"
    derived = cells[tagged[0] + 1].source
    assert "nnhistory.start(seed=seed, device=device, fast=fast)" in derived
    assert f'Results("{path.stem}")' in derived


def test_derivations_are_checked(chapter):
    _, notebook = chapter
    text = "\n".join(markdown(notebook))
    assert text.count("$$") >= 4 or "\\begin{" in text, "derivations must be displayed in LaTeX"
    asserts = sum(len(re.findall(r"^\s*assert\b", c.source, flags=re.M)) for c in code(notebook))
    assert asserts >= 5, f"only {asserts} asserts"
    shows = sum(c.source.count("results.show()") for c in code(notebook))
    assert shows == 1, "the experiment ends with results.show(), once"


def test_glued_numbers_exist(chapter):
    _, notebook = chapter
    used = {m.split(":")[0] for text in markdown(notebook) for m in re.findall(r"\{glue(?::\w+)?\}`([^`]+)`", text)}
    glued = {
        output.get("metadata", {}).get("scrapbook", {}).get("name")
        for cell in code(notebook)
        for output in cell.get("outputs", [])
    }
    assert used, "the prose cites no glued number"
    assert used <= glued, f"glue keys used in the prose but not stored: {sorted(used - glued)}"


def test_exercises_with_hidden_solutions(chapter):
    _, notebook = chapter
    solutions = [c for c in notebook.cells if "solution" in tags(c)]
    numbers = set()
    for cell in solutions:
        if cell.cell_type == "markdown":
            match = re.match(r"\s*(`{3,}|:{3,})\{admonition\} Solution to exercise (\d+)\s*\n:class: dropdown", cell.source)
            assert match, f"a markdown solution must open with a dropdown admonition: {cell.source[:80]!r}"
            numbers.add(int(match.group(2)))
        else:
            assert tags(cell) & {"hide-input", "hide-cell"}, "a code solution is hidden with hide-input"
    assert 3 <= len(numbers) <= 6, f"3 to 6 exercises with solutions, found {sorted(numbers)}"
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    exercises_at = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    assert all(notebook.cells.index(c) > exercises_at for c in solutions), "solutions belong under ## Exercises"


def test_references_section(chapter):
    _, notebook = chapter
    last = [c.source for c in notebook.cells if c.cell_type == "markdown"][-1]
    assert "## References" in last and "{bibliography}" in last and ":filter: docname in docnames" in last


def test_mathematics_uses_no_custom_macros(chapter):
    """JupyterLab and Colab know only standard LaTeX; the HTML book defines no macros either."""
    _, notebook = chapter
    text = "\n".join(markdown(notebook))
    found = sorted(set(re.findall(r"\\(sign|R|E|Var|Cov|argmax|argmin)\b", text)))
    assert not found, f"custom macros {found}: write \\operatorname{{sign}}, \\mathbb{{R}}, \\mathbb{{E}}, \\operatorname{{Var}} ..."
