"""Stored outputs are the full run's, current, complete and error-free, and the
results records agree with them."""

import json

import pytest

import nbtools

CHAPTERS = nbtools.chapters()


@pytest.fixture(params=CHAPTERS, ids=lambda p: p.stem)
def chapter(request):
    return request.param, nbtools.read(request.param)


def test_outputs_are_current(chapter):
    path, notebook = chapter
    execute = f"run make execute NB={path.relative_to(nbtools.ROOT)}"
    stored = notebook.metadata.get(nbtools.STORED_METADATA_KEY)
    assert stored, f"{path.name} was not executed with the execute command: {execute}"
    assert stored["code_sha256"] == nbtools.code_hash(notebook), (
        f"{path.name}: its code changed since its outputs were stored; {execute}"
    )
    assert stored.get("package_sha256") == nbtools.package_hash(), (
        f"{path.name}: the helper package src/nnhistory changed since its outputs "
        f"were stored, which can change any chapter's numbers; {execute}"
    )
    assert stored["run"] == "full", "stored outputs must be the full run's"


def test_run_top_to_bottom_without_errors(chapter):
    path, notebook = chapter
    cells = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: cells not run once each, top to bottom, in one kernel"
    )
    errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: stored error output {errors[0].get('ename')}"
    figures = sum("image/png" in o.get("data", {}) for c in cells for o in c.outputs)
    assert figures >= 2, f"{path.name}: only {figures} stored figures"


def test_results_record_matches_the_stored_run(chapter):
    path, notebook = chapter
    record = nbtools.results_record(notebook)
    assert record is not None, (
        "no results record: the experiment must end with results.show()"
    )
    assert record["chapter"] == path.stem
    saved = nbtools.results_path(path)
    assert saved.exists() and json.loads(saved.read_text()) == record, (
        f"{saved.name} is stale: re-run make execute"
    )
    assert record["claims"] and all(claim["passed"] for claim in record["claims"])
    assert all(claim["verdict"] in nbtools.VERDICTS for claim in record["claims"])


def test_no_stray_results():
    expected = {nbtools.results_path(p).name for p in CHAPTERS}
    assert {p.name for p in nbtools.RESULTS.glob("*.json")} <= expected


def test_reproductions_page_is_current():
    assert nbtools.REPRODUCTIONS_PAGE.read_text() == nbtools.render_reproductions(), (
        "book/reproductions.md is stale: make execute regenerates it"
    )
