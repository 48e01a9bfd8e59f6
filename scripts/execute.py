"""Re-execute chapters in their full configuration and store the outputs.

    python scripts/execute.py notebooks/02_hebb_hopfield.ipynb   # one chapter
    python scripts/execute.py --all                              # every chapter

Each notebook runs top to bottom in a fresh kernel under papermill with
NNH_FAST unset (the full run) and progress bars off. Only when the run
succeeds is the notebook replaced, with the SHA-256 of its code cells in its
metadata; its results record is written to results/<chapter>.json and the
Reproductions page regenerated. A failed run changes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402


def run_papermill(
    path: Path, executed_path: Path, fast: bool, parameters: dict | None = None
) -> float:
    """Run one chapter top to bottom in a fresh kernel; returns the seconds it took.

    The kernel runs in notebooks/ (so relative paths resolve as in JupyterLab) and
    inherits NNH_FAST and NNH_PROGRESS from this process. The executed notebook is
    written to ``executed_path`` even when a cell fails; papermill then raises
    ``PapermillExecutionError``. Shared by execute, benchmark and seeds.
    """
    os.environ["NNH_FAST"] = "1" if fast else "0"
    os.environ["NNH_PROGRESS"] = "0"
    started = time.perf_counter()
    papermill.execute_notebook(
        str(path),
        str(executed_path),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(path.parent),
        progress_bar=False,
    )
    return time.perf_counter() - started


def execute(path: Path, fast: bool = False, output: Path | None = None) -> float:
    """Run one chapter; store it (or write it to ``output``). Returns its seconds."""
    with tempfile.TemporaryDirectory() as scratch:
        executed_path = Path(scratch) / path.name
        seconds = run_papermill(path, executed_path, fast=fast)
        notebook = nbtools.read(executed_path)

    import numpy
    import torch

    # papermill's per-cell timings would make every run a diff
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("papermill", None)
    notebook.metadata[nbtools.STORED_METADATA_KEY] = {
        "code_sha256": nbtools.code_hash(notebook),
        "package_sha256": nbtools.package_hash(),
        "run": "fast" if fast else "full",
        "seconds": round(seconds, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
    }
    target = output or path
    temporary = target.with_suffix(".ipynb.part")
    nbformat.write(notebook, temporary)
    os.replace(temporary, target)

    if output is None:
        record = nbtools.results_record(notebook)
        if record is None:
            raise SystemExit(
                f"{path.name}: no results record; the chapter must end its "
                "experiment with results.show()"
            )
        nbtools.RESULTS.mkdir(exist_ok=True)
        nbtools.results_path(path).write_text(
            json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="chapter notebooks to execute"
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="execute every chapter in the table of contents",
    )
    args = parser.parse_args()
    paths = nbtools.chapters() if args.all else [p.resolve() for p in args.notebooks]
    if not paths:
        parser.error("name the notebooks to execute, or pass --all")
    nbtools.check_chapters(parser, paths)
    for path in paths:
        print(f"executing {path.relative_to(nbtools.ROOT)} (full run) ...", flush=True)
        seconds = execute(path)
        print(f"  stored in {seconds:.0f} s", flush=True)
    nbtools.REPRODUCTIONS_PAGE.write_text(nbtools.render_reproductions())
    print(f"wrote {nbtools.REPRODUCTIONS_PAGE.relative_to(nbtools.ROOT)}")


if __name__ == "__main__":
    main()
