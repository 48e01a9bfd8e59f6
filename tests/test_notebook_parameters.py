"""A bad parameter stops a chapter at once, with an error that names it and says what
is allowed; and the asserts hold for another seed too."""

import ast
import math

import papermill
import pytest

import nbtools
import nnhistory

CHAPTERS = pytest.mark.parametrize("path", nbtools.chapters(), ids=lambda p: p.stem)


def run_fast(path, output, monkeypatch, **parameters):
    monkeypatch.setenv("NNH_FAST", "1")
    papermill.execute_notebook(
        str(path),
        str(output),
        parameters=parameters,
        cwd=str(path.parent),
        kernel_name="python3",
        progress_bar=False,
    )


def checks_of(path):
    """The imports, parameters and derived-settings cells' sources.

    The set-up cell (which holds a %pip magic) is left out: nnhistory is imported.
    """
    cells = [c for c in nbtools.read(path).cells if c.cell_type == "code"]
    at = next(
        i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])
    )
    return [c.source for c in cells[1:at]], cells[at].source, cells[at + 1].source


def bad_values(default):
    """Values no parameter of this kind may take."""
    if isinstance(default, bool) or default is None:
        return []
    if isinstance(default, int):
        return [2.5, float(default), -1]  # counts are integers, and none is negative
    if isinstance(default, float):
        return [math.nan, -1.0]
    if isinstance(default, str):
        return ["not-an-allowed-value"]
    if isinstance(default, (list, tuple)):
        return [type(default)(), "not-a-list"]
    return []


def parameter_cases():
    for path in nbtools.chapters():
        _, parameters, _ = checks_of(path)
        for node in ast.parse(parameters).body:
            if not isinstance(node, ast.Assign) or node.targets[0].id == "fast":
                continue
            name, default = node.targets[0].id, ast.literal_eval(node.value)
            for value in bad_values(default):
                if value != default or type(value) is not type(default):
                    yield pytest.param(
                        path, name, value, id=f"{path.stem}-{name}={value!r}"
                    )


@pytest.mark.parametrize("path, name, value", parameter_cases())
def test_a_bad_parameter_stops_the_chapter_at_once(path, name, value):
    """Run the derived-settings cell, which comes right after the parameters cell,
    with one bad value (as papermill would inject it) in the full configuration."""
    imports, parameters, derived = checks_of(path)
    namespace = {"nnhistory": nnhistory}
    for source in imports + [parameters]:
        exec(source, namespace)
    namespace.update(fast=False, **{name: value})
    with pytest.raises(ValueError, match=name):
        exec(derived, namespace)


@CHAPTERS
def test_asserts_hold_for_another_seed(path, tmp_path, monkeypatch):
    """nbval runs every chapter fast with the stored seed; the asserts must hold for
    other seeds too."""
    run_fast(path, tmp_path / path.name, monkeypatch, seed=7)
