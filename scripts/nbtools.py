"""Shared by the repository's scripts and tests: chapters, code hashes, results records."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import yaml
from nnhistory.results import RECORD_KEY  # where Results.show() stores the record

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "results"
REPRODUCTIONS_PAGE = ROOT / "book" / "reproductions.md"
STORED_METADATA_KEY = "nnhistory"


def toc_files() -> list[str]:
    """Every file named in _toc.yml, in reading order, without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def chapters() -> list[Path]:
    """The chapter notebooks, in the order of the table of contents."""
    return [ROOT / f"{name}.ipynb" for name in toc_files() if name.startswith("notebooks/")]


def code_sources(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def code_hash(notebook) -> str:
    """SHA-256 of the code cells' sources: what the stored outputs were computed from."""
    return hashlib.sha256(json.dumps(code_sources(notebook)).encode()).hexdigest()


def read(path: Path):
    return nbformat.read(path, as_version=4)


def results_record(notebook) -> dict | None:
    """The results record a chapter's ``Results.show()`` stored in its outputs."""
    records = [
        output["metadata"][RECORD_KEY]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if RECORD_KEY in output.get("metadata", {})
    ]
    if len(records) > 1:
        raise ValueError("a chapter must call Results.show() exactly once")
    return records[0] if records else None


def results_path(notebook_path: Path) -> Path:
    return RESULTS / f"{notebook_path.stem}.json"


def render_reproductions() -> str:
    """The Reproductions page, from results/*.json in the order of the table of contents."""
    lines = [
        "# Reproductions",
        "",
        "Every chapter reproduces the central claims of its paper at laptop scale. This page",
        "sets the paper's number beside ours. It is generated from the results records",
        "(`results/*.json`) that `make execute` writes from each chapter's full run, so it",
        "always shows what the stored notebooks actually computed. A claim reads",
        "*reproduced* when the chapter's own assert, stated in the chapter, holds.",
        "",
        "Our runs are far smaller than the papers' (a CPU, minutes, the data sets in the",
        "chapters), so numbers agree in kind and in trend, not to the last digit; each",
        "chapter says what it changed and why.",
        "",
    ]
    for path in chapters():
        record_file = results_path(path)
        if not record_file.exists():
            continue
        record = json.loads(record_file.read_text())
        title = next(
            (c.source.splitlines()[0].lstrip("# ").strip() for c in read(path).cells if c.cell_type == "markdown"),
            path.stem,
        )
        lines += [f"## [{title}](../notebooks/{path.name})", ""]
        lines += ["| claim | the paper | source | ours | reproduced |", "|---|---|---|---|---|"]
        for claim in record["claims"]:
            mark = "yes" if claim["passed"] else "**no**"
            lines.append(f"| {claim['claim']} | {claim['paper']} | {claim['source']} | {claim['ours_shown']} | {mark} |")
        lines.append("")
    return "\n".join(lines)


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def repository_url() -> str:
    return config()["repository"]["url"].rstrip("/")


def setup_cell_source() -> str:
    """The first code cell of every chapter: installs the helper package in Colab, nothing locally."""
    return (
        "# Colab set-up: installs the course's helper package when it is missing. Locally it changes nothing.\n"
        "try:\n"
        "    import nnhistory\n"
        "except ImportError:\n"
        f'    %pip install --quiet "nnhistory @ git+{repository_url()}"\n'
        "    import nnhistory"
    )


def colab_url(notebook_path: Path) -> str:
    github = repository_url().replace("https://github.com/", "")
    branch = config()["repository"].get("branch", "main")
    return f"https://colab.research.google.com/github/{github}/blob/{branch}/notebooks/{notebook_path.name}"
