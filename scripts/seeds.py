"""Run chapters fast over several seeds and report how their claims vary.

    python scripts/seeds.py [notebooks/NN_x.ipynb ...] [--seeds 1 2 3] [-j 2]

Every chapter (or only those named) runs in the configuration CI uses
(NNH_FAST=1, a fresh kernel under papermill in notebooks/, progress bars off),
once per seed with ``-p seed s``. CI already runs seeds 0 (nbval) and 7
(tests/test_notebook_parameters.py), so the default seeds are 1 to 5.

For each chapter and seed it records whether the run completed (if not: which
code cell failed, its first line and the error) and the ``ours`` value of every
claim in the chapter's results record. It writes seeds.md (a table per chapter:
the value at each seed, the spread, whether the check passed at every seed) and
seeds.json (every run, as recorded) at the repository root, after every run, so
an interrupted sweep still leaves a report. Nothing in notebooks/ changes. The
exit code is 1 when any run failed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path
from typing import Any

import papermill

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402
from execute import run_papermill  # noqa: E402

DEFAULT_SEEDS = [1, 2, 3, 4, 5]  # not 0 or 7: CI runs those
SEEDS_MD = nbtools.ROOT / "seeds.md"
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
# IPython marks the line that raised with an arrow: "----> 12 assert ..."
ARROW_LINE = re.compile(r"^-+> *\d+ (?P<line>.*)$", flags=re.M)

Run = dict[str, Any]


# --- one run ------------------------------------------------------------------


def failing_line(traceback: list[str]) -> str | None:
    """The line of the chapter's cell that raised, from IPython's traceback.

    The first arrow is in the cell itself; later ones are inside called functions.
    """
    match = ARROW_LINE.search(ANSI_COLOUR.sub("", "\n".join(traceback)))
    return match["line"].strip() if match else None


def cell_failure(path: Path, error: papermill.PapermillExecutionError) -> dict:
    """Which code cell failed and why, counted in the chapter as written.

    Counted in the original notebook, not papermill's output, which has an extra
    injected-parameters cell.
    """
    sources = nbtools.code_sources(nbtools.read(path))
    number = sources.index(error.source) + 1 if error.source in sources else None
    lines = error.source.strip().splitlines()
    return {
        "code_cell": number,  # counted from 1; None: papermill's injected cell
        "code_cells": len(sources),
        "first_line": lines[0] if lines else "",
        "line": failing_line(error.traceback),
        "error": f"{error.ename}: {error.evalue}" if error.evalue else error.ename,
    }


def read_claims(executed_path: Path) -> list[dict]:
    """The claims of the results record, if the run got as far as results.show()."""
    if not executed_path.exists():
        return []
    try:
        record = nbtools.results_record(nbtools.read(executed_path))
    except ValueError:  # show() called twice: the structure tests report that
        return []
    return record["claims"] if record else []


def run_one(path: Path, seed: int) -> Run:
    """One fast run with one seed, as plain data (it crosses process boundaries)."""
    failure = None
    with tempfile.TemporaryDirectory() as scratch:
        executed_path = Path(scratch) / path.name
        started = time.perf_counter()
        try:
            run_papermill(path, executed_path, fast=True, parameters={"seed": seed})
        except papermill.PapermillExecutionError as error:
            failure = cell_failure(path, error)
        except Exception as error:  # a dead kernel, say: no cell to blame
            failure = {"code_cell": None, "error": f"{type(error).__name__}: {error}"}
        seconds = time.perf_counter() - started
        claims = read_claims(executed_path)
    return {
        "chapter": path.stem,
        "seed": seed,
        "completed": failure is None,
        "seconds": round(seconds, 1),
        "failure": failure,
        "claims": claims,
    }


# --- describing values ----------------------------------------------------------


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_text(value: float, digits: int = 3) -> str:
    return str(value) if isinstance(value, int) else f"{value:.{digits}g}"


def spread_text(values: list[Any]) -> str:
    """min to max, and (max - min) / |mean| when all values share a sign."""
    if len(set(map(repr, values))) <= 1:
        return "none"
    if not all(is_number(v) for v in values):
        return "varies"
    low, high = min(values), max(values)
    digits = 3  # enough digits that the two ends read differently
    while number_text(low, digits) == number_text(high, digits) and digits < 8:
        digits += 1
    text = f"{number_text(low, digits)} to {number_text(high, digits)}"
    if low > 0 or high < 0:  # relative spread means nothing across zero
        mean = sum(values) / len(values)
        text += f" ({(high - low) / abs(mean):.1%})"
    return text


def seed_list(seeds: list[int]) -> str:
    """'seed 3' or 'seeds 1, 2, 5'."""
    return ("seed " if len(seeds) == 1 else "seeds ") + ", ".join(map(str, seeds))


def passed_text(claims_by_seed: dict[int, dict], seeds: list[int]) -> str:
    failed = [
        s for s in seeds if s in claims_by_seed and not claims_by_seed[s]["passed"]
    ]
    missing = [s for s in seeds if s not in claims_by_seed]
    if failed:
        return f"**no** (at {seed_list(failed)})"
    if missing:
        return f"yes where recorded (none at {seed_list(missing)})"
    return "yes"


def verdict_text(claims_by_seed: dict[int, dict]) -> str:
    """The verdict, or which seeds gave which when it changes with the seed."""
    seeds_by_verdict: dict[str, list[int]] = {}
    for seed, claim in claims_by_seed.items():
        seeds_by_verdict.setdefault(str(claim.get("verdict", "—")), []).append(seed)
    if len(seeds_by_verdict) == 1:
        return next(iter(seeds_by_verdict))
    return "; ".join(f"{v} ({seed_list(s)})" for v, s in seeds_by_verdict.items())


def shown(claim: dict) -> str:
    if "ours_shown" in claim:
        return str(claim["ours_shown"])
    ours = claim["ours"]
    return number_text(ours) if is_number(ours) else str(ours)


# --- seeds.md -------------------------------------------------------------------


def claims_table(runs: list[Run], seeds: list[int]) -> list[str]:
    """One row per claim key: each seed's value, the spread, verdict and outcome."""
    by_key: dict[str, dict[int, dict]] = {}  # in the order the chapter adds them
    for run in sorted(runs, key=lambda r: r["seed"]):
        for claim in run["claims"]:
            by_key.setdefault(claim["key"], {})[run["seed"]] = claim
    if not by_key:
        return ["No results record at any seed."]
    every_claim = [c for claims in by_key.values() for c in claims.values()]
    has_verdict = any("verdict" in c for c in every_claim)
    has_check = any(c.get("check") for c in every_claim)
    header = ["claim", *(f"seed {s}" for s in seeds), "spread"]
    header += ["verdict"] * has_verdict + ["check"] * has_check
    header.append("passed at every seed")
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for key, claims in by_key.items():
        cells = [f"`{key}`"]
        cells += [shown(claims[s]) if s in claims else "—" for s in seeds]
        cells.append(spread_text([c["ours"] for c in claims.values()]))
        if has_verdict:
            cells.append(verdict_text(claims))
        if has_check:
            cells.append(
                next((c["check"] for c in claims.values() if c.get("check")), "")
            )
        cells.append(passed_text(claims, seeds))
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


def one_line(text: str, limit: int = 300) -> str:
    """A message fit for a table or a list item: one line, not too long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_text(failure: dict) -> str:
    error = one_line(failure["error"])
    if failure.get("code_cell") is None and "code_cells" not in failure:
        return error
    if failure["code_cell"] is None:
        where = "papermill's injected-parameters cell"
    else:
        where = (
            f"code cell {failure['code_cell']} of {failure['code_cells']} "
            f"(`{failure['first_line']}`)"
        )
    if failure.get("line") and failure["line"] != failure.get("first_line"):
        where += f", at `{failure['line']}`"
    return f"{where}: {error}"


def problems(runs: list[Run]) -> list[str]:
    """Failed runs, and claims whose check failed although the run went on."""
    found = []
    for run in sorted(runs, key=lambda r: r["seed"]):
        if not run["completed"]:
            found.append(f"seed {run['seed']}: {failure_text(run['failure'])}")
            continue
        for claim in run["claims"]:
            if not claim["passed"]:
                found.append(
                    f"seed {run['seed']}: claim `{claim['key']}` failed its check "
                    "but the run completed (is its assert missing?)"
                )
    return found


def chapter_section(chapter: str, runs: list[Run], seeds: list[int]) -> list[str]:
    done = sorted(r["seed"] for r in runs)
    lines = [f"## {chapter}", ""]
    if done != sorted(seeds):
        lines += [f"Runs so far: {seed_list(done)}.", ""]
    lines += [*claims_table(runs, [s for s in seeds if s in done]), ""]
    seconds = [r["seconds"] for r in runs]
    runs_text = "1 run" if len(runs) == 1 else f"{len(runs)} runs"
    fastest, slowest = f"{min(seconds):.0f}", f"{max(seconds):.0f}"
    each = fastest if fastest == slowest else f"{fastest} to {slowest}"
    timing = f"{runs_text}, {each} s each"
    found = problems(runs)
    if not found:
        lines.append(f"Every assert held at every seed ({timing}).")
    else:
        lines.append(f"**Failures** ({timing}):")
        lines += ["", *(f"- {problem}" for problem in found)]
    return [*lines, ""]


def render(runs: list[Run], chapters: list[str], seeds: list[int], planned: int) -> str:
    by_chapter = {c: [r for r in runs if r["chapter"] == c] for c in chapters}
    failed = [r for r in runs if problems([r])]
    if len(runs) < planned:
        summary = f"In progress: {len(runs)} of {planned} runs done"
        summary += f", {len(failed)} with a failure." if failed else "."
    elif failed:
        where = sorted({r["chapter"] for r in failed})
        summary = (
            f"**Not every assert held at every seed**: {len(failed)} of {planned} "
            f"runs failed, in {', '.join(where)}."
        )
    else:
        summary = f"**Every assert held at every seed** ({planned} runs)."
    lines = [
        "# Seed sweep",
        "",
        f"Written by `make seeds` on {date.today().isoformat()}: each chapter's "
        f"fast run (`NNH_FAST=1`, as in CI) with {seed_list(seeds)}. CI itself "
        "runs seeds 0 and 7. For each claim of a chapter's results record: our value "
        "at each seed, the spread (lowest to highest, and (highest − lowest) / |mean| "
        "when the values share a sign) and whether its check passed at every seed. "
        "Code cells are counted from 1, the set-up cell being 1.",
        "",
        summary,
        "",
    ]
    for chapter, chapter_runs in by_chapter.items():
        if chapter_runs:
            lines += chapter_section(chapter, chapter_runs, seeds)
    return "\n".join(lines)


def write_reports(
    runs: list[Run], chapters: list[str], seeds: list[int], planned: int, output: Path
):
    """The report (``output``, default seeds.md) and its raw runs beside it (.json)."""
    output.write_text(render(runs, chapters, seeds, planned))
    report = {"date": date.today().isoformat(), "seeds": seeds, "runs": runs}
    output.with_suffix(".json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    )


# --- the sweep ------------------------------------------------------------------


def progress_line(done: int, planned: int, run: Run) -> str:
    head = f"[{done}/{planned}] {run['chapter']} seed {run['seed']}"
    if run["completed"]:
        return f"{head}: completed in {run['seconds']:.0f} s"
    return f"{head}: FAILED in {run['seconds']:.0f} s at {failure_text(run['failure'])}"


def sweep(paths: list[Path], seeds: list[int], jobs: int):
    """Yield each run as it finishes, ``jobs`` at a time."""
    tasks = [(path, seed) for path in paths for seed in seeds]
    if jobs == 1:
        for path, seed in tasks:
            yield run_one(path, seed)
        return
    # spawn: each worker starts clean rather than forking this process's state
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(run_one, path, seed) for path, seed in tasks]
        for future in as_completed(futures):
            yield future.result()


def chosen_chapters(parser, notebooks: list[Path]) -> list[Path]:
    paths = [p.resolve() for p in notebooks] or nbtools.chapters()
    nbtools.check_chapters(parser, paths)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="chapters (default: all)"
    )
    parser.add_argument(
        "--seeds", nargs="+", type=int, default=DEFAULT_SEEDS, help="default: 1 2 3 4 5"
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=1, help="notebooks run at once (default 1)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=SEEDS_MD,
        help="the report (default seeds.md; the raw runs go beside it as .json)",
    )
    args = parser.parse_args()
    paths = chosen_chapters(parser, args.notebooks)
    seeds = sorted(set(args.seeds))
    if any(seed < 0 for seed in seeds):
        parser.error("seeds are non-negative integers")
    if args.jobs < 1:
        parser.error("--jobs is at least 1")

    planned = len(paths) * len(seeds)
    chapters = [p.stem for p in paths]
    print(
        f"{planned} fast runs: {len(paths)} chapter(s) × {seed_list(seeds)}, "
        f"{args.jobs} at a time",
        flush=True,
    )
    runs: list[Run] = []
    for run in sweep(paths, seeds, args.jobs):
        runs.append(run)
        print(progress_line(len(runs), planned, run), flush=True)
        write_reports(runs, chapters, seeds, planned, args.output.resolve())
    print(f"wrote {args.output} and {args.output.with_suffix('.json')}")
    if any(problems([run]) for run in runs):
        print("not every assert held at every seed: see seeds.md", flush=True)
        raise SystemExit(1)
    print("every assert held at every seed", flush=True)


if __name__ == "__main__":
    main()
