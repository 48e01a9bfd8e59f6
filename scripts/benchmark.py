"""Time every chapter's fast and full runs and write benchmarks.md.

    python scripts/benchmark.py [--rerun-full] [notebooks/NN_x.ipynb ...]

Each fast run is a fresh kernel under papermill, as in the tests; kernel start
and imports are included. The full-run time is the one the execute command
measured when it stored the chapter's outputs (in the notebook's metadata);
``--rerun-full`` measures it again. Nothing in notebooks/ is changed.
Budgets (2 CPU cores): fast <= 60 s, full <= 300 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402
from execute import execute  # noqa: E402

FAST_BUDGET, FULL_BUDGET = 60, 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--rerun-full", action="store_true", help="measure the full runs again instead of reading the stored times")
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or nbtools.chapters()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for path in paths:
            fast = execute(path, fast=True, output=Path(scratch) / f"fast_{path.name}")
            if args.rerun_full:
                full = execute(path, fast=False, output=Path(scratch) / f"full_{path.name}")
            else:
                full = nbtools.read(path).metadata[nbtools.STORED_METADATA_KEY]["seconds"]
            verdict = "within budget" if fast <= FAST_BUDGET and full <= FULL_BUDGET else "**over budget**"
            rows.append(f"| {path.stem} | {fast:.0f} | {full:.0f} | {verdict} |")
            print(rows[-1], flush=True)
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make benchmark` on {date.today().isoformat()}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, no GPU. Seconds per chapter, "
        "each in a fresh kernel, kernel start included. Full-run times are those measured by "
        "`make execute` when the stored outputs were made, unless `--rerun-full` was given.",
        "",
        f"Budgets: fast run (`NNH_FAST=1`, what CI runs) at most {FAST_BUDGET} s; full run at most {FULL_BUDGET} s.",
        "",
        "| chapter | fast run (s) | full run (s) | verdict |",
        "|---|---|---|---|",
        *rows,
        "",
    ]
    (nbtools.ROOT / "benchmarks.md").write_text("\n".join(lines))
    print("wrote benchmarks.md")


if __name__ == "__main__":
    main()
