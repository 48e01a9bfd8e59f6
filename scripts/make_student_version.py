"""Write the student version of every chapter: the notebooks without their solutions.

    python scripts/make_student_version.py [--out student]

Cells tagged `solution` are dropped and outputs cleared, so students run the
chapter themselves. The exercises stay.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402


def student_version(notebook):
    notebook = nbformat.from_dict(notebook)
    notebook.cells = [
        c for c in notebook.cells if "solution" not in c.metadata.get("tags", [])
    ]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook.metadata.pop(nbtools.STORED_METADATA_KEY, None)
    return notebook


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=nbtools.ROOT / "student")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in nbtools.chapters():
        nbformat.write(student_version(nbtools.read(path)), args.out / path.name)
        print(f"wrote {args.out / path.name}")


if __name__ == "__main__":
    main()
