"""A bad parameter stops a chapter at once, with an error that says what is allowed; other seeds pass too."""

import papermill
import pytest

import nbtools

CHAPTERS = pytest.mark.parametrize("path", nbtools.chapters(), ids=lambda p: p.stem)


def run_fast(path, output, monkeypatch, **parameters):
    monkeypatch.setenv("NNH_FAST", "1")
    papermill.execute_notebook(
        str(path), str(output), parameters=parameters, cwd=str(path.parent), kernel_name="python3", progress_bar=False
    )


@CHAPTERS
def test_unknown_device_is_refused_early(path, tmp_path, monkeypatch):
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run_fast(path, tmp_path / path.name, monkeypatch, device="tpu")
    assert "'auto', 'cpu', 'cuda', 'mps'" in str(error.value)
    code_cells = [c for c in nbtools.read(tmp_path / path.name).cells if c.cell_type == "code"]
    failed_at = next(i for i, c in enumerate(code_cells) if any(o.output_type == "error" for o in c.get("outputs", [])))
    parameters_at = next(i for i, c in enumerate(code_cells) if "parameters" in c.metadata.get("tags", []))
    # papermill inserts its injected-parameters cell right after the tagged one
    assert failed_at == parameters_at + 2, "the check must come right after the parameters cell"


@CHAPTERS
def test_asserts_hold_for_another_seed(path, tmp_path, monkeypatch):
    """nbval runs every chapter fast with the stored seed; its asserts must hold for other seeds too."""
    run_fast(path, tmp_path / path.name, monkeypatch, seed=7)
