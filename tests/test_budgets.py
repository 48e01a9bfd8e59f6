"""Each chapter's title cell states the run times that benchmarks.md measured.

No timing happens here (timings on a shared machine are noise); the test only
compares two texts that ``make benchmark`` writes together.
"""

import re

import pytest

import benchmark
import nbtools

CHAPTERS = pytest.mark.parametrize("path", nbtools.chapters(), ids=lambda p: p.stem)


@pytest.fixture(scope="module")
def measured():
    """Chapter stem -> (fast, full) seconds from benchmarks.md."""
    return benchmark.table_rows(benchmark.BENCHMARKS.read_text())


@CHAPTERS
def test_title_cell_states_the_benchmarked_run_times(path, measured):
    stated = benchmark.stated_run_times(nbtools.read(path))
    assert stated, (
        f"the title cell needs the run-time sentence, e.g. "
        f"'{benchmark.run_time_sentence(40, 30)}' (see CONTRIBUTING.md)"
    )
    assert path.stem in measured, (
        f"{path.stem} is not in benchmarks.md: "
        f"run python scripts/benchmark.py notebooks/{path.name}"
    )
    fast, full = measured[path.stem]
    for run, seconds, said in (("full", full, stated[0]), ("fast", fast, stated[1])):
        expected = benchmark.rounded_duration(seconds)
        same = benchmark.duration_seconds(said) == benchmark.duration_seconds(expected)
        assert same, (
            f"the title cell says about {said} for the {run} run; benchmarks.md "
            f"measured {seconds} s, which reads 'about {expected}'. "
            "Run make benchmark, or correct the sentence."
        )


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "5 seconds"),  # never "about 0 seconds"
        (12, "10 seconds"),
        (12.5, "15 seconds"),  # halves round up
        (117, "115 seconds"),
        (118, "2 minutes"),  # from 2 minutes on: half minutes
        (134, "2 minutes"),
        (135, "2.5 minutes"),
        (300, "5 minutes"),
    ],
)
def test_rounding_rule(seconds, text):
    assert benchmark.rounded_duration(seconds) == text
    assert abs(benchmark.duration_seconds(text) - seconds) <= (
        15 if seconds >= 118 else 5
    )


def test_contributing_shows_the_sentence_form():
    contributing = (nbtools.ROOT / "CONTRIBUTING.md").read_text()
    assert benchmark.RUN_TIME_SENTENCE.search(contributing), (
        "CONTRIBUTING.md's template must show the run-time sentence in the form "
        "benchmark.py writes"
    )


def test_rewriting_the_run_time_touches_only_that_sentence(tmp_path):
    """Stored outputs carry a hash of the code: the rewrite must not touch code."""
    original = nbtools.chapters()[0]
    copy = tmp_path / original.name
    copy.write_text(original.read_text())
    before = nbtools.read(copy)

    assert benchmark.rewrite_run_time(copy, full_seconds=200, fast_seconds=47)
    after = nbtools.read(copy)

    assert benchmark.stated_run_times(after) == ("3.5 minutes", "45 seconds")
    assert len(after.cells) == len(before.cells)
    for old, new in zip(before.cells[1:], after.cells[1:]):
        assert old == new
    assert after.metadata == before.metadata
    assert nbtools.code_hash(after) == nbtools.code_hash(before)
    unchanged = benchmark.RUN_TIME_SENTENCE.sub("", after.cells[0].source)
    assert unchanged == benchmark.RUN_TIME_SENTENCE.sub("", before.cells[0].source)
    assert not benchmark.rewrite_run_time(copy, full_seconds=200, fast_seconds=47)


def test_benchmarks_table_parses():
    rows = benchmark.table_rows(benchmark.BENCHMARKS.read_text())
    assert rows, "benchmarks.md has no table rows"
    # Parts of a split chapter (06b_...) have rows of their own.
    assert all(re.fullmatch(r"\d\d[a-z]?_\w+", stem) for stem in rows)
    assert {p.stem for p in nbtools.chapters()} <= set(rows)
