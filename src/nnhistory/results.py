"""Headline numbers: glued into the prose and kept in a machine-readable record.

A chapter makes one ``Results`` object and records each headline claim in one
pattern, the condition typed once::

    passed = abs(capacity - 0.138) < 0.01
    results.add("capacity", claim=..., ours=capacity, paper="0.138", source=...,
                verdict="reproduced", check="within 0.01 of 0.138", passed=passed)
    assert passed, f"capacity {capacity:.3f} is not within 0.01 of 0.138"

``add`` glues ``ours`` for the prose (``{glue:text}`capacity:.3f```). Every claim
carries a verdict:

- ``"reproduced"``: ours agrees with the paper's figure within the tolerance that
  ``check`` states;
- ``"differs"``: it does not, and ``why`` says why in one sentence (scale, another
  network or data set, or a real disagreement); ``check`` states what we assert
  instead (what we measured, for example an interval over many runs);
- ``"measured"``: there is no paper figure; ``check`` states the prediction of our
  own derivation that the assert tests, and ``paper`` is ``None``.

The experiment ends with ``show()``, which prints the table and stores the record in
the output's metadata, where the execute command (``scripts/execute.py``) finds it
and writes ``results/<chapter>.json`` for the Reproductions page.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

RECORD_KEY = "nnhistory_results"
VERDICTS = ("reproduced", "differs", "measured")


def _plain(value: Any) -> Any:
    """NumPy and torch scalars become Python numbers, so glue can format them."""
    if isinstance(value, np.generic) or (
        hasattr(value, "item") and tuple(getattr(value, "shape", (0,))) == ()
    ):
        value = value.item()  # a NumPy scalar, or a 0-d array or tensor
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot record a non-finite value ({value!r})")
    return value


GLUE_MIME_PREFIX = "application/papermill.record/"  # myst_nb.ext.glue.GLUE_PREFIX


def glue(name: str, value: Any, display: bool = False) -> None:
    """Glue a value for the prose, exactly as ``myst_nb.glue`` does; numbers made plain.

    Written out rather than imported: importing myst_nb costs seconds in every
    chapter, and Colab does not have it. ``tests/test_helpers.py`` checks that
    the outputs are identical to myst_nb's. It returns nothing, so a cell that
    ends with it shows no stray value.
    """
    import IPython
    from IPython.display import display as ipy_display

    value = _plain(value)
    bundle, metadata = IPython.core.formatters.format_display_data(value)
    prefix = "" if display else GLUE_MIME_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


def glue_many(**values: Any) -> None:
    """Glue several values at once: ``glue_many(hidden_size=hidden_size, ...)``."""
    for name, value in values.items():
        glue(name, value)


def verdict_text(claim: dict[str, Any]) -> str:
    """How a claim's verdict reads in a table."""
    if not claim["passed"]:
        return f"**check failed** ({claim['check']})"
    if claim["verdict"] == "differs":
        return f"differs: {claim['why']} (asserted: {claim['check']})"
    return f"{claim['verdict']} ({claim['check']})"


class Results:
    """The claims a chapter reproduces or measures, each with its verdict."""

    def __init__(self, chapter: str):
        self.chapter = chapter
        self.claims: list[dict[str, Any]] = []

    def add(
        self,
        key: str,
        *,
        claim: str,
        ours: Any,
        paper: str | None,
        source: str,
        verdict: str,
        check: str,
        passed: bool,
        why: str | None = None,
        shown: str | None = None,
    ) -> Any:
        """Record one claim and glue ``ours`` under ``key``; returns ``ours``.

        ``paper`` is the paper's number or statement as text (``None`` for a
        ``"measured"`` claim); ``source`` where it stands (for a measured claim, the
        derivation); ``verdict`` one of ``VERDICTS``; ``check`` the assert in words,
        with its tolerance; ``why`` (for ``"differs"`` only) one sentence on why we
        differ; ``passed`` the outcome of that assert; ``shown`` how ``ours`` reads in
        the table (default: 3 significant digits).
        """
        if any(c["key"] == key for c in self.claims):
            raise ValueError(f"claim {key!r} was recorded twice")
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        if (verdict == "measured") != (paper is None):
            raise ValueError(
                f"claim {key!r}: a 'measured' claim has paper=None (no paper figure); "
                "'reproduced' and 'differs' claims give the paper's figure"
            )
        if (verdict == "differs") != bool(why):
            raise ValueError(
                f"claim {key!r}: why= is required for 'differs' and only for it"
            )
        if not check:
            raise ValueError(
                f"claim {key!r}: check= states the assert and its tolerance"
            )
        if not isinstance(passed, (bool, np.bool_)):
            raise ValueError(f"claim {key!r}: passed must be a bool, got {passed!r}")
        ours = _plain(ours)
        glue(key, ours)
        if shown is None:
            shown = f"{ours:.3g}" if isinstance(ours, float) else str(ours)
        self.claims.append(
            dict(
                key=key,
                claim=claim,
                ours=ours,
                ours_shown=shown,
                paper=paper,
                source=source,
                verdict=verdict,
                check=check,
                why=why,
                passed=bool(passed),
            )
        )
        return ours

    def record(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "claims": list(self.claims)}

    def table(self) -> str:
        lines = ["| claim | paper | ours | verdict |", "|---|---|---|---|"]
        for c in self.claims:
            paper = f"{c['paper'] or '—'} ({c['source']})"
            lines.append(
                f"| {c['claim']} | {paper} | {c['ours_shown']} | {verdict_text(c)} |"
            )
        return "\n".join(lines)

    def show(self) -> None:
        """Show the table and store the record for the execute command."""
        from IPython.display import display

        if not self.claims:
            raise ValueError("no claims recorded: add at least one with Results.add")
        table = self.table()
        display(
            {"text/markdown": table, "text/plain": table},
            raw=True,
            metadata={RECORD_KEY: self.record()},
        )
