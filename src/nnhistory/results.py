"""Headline numbers: glued into the prose and kept in a machine-readable record.

A chapter makes one ``Results`` object, adds each claim it reproduces with
``add`` (which also glues the value, so the prose can cite it as
``{glue:text}`key:.3f```), asserts the claim itself, and ends its experiment
with ``show()``. ``show`` prints a table for the reader and stores the record in
the output's metadata, where the execute command (``scripts/execute.py``)
finds it and writes ``results/<chapter>.json`` for the Reproductions page.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

RECORD_KEY = "nnhistory_results"


def _plain(value: Any) -> Any:
    """NumPy and torch scalars become Python numbers, so glue formats them (``{glue:text}`x:.2f```)."""
    if isinstance(value, np.generic) or (hasattr(value, "item") and tuple(getattr(value, "shape", (0,))) == ()):
        value = value.item()  # a NumPy scalar, or a 0-d array or tensor
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot record a non-finite value ({value!r})")
    return value


GLUE_MIME_PREFIX = "application/papermill.record/"  # myst_nb.ext.glue.GLUE_PREFIX


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Glue a value for the prose, exactly as ``myst_nb.glue`` does; numbers are made plain first.

    Written out rather than imported: importing myst_nb costs seconds in every
    chapter, and Colab does not have it. ``tests/test_helpers.py`` checks that
    the outputs are identical to myst_nb's.
    """
    import IPython
    from IPython.display import display as ipy_display

    value = _plain(value)
    bundle, metadata = IPython.core.formatters.format_display_data(value)
    prefix = "" if display else GLUE_MIME_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
    return value


class Results:
    """The claims a chapter reproduces, each with our number beside the paper's."""

    def __init__(self, chapter: str):
        self.chapter = chapter
        self.claims: list[dict[str, Any]] = []

    def add(self, key: str, *, claim: str, ours: Any, paper: str, source: str, passed: bool, shown: str | None = None):
        """Record one claim and glue ``ours`` under ``key``.

        ``paper`` is the paper's number or statement as text; ``source`` where in
        the paper it stands; ``passed`` the outcome of the check the chapter
        asserts; ``shown`` how ``ours`` reads in the table (default: 3 significant digits).
        """
        if any(c["key"] == key for c in self.claims):
            raise ValueError(f"claim {key!r} was recorded twice")
        ours = glue(key, ours)
        if shown is None:
            shown = f"{ours:.3g}" if isinstance(ours, float) else str(ours)
        self.claims.append(
            dict(key=key, claim=claim, ours=ours, ours_shown=shown, paper=paper, source=source, passed=bool(passed))
        )
        return ours

    def record(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "claims": list(self.claims)}

    def table(self) -> str:
        lines = ["| claim | paper | ours | reproduced |", "|---|---|---|---|"]
        for c in self.claims:
            mark = "yes" if c["passed"] else "**no**"
            lines.append(f"| {c['claim']} | {c['paper']} ({c['source']}) | {c['ours_shown']} | {mark} |")
        return "\n".join(lines)

    def show(self) -> None:
        """Show the table and store the record for the execute command."""
        from IPython.display import display

        if not self.claims:
            raise ValueError("no claims recorded: add at least one with Results.add")
        display({"text/markdown": self.table(), "text/plain": self.table()}, raw=True, metadata={RECORD_KEY: self.record()})
