"""Time every chapter's fast and full runs; write benchmarks.md and the run times.

    python scripts/benchmark.py [--rerun-full] [--suite | --suite-seconds S]
                                [notebooks/NN_x.ipynb ...]

Each fast run is a fresh kernel under papermill, as in the tests; kernel start
and imports are included. The full-run time is the one the execute command
measured when it stored the chapter's outputs (in the notebook's metadata);
``--rerun-full`` measures it again. Naming chapters measures only those; the
other rows of benchmarks.md are kept.

Every measured chapter's title cell gets its run-time sentence rewritten from
the numbers in the table (a markdown-only edit: code cells and outputs are left
as they are, so the stored code hash still holds). ``tests/test_budgets.py``
checks that the sentences and benchmarks.md agree.

Under the table: the sum of the fast runs projected to the finished book
against the CI budget, and the whole test suite's time (``--suite`` runs
``python -m pytest`` once; ``--suite-seconds`` records a time measured
elsewhere; otherwise the previous measurement is kept).
Budgets (2 CPU cores): fast <= 60 s, full <= 300 s, CI <= 45 minutes.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402
from execute import execute  # noqa: E402

FAST_BUDGET, FULL_BUDGET = 60, 300
CI_BUDGET_MINUTES = 45
BOOK_CHAPTERS = 24  # the finished book
FAST_AVERAGE_TARGET = 30  # seconds: what a fast run may average to fit the CI budget
# Every fast run CI makes of each chapter, in a kernel of its own. Keep in step
# with the tests: the bad-parameter checks of tests/test_notebook_parameters.py
# run the parameter cells in the test process, not as a notebook run.
CI_FAST_RUNS = ("nbval's", "the seed-7 run of tests/test_notebook_parameters.py")
BENCHMARKS = nbtools.ROOT / "benchmarks.md"

# The run-time sentence of every title cell, e.g.
#   **Run time** on 2 quiet CPU cores: about 40 seconds for the full run, about
#   30 seconds for the fast run (`NNH_FAST=1`).
# (on one line). Text after it in the same paragraph is kept.
DURATION = r"\d+(?:\.5)? (?:seconds|minutes)"
RUN_TIME_SENTENCE = re.compile(
    rf"\*\*Run time\*\* on 2 quiet CPU cores: about (?P<full>{DURATION}) for the "
    rf"full run, about (?P<fast>{DURATION}) for the fast run \(`NNH_FAST=1`\)\."
)
TABLE_ROW = re.compile(r"^\| (\d\d[a-z]?_\w+) \| (\d+) \| (\d+) \|", flags=re.M)
SUITE_LINE = re.compile(
    r"whole test suite .*?\((?P<seconds>\d+) s\), measured (?P<day>[\d-]+)"
)


# --- the run-time sentence ----------------------------------------------------


def rounded_duration(seconds: float) -> str:
    """How a title cell states a time: to the nearest 5 seconds (at least 5) under
    2 minutes, to the nearest half minute from 2 minutes on.

    Coarse on purpose: a reader needs the order of magnitude, and a finer figure
    would change with every benchmark on a shared machine.
    """
    nearest_5 = max(5, math.floor(seconds / 5 + 0.5) * 5)
    if nearest_5 < 120:
        return f"{nearest_5} seconds"
    half_minutes = math.floor(seconds / 30 + 0.5)
    return (
        f"{half_minutes // 2} minutes"
        if half_minutes % 2 == 0
        else f"{half_minutes / 2} minutes"
    )


def duration_seconds(text: str) -> float:
    """The seconds a stated duration means: '15 seconds' is 15, '2.5 minutes' is 150."""
    number, unit = text.split()
    return float(number) * (60 if unit == "minutes" else 1)


def run_time_sentence(full_seconds: float, fast_seconds: float) -> str:
    return (
        f"**Run time** on 2 quiet CPU cores: about {rounded_duration(full_seconds)} "
        f"for the full run, about {rounded_duration(fast_seconds)} for the fast run "
        "(`NNH_FAST=1`)."
    )


def title_cell(notebook):
    return next(cell for cell in notebook.cells if cell.cell_type == "markdown")


def stated_run_times(notebook) -> tuple[str, str] | None:
    """The (full, fast) durations the title cell states, e.g. ('40 seconds', ...)."""
    match = RUN_TIME_SENTENCE.search(title_cell(notebook).source)
    return (match["full"], match["fast"]) if match else None


def rewrite_run_time(path: Path, full_seconds: float, fast_seconds: float) -> bool:
    """Put the measured times into the title cell; True when the notebook changed.

    Only that markdown cell's source changes: code cells and outputs stay as they
    are, so the stored outputs remain valid (their hash covers code only).
    """
    notebook = nbtools.read(path)
    cell = title_cell(notebook)
    sentence = run_time_sentence(full_seconds, fast_seconds)
    updated = RUN_TIME_SENTENCE.sub(lambda _: sentence, cell.source, count=1)
    if updated == cell.source:
        return False
    cell.source = updated
    temporary = path.with_suffix(".ipynb.part")
    nbformat.write(notebook, temporary)
    os.replace(temporary, path)
    return True


# --- benchmarks.md ------------------------------------------------------------


def table_rows(text: str) -> dict[str, tuple[int, int]]:
    """Chapter stem -> (fast, full) whole seconds, from a benchmarks.md table."""
    return {
        stem: (int(fast), int(full)) for stem, fast, full in TABLE_ROW.findall(text)
    }


def previous_suite(text: str) -> tuple[int, str] | None:
    """(seconds, day) of the last whole-suite measurement in benchmarks.md."""
    match = SUITE_LINE.search(text)
    return (int(match["seconds"]), match["day"]) if match else None


def row_line(stem: str, fast: int, full: int) -> str:
    within = fast <= FAST_BUDGET and full <= FULL_BUDGET
    verdict = "within budget" if within else "**over budget**"
    return f"| {stem} | {fast} | {full} | {verdict} |"


def ci_lines(
    rows: dict[str, tuple[int, int]], suite: tuple[int, str] | None
) -> list[str]:
    """The fast runs projected to the finished book, and the whole suite's time."""
    fast_total = sum(fast for fast, _ in rows.values())
    average = fast_total / len(rows)
    projected_minutes = average * BOOK_CHAPTERS * len(CI_FAST_RUNS) / 60
    verdict = (
        "within budget" if projected_minutes <= CI_BUDGET_MINUTES else "**over budget**"
    )
    runs = len(CI_FAST_RUNS)
    lines = [
        "## CI budget",
        "",
        f"- Fast runs: {fast_total} s in all for {len(rows)} chapters, "
        f"{average:.1f} s a chapter on average "
        f"(target: about {FAST_AVERAGE_TARGET} s).",
        f"- Projected to the finished book of {BOOK_CHAPTERS} chapters: "
        f"{average:.1f} s × {BOOK_CHAPTERS} chapters × {runs} fast runs a chapter "
        f"in CI ({' and '.join(CI_FAST_RUNS)}) = "
        f"{projected_minutes:.0f} minutes of notebook runs, against the CI budget "
        f"of {CI_BUDGET_MINUTES} minutes on 2 cores: {verdict}.",
    ]
    if suite is None:
        lines.append(
            "- The whole test suite (`python -m pytest`): not measured yet "
            "(`python scripts/benchmark.py --suite`)."
        )
    else:
        seconds, day = suite
        lines.append(
            f"- The whole test suite (`python -m pytest`) for {len(rows)} chapters: "
            f"{seconds / 60:.1f} minutes ({seconds} s), measured {day}."
        )
    return lines


def render(
    rows: dict[str, tuple[int, int]],
    measured: list[str],
    suite: tuple[int, str] | None,
) -> str:
    machine = platform.processor() or platform.machine()
    kept = sorted(set(rows) - set(measured))
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make benchmark` on {date.today().isoformat()}: {machine}, "
        f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, no GPU. "
        "Seconds per chapter, each in a fresh kernel, kernel start included. Full-run "
        "times are those measured by `make execute` when the stored outputs were made, "
        "unless `--rerun-full` was given.",
        "",
    ]
    if kept:
        lines += [f"Kept from the previous benchmarks.md: {', '.join(kept)}.", ""]
    lines += [
        f"Budgets: fast run (`NNH_FAST=1`, what CI runs) at most {FAST_BUDGET} s; "
        f"full run at most {FULL_BUDGET} s.",
        "",
        "| chapter | fast run (s) | full run (s) | verdict |",
        "|---|---|---|---|",
        *(row_line(stem, *rows[stem]) for stem in rows),
        "",
        *ci_lines(rows, suite),
        "",
    ]
    return "\n".join(lines)


# --- measuring ----------------------------------------------------------------


def time_suite() -> tuple[int, str]:
    """Run ``python -m pytest`` once, as CI does; (seconds, today)."""
    # The suite sets NNH_FAST and NNH_PROGRESS itself; values left in this
    # process's environment by the timed runs would override its defaults.
    env = {k: v for k, v in os.environ.items() if k not in ("NNH_FAST", "NNH_PROGRESS")}
    print("timing the whole test suite (python -m pytest) ...", flush=True)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q"], cwd=nbtools.ROOT, env=env
    )
    seconds = round(time.perf_counter() - started)
    if completed.returncode != 0:
        print(
            f"  warning: the suite failed (exit code {completed.returncode})",
            flush=True,
        )
    print(f"  {seconds} s", flush=True)
    return seconds, date.today().isoformat()


def measure(path: Path, scratch: Path, rerun_full: bool) -> tuple[int, int]:
    """(fast, full) whole seconds for one chapter."""
    fast = execute(path, fast=True, output=scratch / f"fast_{path.name}")
    if rerun_full:
        full = execute(path, fast=False, output=scratch / f"full_{path.name}")
    else:
        full = nbtools.read(path).metadata[nbtools.STORED_METADATA_KEY]["seconds"]
    return round(fast), round(full)


def check_chapters(parser, paths: list[Path]) -> None:
    """Stop before hours of timing if a chapter cannot take its results."""
    nbtools.check_chapters(parser, paths)
    for path in paths:
        if stated_run_times(nbtools.read(path)) is None:
            parser.error(
                f"{path.name}: its title cell has no run-time sentence of the form "
                f"'{run_time_sentence(40, 30)}' (see CONTRIBUTING.md)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--rerun-full",
        action="store_true",
        help="measure the full runs again instead of reading the stored times",
    )
    suite_options = parser.add_mutually_exclusive_group()
    suite_options.add_argument(
        "--suite", action="store_true", help="time the whole test suite once"
    )
    suite_options.add_argument(
        "--suite-seconds", type=int, help="record this whole-suite time instead"
    )
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or nbtools.chapters()
    check_chapters(parser, paths)

    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        print(
            f"warning: the load average is {load:.1f} on {os.cpu_count()} cores; "
            "timings on a busy machine overstate a chapter's run time",
            flush=True,
        )
    previous = BENCHMARKS.read_text() if BENCHMARKS.exists() else ""
    rows = table_rows(previous)
    suite = previous_suite(previous)
    if args.suite_seconds is not None:
        suite = (args.suite_seconds, date.today().isoformat())
    with tempfile.TemporaryDirectory() as scratch:
        for path in paths:
            rows[path.stem] = measure(path, Path(scratch), args.rerun_full)
            print(row_line(path.stem, *rows[path.stem]), flush=True)
    # Table order follows the book; chapters that left the book are dropped.
    rows = {p.stem: rows[p.stem] for p in nbtools.chapters() if p.stem in rows}

    for path in paths:
        fast, full = rows[path.stem]
        if rewrite_run_time(path, full, fast):
            print(f"updated the run-time sentence of {path.name}", flush=True)
    measured = [p.stem for p in paths]
    BENCHMARKS.write_text(render(rows, measured, suite))
    print("wrote benchmarks.md", flush=True)
    if args.suite:
        # After benchmarks.md and the title cells agree, which the suite checks.
        suite = time_suite()
        BENCHMARKS.write_text(render(rows, measured, suite))
        print("wrote benchmarks.md with the suite's time", flush=True)


if __name__ == "__main__":
    main()
