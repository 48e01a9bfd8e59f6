"""Shared by the repository's scripts and tests: chapters, hashes, results records."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import yaml

from nnhistory.results import (  # where Results.show() stores the record, and verdicts
    RECORD_KEY,
    VERDICTS,
    verdict_text,
)

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
    """Every chapter notebook (parts included), in table-of-contents order."""
    return [
        ROOT / f"{name}.ipynb" for name in toc_files() if name.startswith("notebooks/")
    ]


def check_chapters(parser, paths: list[Path]) -> None:
    """Stop a script's command line at a notebook that is not a chapter in _toc.yml."""
    known = set(chapters())
    for path in paths:
        if path not in known:
            parser.error(f"{path} is not a chapter in _toc.yml")


PART_NAME = re.compile(r"(\d\d)([b-z]?)_[a-z0-9_]+\.ipynb")
"""A chapter's first notebook is ``NN_name.ipynb``; when a chapter is split to stay
within its time budget, its further parts are ``NNb_name.ipynb``, ``NNc_...``,
listed as ``sections:`` of the first in _toc.yml."""


def chapter_parts() -> list[list[Path]]:
    """The chapters, each as the list of its notebooks (one, or several parts)."""
    grouped: list[list[Path]] = []
    for path in chapters():
        match = PART_NAME.fullmatch(path.name)
        if (
            match
            and match.group(2)
            and grouped
            and grouped[-1][0].name[:2] == match.group(1)
        ):
            grouped[-1].append(path)
        else:
            grouped.append([path])
    return grouped


def code_sources(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def code_hash(notebook) -> str:
    """SHA-256 of the code cells' sources: what the stored outputs came from.

    The first code cell, the Colab set-up cell, is left out: it only names the
    release to install (tests check it equals ``setup_cell_source()``), so a new
    release does not make every chapter's outputs stale.
    """
    sources = code_sources(notebook)[1:]
    return hashlib.sha256(json.dumps(sources).encode()).hexdigest()


PACKAGE = ROOT / "src" / "nnhistory"


def package_hash() -> str:
    """SHA-256 of the helper package's sources, which every chapter's outputs depend on.

    A change to ``nnhistory`` (the training loop, a loader) can change any chapter's
    numbers, so stored outputs record this hash too and go stale with it.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


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


def chapter_title(path: Path) -> str:
    """A notebook's title: its first markdown line, without the '# '."""
    first = next(c for c in read(path).cells if c.cell_type == "markdown")
    return first.source.splitlines()[0].lstrip("# ").strip()


VERDICT_INTRODUCTION = """\
Every chapter reproduces the central claims of its paper at laptop scale and
measures what its own derivations predict. This page sets the paper's number
beside ours. It is generated from the results records (`results/*.json`) that
`make execute` writes from each chapter's full run, so it always shows what the
stored notebooks computed. Each row has one of three verdicts:

- **reproduced**: our number agrees with the paper's figure within the tolerance
  the row states, and the chapter asserts exactly that;
- **differs**: it does not agree, and the row says why in one sentence (a smaller
  scale, another network or data set, or a real disagreement with the paper); the
  chapter asserts what we did measure instead, which the row states;
- **measured**: the paper gives no figure to compare with; we check a prediction of
  the chapter's own derivation, within the stated tolerance.

Our runs are far smaller than the papers' (a CPU, minutes, the data sets in the
chapters). A plainly stated "differs" is worth more to a reader than a
"reproduced" bought with a loose threshold.
"""


def verdict_counts(claims: list[dict]) -> str:
    """ "3 reproduced, 1 differs"; a record stored before verdicts existed says so
    (tests/test_stored_outputs.py requires a verdict on every claim)."""
    counts = {v: sum(c.get("verdict") == v for c in claims) for v in VERDICTS}
    counts["without a verdict: re-execute"] = sum("verdict" not in c for c in claims)
    return ", ".join(f"{n} {v}" for v, n in counts.items() if n)


def render_reproductions() -> str:
    """The Reproductions page, from results/*.json in table-of-contents order."""
    records = [
        (path, json.loads(results_path(path).read_text()))
        for path in chapters()
        if results_path(path).exists()
    ]
    lines = ["# Reproductions", "", VERDICT_INTRODUCTION]
    lines += ["| chapter | verdicts |", "|---|---|"]
    for path, record in records:
        link = f"[{chapter_title(path)}](../notebooks/{path.name})"
        lines.append(f"| {link} | {verdict_counts(record['claims'])} |")
    lines.append("")
    for path, record in records:
        lines += [f"## [{chapter_title(path)}](../notebooks/{path.name})", ""]
        lines += [f"{verdict_counts(record['claims'])}.", ""]
        lines += [
            "| claim | the paper | source | ours | verdict |",
            "|---|---|---|---|---|",
        ]
        for claim in record["claims"]:
            paper = claim["paper"] or "—"
            cells = [claim["claim"], paper, claim["source"], claim["ours_shown"]]
            verdict = verdict_text(claim) if "verdict" in claim else "re-execute"
            lines.append("| " + " | ".join(cells + [verdict]) + " |")
        lines.append("")
    return "\n".join(lines)


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def repository_url() -> str:
    return config()["repository"]["url"].rstrip("/")


def setup_cell_source() -> str:
    """The first code cell of every chapter: installs the helper package in Colab.

    It installs the release named in _config.yml (``repository.branch``), so a
    chapter opened in Colab runs with the helper package it was written for.
    Locally the import succeeds and nothing is installed.
    """
    release = config()["repository"]["branch"]
    return (
        "# Colab set-up: installs the course's helper package when it is missing.\n"
        "# Locally it changes nothing.\n"
        "try:\n"
        "    import nnhistory\n"
        "except ImportError:\n"
        f'    %pip install --quiet "nnhistory @ git+{repository_url()}@{release}"\n'
        "    import nnhistory"
    )


def colab_url(notebook_path: Path) -> str:
    """The chapter's Open-in-Colab link, at the release named in _config.yml."""
    github = repository_url().removeprefix("https://github.com/")
    release = config()["repository"]["branch"]
    return (
        "https://colab.research.google.com/github/"
        f"{github}/blob/{release}/notebooks/{notebook_path.name}"
    )
