"""Every chapter follows the template in CONTRIBUTING.md, and the book's files agree.

Most checks apply to every notebook. A chapter split into parts (``07_x.ipynb``,
``07b_y.ipynb``, ...) is checked as one for the order of its sections and its
exercises, which run through its parts.
"""

import ast
import io
import re
import tokenize

import pytest
import yaml

import nbtools

CHAPTERS = nbtools.chapters()
PARTS = nbtools.chapter_parts()
REQUIRED_SECTIONS = [
    "History",
    "The idea",
    "From scratch, then with torch.nn",
    "The experiment",
    "Limits",
    "Exercises",
    "References",
]
BIB = (nbtools.ROOT / "book" / "references.bib").read_text()
BIB_KEYS = re.findall(r"^@\w+\{([^,\s]+),", BIB, flags=re.M)
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
MAX_CELL_LINES = 40
RESHAPES = {"reshape", "view", "permute", "transpose", "unsqueeze", "squeeze",
            "flatten", "unflatten", "movedim", "swapaxes"}  # fmt: skip
SHAPE_COMMENT = re.compile(r"#.*\(.*\)")  # e.g. "# (B, T, C)" or "# (8000, 784)"
EXERCISE = re.compile(r"^(\d+)\. \*\*(.*)$", flags=re.M)
LABELLED_EXERCISE = re.compile(r"^\*\*\((Easy|Medium|Hard)\) ")


def markdown(notebook):
    return [c.source for c in notebook.cells if c.cell_type == "markdown"]


def code(notebook):
    return [c for c in notebook.cells if c.cell_type == "code"]


def tags(cell):
    return set(cell.metadata.get("tags", []))


def python_source(cell) -> str:
    """A code cell with its IPython magics replaced by ``pass``, for ``ast``."""
    lines = []
    for line in cell.source.splitlines():
        code = line.lstrip()
        indent = line[: len(line) - len(code)]
        magic = code.startswith("%") or (
            code.startswith("!") and not code.startswith("!=")
        )
        lines.append(indent + "pass" if magic else line)
    return "\n".join(lines)


def headings(notebook, level):
    prefix = "#" * level + " "
    return [
        line[len(prefix) :].strip()
        for text in markdown(notebook)
        for line in text.splitlines()
        if line.startswith(prefix)
    ]


def test_toc_and_notebooks_agree():
    listed = {p.name for p in CHAPTERS}
    on_disk = {p.name for p in nbtools.NOTEBOOKS.glob("*.ipynb")}
    assert listed == on_disk, (
        f"in _toc.yml only: {listed - on_disk}; on disk only: {on_disk - listed}"
    )
    for name in nbtools.toc_files():
        assert (nbtools.ROOT / f"{name}.ipynb").exists() or (
            nbtools.ROOT / f"{name}.md"
        ).exists(), name
    assert all(nbtools.PART_NAME.fullmatch(p.name) for p in CHAPTERS)
    # Chapters keep the number the book's plan gives them (10_ is recurrent
    # networks even while 08_ and 09_ are drafts), so numbers rise in
    # table-of-contents order but may skip.
    numbers = [int(parts[0].name[:2]) for parts in PARTS]
    assert numbers[0] == 1 and numbers == sorted(set(numbers)), (
        "chapters are numbered 01_, 02_, ... rising in table-of-contents order"
    )
    for parts in PARTS:
        letters = [p.name[2] for p in parts[1:]]
        assert letters == [chr(ord("b") + i) for i in range(len(letters))], parts


def test_parts_are_sections_of_their_chapter():
    toc = yaml.safe_load((nbtools.ROOT / "_toc.yml").read_text())
    entries = [e for part in toc["parts"] for e in part["chapters"]]
    for parts in PARTS:
        entry = next(e for e in entries if e["file"] == f"notebooks/{parts[0].stem}")
        sections = [s["file"] for s in entry.get("sections", [])]
        assert sections == [f"notebooks/{p.stem}" for p in parts[1:]]


def test_bibliography_keys_are_unique():
    assert len(BIB_KEYS) == len(set(BIB_KEYS)), "duplicate keys in references.bib"


def test_every_citation_in_the_book_resolves():
    pages = [p.read_text() for p in (nbtools.ROOT / "book").glob("*.md")]
    pages += ["\n".join(markdown(nbtools.read(p))) for p in CHAPTERS]
    cited = {
        key.strip()
        for page in pages
        for group in CITE.findall(page)
        for key in group.split(",")
    }
    assert cited, "no citations found"
    assert cited <= set(BIB_KEYS), (
        f"unknown citation keys: {sorted(cited - set(BIB_KEYS))}"
    )


@pytest.fixture(params=CHAPTERS, ids=lambda p: p.stem)
def chapter(request):
    return request.param, nbtools.read(request.param)


@pytest.fixture(params=PARTS, ids=lambda parts: parts[0].stem)
def whole_chapter(request):
    """A chapter's notebooks as one: their cells in order."""
    notebooks = [nbtools.read(p) for p in request.param]
    merged = notebooks[0]
    merged.cells = [cell for notebook in notebooks for cell in notebook.cells]
    return request.param, merged


def test_kernel_and_title(chapter):
    path, notebook = chapter
    assert notebook.metadata.kernelspec.name == "python3"
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    titles = headings(notebook, 1)
    assert len(titles) == 1, f"one '# ' title per notebook, found {titles}"
    assert re.search(r"\((1[89]\d\d|20\d\d)[^)]*\)", titles[0]), (
        "the title gives the year, e.g. 'The perceptron (1958)'"
    )
    first_part = nbtools.PART_NAME.fullmatch(path.name).group(2) == ""
    needed = ("Learning objectives", "Prerequisites") if first_part else ()
    for part in needed + ("Run time",):
        assert part in first.source, f"the title cell needs '{part}'"
    assert nbtools.colab_url(path) in first.source, (
        "Open-in-Colab link missing or not matching _config.yml"
    )


def test_sections_in_template_order(whole_chapter):
    _, notebook = whole_chapter
    sections = headings(notebook, 2)
    positions = []
    for required in REQUIRED_SECTIONS:
        matches = [i for i, s in enumerate(sections) if s == required]
        assert matches, f"missing section '## {required}' (found {sections})"
        positions.append(matches[0])
    assert positions == sorted(positions), f"sections out of order: {sections}"


def test_setup_and_parameters_cells(chapter):
    path, notebook = chapter
    cells = code(notebook)
    assert cells[0].source.strip() == nbtools.setup_cell_source(), (
        "first code cell must be the Colab set-up cell"
    )
    tagged = [i for i, c in enumerate(cells) if "parameters" in tags(c)]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    parameters = cells[tagged[0]].source
    for name in ("seed", "device", "fast"):
        assert re.search(rf"^{name}\s*=", parameters, flags=re.M), (
            f"parameters cell lacks {name}"
        )
    derived = cells[tagged[0] + 1].source
    assert "nnhistory.start(seed=seed, device=device, fast=fast)" in derived
    assert f'Results("{path.stem}")' in derived


def test_derivations_are_checked(chapter):
    _, notebook = chapter
    asserts = sum(
        len(re.findall(r"^\s*assert\b", c.source, flags=re.M)) for c in code(notebook)
    )
    assert asserts >= 5, f"only {asserts} asserts"
    shows = sum(c.source.count("results.show()") for c in code(notebook))
    assert shows == 1, "the experiment ends with results.show(), once"


def test_derivations_are_displayed(whole_chapter):
    _, notebook = whole_chapter
    text = "\n".join(markdown(notebook))
    assert text.count("$$") >= 4 or "\\begin{" in text, (
        "derivations must be displayed in LaTeX"
    )


def test_claims_follow_the_one_pattern(chapter):
    """``passed = <condition>; results.add(..., passed=passed); assert passed, msg``.

    The condition is typed once (a name, not an expression, goes to ``add``), the
    same name is asserted right after with a message, and the verdict is one of the
    three, written out.
    """
    _, notebook = chapter
    for cell in code(notebook):
        if "results.add(" not in cell.source:
            continue
        tree = ast.parse(python_source(cell))
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add"
            and getattr(node.func.value, "id", None) == "results"
        ]
        asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        for call in calls:
            keywords = {k.arg: k.value for k in call.keywords}
            key = ast.unparse(call.args[0]) if call.args else "?"
            passed = keywords.get("passed")
            assert isinstance(passed, ast.Name), (
                f"claim {key}: pass a name (passed=passed), not an expression"
            )
            asserted = [
                a
                for a in asserts
                if isinstance(a.test, ast.Name)
                and a.test.id == passed.id
                and a.lineno > call.lineno
                and a.msg is not None
            ]
            assert asserted, (
                f"claim {key}: follow it with `assert {passed.id}, <message>`"
            )
            verdict = keywords.get("verdict")
            assert (
                isinstance(verdict, ast.Constant) and verdict.value in nbtools.VERDICTS
            ), f"claim {key}: verdict= is one of {nbtools.VERDICTS}, written out"


def test_no_stray_glue_outputs(chapter):
    """``results.add`` returns its value, so a cell ending with it would show the value
    as a stray output in the book (``glue`` returns nothing)."""
    _, notebook = chapter
    stray = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        last = ast.parse(python_source(cell)).body[-1]
        if (
            isinstance(last, ast.Expr)
            and isinstance(last.value, ast.Call)
            and isinstance(last.value.func, ast.Attribute)
            and last.value.func.attr == "add"
        ):
            stray.append(index)
    assert not stray, f"cells ending with a results.add call: {stray}"


def test_code_cells_are_short(chapter):
    """One idea per cell: a definition, an experiment, a figure or a record."""
    _, notebook = chapter
    long_cells = [
        (index, len(cell.source.rstrip().splitlines()))
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and len(cell.source.rstrip().splitlines()) > MAX_CELL_LINES
    ]
    assert not long_cells, (
        f"code cells over {MAX_CELL_LINES} lines (cell index, lines): {long_cells}; "
        "split definition, experiment, figure and record into cells"
    )


def reshaping_statements(source: str):
    """(first line, last line, text) of each simple statement that reshapes an array."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.stmt) or isinstance(
            node, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.If, ast.With)
        ):
            continue
        calls = [
            n
            for n in ast.walk(node)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in RESHAPES
        ]
        if calls:
            yield node.lineno, node.end_lineno, ast.get_source_segment(source, node)


def test_reshapes_carry_shape_comments(chapter):
    """nanoGPT's rule: every line that reshapes a tensor says the shape it makes."""
    _, notebook = chapter
    missing = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        source = python_source(cell)
        comments = {
            token.start[0]: token.string
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        }
        for first, last, text in reshaping_statements(source):
            if not any(
                SHAPE_COMMENT.search(comments.get(line, ""))
                for line in range(first, last + 1)
            ):
                missing.append(f"cell {index}: {text.splitlines()[0][:60]}")
    assert not missing, (
        "reshapes without a shape comment like '# (N, 784)':\n" + "\n".join(missing)
    )


def glue_names(notebook) -> list[str]:
    """The name of every value a chapter's stored outputs glue, in order."""
    return [
        output["metadata"]["scrapbook"]["name"]
        for cell in code(notebook)
        for output in cell.get("outputs", [])
        if "scrapbook" in output.get("metadata", {})
    ]


def test_glued_numbers_exist(chapter):
    _, notebook = chapter
    used = {
        m.split(":")[0]
        for text in markdown(notebook)
        for m in re.findall(r"\{glue(?::\w+)?\}`([^`]+)`", text)
    }
    glued = set(glue_names(notebook))
    assert used, "the prose cites no glued number"
    assert used <= glued, (
        f"glue keys used in the prose but not stored: {sorted(used - glued)}"
    )


def test_each_glue_name_is_glued_once(chapter):
    """myst-nb refuses a name glued twice in one page, but only when the book builds:
    catch it here, in seconds."""
    _, notebook = chapter
    names = glue_names(notebook)
    twice = sorted({name for name in names if names.count(name) > 1})
    assert not twice, f"glued more than once: {twice}"


def exercises_text(notebook) -> str:
    """The markdown of the Exercises section, solutions left out."""
    texts, inside = [], False
    for cell in notebook.cells:
        if cell.cell_type != "markdown" or "solution" in tags(cell):
            continue
        for line in cell.source.splitlines():
            if line.startswith("## "):
                inside = line.strip() == "## Exercises"
            elif inside:
                texts.append(line)
    return "\n".join(texts)


def test_exercises_with_hidden_solutions(whole_chapter):
    _, notebook = whole_chapter
    solutions = [c for c in notebook.cells if "solution" in tags(c)]
    numbers = set()
    for cell in solutions:
        if cell.cell_type == "markdown":
            match = re.match(
                r"\s*(`{3,}|:{3,})\{admonition\} Solution to exercise (\d+)\s*\n"
                r":class: dropdown",
                cell.source,
            )
            assert match, (
                "a markdown solution must open with a dropdown admonition: "
                f"{cell.source[:80]!r}"
            )
            numbers.add(int(match.group(2)))
        else:
            assert tags(cell) & {"hide-input", "hide-cell"}, (
                "a code solution is hidden with hide-input"
            )
    assert 3 <= len(numbers) <= 6, (
        f"3 to 6 exercises with solutions, found {sorted(numbers)}"
    )
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    exercises_at = next(
        i
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "markdown" and "## Exercises" in c.source
    )
    assert all(notebook.cells.index(c) > exercises_at for c in solutions), (
        "solutions belong under ## Exercises"
    )


def test_exercises_are_labelled_by_difficulty(whole_chapter):
    """``1. **(Easy) Title.** ...``, easy to hard, with at least one hard exercise."""
    _, notebook = whole_chapter
    items = EXERCISE.findall(exercises_text(notebook))
    assert items, "exercises are a numbered list: 1. **(Easy) Title.** ..."
    order = {"Easy": 0, "Medium": 1, "Hard": 2}
    levels = []
    for number, rest in items:
        label = LABELLED_EXERCISE.match("**" + rest)
        assert label, (
            f"exercise {number}: start with **(Easy)**, **(Medium)** or **(Hard)**"
        )
        levels.append(order[label.group(1)])
    assert levels == sorted(levels), "exercises go from easy to hard"
    assert levels[-1] == order["Hard"], "every chapter has at least one hard exercise"


def test_references_section(chapter):
    _, notebook = chapter
    last = [c.source for c in notebook.cells if c.cell_type == "markdown"][-1]
    assert (
        "## References" in last
        and "{bibliography}" in last
        and ":filter: docname in docnames" in last
    )


def test_mathematics_uses_no_custom_macros(chapter):
    """JupyterLab and Colab know only standard LaTeX; the book defines no macros."""
    _, notebook = chapter
    text = "\n".join(markdown(notebook))
    found = sorted(set(re.findall(r"\\(sign|R|E|Var|Cov|argmax|argmin)\b", text)))
    assert not found, (
        f"custom macros {found}: write \\operatorname{{sign}}, \\mathbb{{R}}, "
        "\\mathbb{{E}}, \\operatorname{{Var}} ..."
    )
