"""The helper package's run configuration: bad values stop at once with a message that says what is allowed."""

import numpy as np
import pytest
import torch

import nnhistory
from nnhistory.results import _plain


def test_fast_switch(monkeypatch):
    monkeypatch.setenv(nnhistory.FAST_ENV, "1")
    assert nnhistory.fast_requested()
    monkeypatch.setenv(nnhistory.FAST_ENV, "0")
    assert not nnhistory.fast_requested()
    monkeypatch.setenv(nnhistory.FAST_ENV, "maybe")
    with pytest.raises(ValueError, match="NNH_FAST=1"):
        nnhistory.fast_requested()


@pytest.mark.parametrize("bad", [0, -3, 1.5 * -1, "10", None, True])
def test_require_positive(bad):
    with pytest.raises(ValueError, match="num_trials must be a positive number"):
        nnhistory.require_positive(num_trials=bad)


def test_require_choice_lists_what_is_allowed():
    with pytest.raises(ValueError, match="'relu', 'tanh'"):
        nnhistory.require_choice("activation", "swish", ["relu", "tanh"])


def test_start_checks_its_parameters():
    with pytest.raises(ValueError, match="'auto', 'cpu', 'cuda', 'mps'"):
        nnhistory.start(seed=0, device="tpu")
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        nnhistory.start(seed=-1)
    with pytest.raises(ValueError, match="fast must be True, False or None"):
        nnhistory.start(seed=0, fast="yes")
    run = nnhistory.start(seed=3, device="cpu", fast=True)
    assert run.fast and run.device == torch.device("cpu") and run.mode == "fast"


def test_seeding_is_reproducible():
    nnhistory.seed_everything(7)
    first = (np.random.rand(), torch.rand(1).item())
    nnhistory.seed_everything(7)
    assert (np.random.rand(), torch.rand(1).item()) == first


def test_results_record_plain_numbers():
    assert type(_plain(np.float64(0.5))) is float and type(_plain(torch.tensor(3))) is int
    with pytest.raises(ValueError, match="non-finite"):
        _plain(float("nan"))
    results = nnhistory.Results("00_test")
    results.claims.append(dict(key="k", claim="c", ours=1, ours_shown="1", paper="1", source="s", passed=True))
    assert results.record()["chapter"] == "00_test" and "| c | 1 (s) | 1 | yes |" in results.table()


def test_glue_writes_what_myst_nb_writes(monkeypatch):
    import IPython.display
    import myst_nb.ext.glue as myst_glue

    import nnhistory.results

    captured = []
    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: captured.append((args, kwargs)))
    monkeypatch.setattr(myst_glue, "ipy_display", lambda *args, **kwargs: captured.append((args, kwargs)))
    for display in (False, True):
        captured.clear()
        nnhistory.results.glue("accuracy", np.float64(0.25), display=display)
        myst_glue.glue("accuracy", 0.25, display=display)
        ours, theirs = captured
        assert ours == theirs
    assert nnhistory.results.GLUE_MIME_PREFIX == myst_glue.GLUE_PREFIX


def test_progress_is_silent_when_asked(monkeypatch, capsys):
    monkeypatch.setenv("NNH_PROGRESS", "0")
    assert list(nnhistory.progress(range(3), desc="quiet")) == [0, 1, 2]
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
