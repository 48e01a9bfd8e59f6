"""The helper package's run configuration and results record.

Bad values stop at once with a message that says what is allowed.
"""

import os
import subprocess
import sys

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


@pytest.mark.parametrize(
    "bad", [0, -3, -1.5, "10", None, True, float("nan"), float("inf")]
)
def test_require_positive(bad):
    with pytest.raises(
        ValueError, match="learning_rate must be a finite number greater"
    ):
        nnhistory.require_positive(learning_rate=bad)


@pytest.mark.parametrize("bad", [12.0, 2.5, 0, -1, True, "3", None, np.float64(4)])
def test_counts_must_be_positive_integers(bad):
    with pytest.raises(
        ValueError, match="num_epochs must be an integer from 1 up, got"
    ):
        nnhistory.require_counts(num_epochs=bad)


def test_integer_ranges_are_stated():
    nnhistory.require_counts(num_epochs=3, batch_size=np.int64(64))
    nnhistory.require_integer("depth", 2, minimum=2, maximum=4)
    with pytest.raises(ValueError, match="depth must be an integer from 2 to 4, got 5"):
        nnhistory.require_integer("depth", 5, minimum=2, maximum=4)
    with pytest.raises(ValueError, match="at least 2 integers, each at least 10"):
        nnhistory.require_integers("network_sizes", (500,), minimum=10, min_length=2)
    nnhistory.require_integers("network_sizes", [100, 200], minimum=10, min_length=2)
    with pytest.raises(ValueError, match="at least 0 and less than 1, got 1.0"):
        nnhistory.require_number("dropout", 1.0, at_least=0, below=1)


STREAM_SEED_SCRIPT = """
import torch, nnhistory
print(nnhistory.Run(seed=3, device=torch.device("cpu"), fast=True).seed_for("batches"))
"""


def test_named_streams_are_stable_independent_and_seeded():
    run, other = (
        nnhistory.Run(seed=s, device=torch.device("cpu"), fast=True) for s in (3, 4)
    )
    draw = run.rng("batches").integers(1 << 30, size=4)
    assert np.array_equal(draw, run.rng("batches").integers(1 << 30, size=4))
    assert not np.array_equal(draw, run.rng("init").integers(1 << 30, size=4))
    assert not np.array_equal(draw, other.rng("batches").integers(1 << 30, size=4))
    assert run.rng("capacity", 1, 2).random() != run.rng("capacity", 2, 1).random()
    # the name is hashed with SHA-256, not Python's hash(), which changes per process
    other_process = subprocess.run(
        [sys.executable, "-c", STREAM_SEED_SCRIPT],
        env={**os.environ, "PYTHONHASHSEED": "123"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(other_process.stdout) == run.seed_for("batches")
    first = torch.randint(1000, (5,), generator=run.generator("order"))
    assert torch.equal(
        first, torch.randint(1000, (5,), generator=run.generator("order"))
    )
    run.manual_seed("init")
    weights = torch.nn.Linear(3, 2).weight.detach().clone()
    run.manual_seed("init")
    assert torch.equal(weights, torch.nn.Linear(3, 2).weight)
    with pytest.raises(ValueError, match="named by a string"):
        run.rng(1.5)


def test_cpu_threads_apply_to_the_block_only():
    before = torch.get_num_threads()
    with nnhistory.cpu_threads(1, torch.device("cpu")):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with nnhistory.cpu_threads(1, torch.device("cuda")):  # a GPU run keeps its threads
        assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), nnhistory.cpu_threads(1, "cpu"):
        raise RuntimeError("the count is restored even when the block fails")
    assert torch.get_num_threads() == before


def test_fast_override_says_what_it_replaces(capsys):
    run = nnhistory.Run(seed=0, device=torch.device("cpu"), fast=True)
    globals()["num_epochs"] = 40
    num_epochs, batch_size = run.override(num_epochs=5, batch_size=64)
    assert (num_epochs, batch_size) == (5, 64)
    assert (
        "fast run: num_epochs=5 (not 40), batch_size=64 (not 'unset')"
        in capsys.readouterr().out
    )
    assert run.override(num_epochs=40) == 40
    with pytest.raises(RuntimeError, match="under `if run.fast:`"):
        nnhistory.Run(seed=0, device=torch.device("cpu"), fast=False).override(
            num_epochs=5
        )


def test_float64_device_avoids_mps(capsys):
    cpu = nnhistory.Run(seed=0, device=torch.device("cpu"), fast=True)
    assert cpu.float64_device == torch.device("cpu") and capsys.readouterr().out == ""
    mps = nnhistory.Run(seed=0, device=torch.device("mps"), fast=True)
    assert mps.float64_device == torch.device("cpu")
    assert "MPS has no float64" in capsys.readouterr().out


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
    assert (
        type(_plain(np.float64(0.5))) is float and type(_plain(torch.tensor(3))) is int
    )
    with pytest.raises(ValueError, match="non-finite"):
        _plain(float("nan"))


def test_results_verdicts(monkeypatch):
    import nnhistory.results

    monkeypatch.setattr(nnhistory.results, "glue", lambda name, value: None)
    results = nnhistory.Results("00_test")
    common = dict(claim="c", source="s", check="within 0.01")
    results.add(
        "a", ours=0.138, paper="0.138", verdict="reproduced", passed=True, **common
    )
    results.add(
        "b",
        ours=3,
        paper="1%",
        verdict="differs",
        why="smaller net",
        passed=True,
        **common,
    )
    results.add("c", ours=0.5, paper=None, verdict="measured", passed=False, **common)
    table = results.table()
    assert "| c | 0.138 (s) | 0.138 | reproduced (within 0.01) |" in table
    assert "differs: smaller net (asserted: within 0.01)" in table
    assert "| c | — (s) | 0.5 | **check failed** (within 0.01) |" in table
    with pytest.raises(ValueError, match="verdict must be one of"):
        results.add("d", ours=1, paper="1", verdict="yes", passed=True, **common)
    with pytest.raises(ValueError, match="why= is required"):
        results.add("d", ours=1, paper="1", verdict="differs", passed=True, **common)
    with pytest.raises(ValueError, match="'measured' claim has paper=None"):
        results.add("d", ours=1, paper="1", verdict="measured", passed=True, **common)
    with pytest.raises(ValueError, match="recorded twice"):
        results.add("a", ours=1, paper="1", verdict="reproduced", passed=True, **common)
    with pytest.raises(ValueError, match="passed must be a bool"):
        results.add("e", ours=1, paper="1", verdict="reproduced", passed=None, **common)


def test_glue_writes_what_myst_nb_writes(monkeypatch):
    import IPython.display
    import myst_nb.ext.glue as myst_glue

    import nnhistory.results

    captured = []
    monkeypatch.setattr(
        IPython.display,
        "display",
        lambda *args, **kwargs: captured.append((args, kwargs)),
    )
    monkeypatch.setattr(
        myst_glue,
        "ipy_display",
        lambda *args, **kwargs: captured.append((args, kwargs)),
    )
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
