"""Run configuration: the fast switch, parameter checks, seeds, devices and threads."""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import random
import sys
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import numpy as np

FAST_ENV = "NNH_FAST"
"""Set ``NNH_FAST=1`` to run every chapter in its small, fast configuration (CI)."""

PROGRESS_ENV = "NNH_PROGRESS"
"""Set ``NNH_PROGRESS=0`` to silence progress bars (the execute command does)."""

DEVICES = ("auto", "cpu", "cuda", "mps")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def fast_requested() -> bool:
    """Whether the environment asks for the fast run (``NNH_FAST``)."""
    value = os.environ.get(FAST_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{FAST_ENV}={value!r} is not understood: use {FAST_ENV}=1 for the fast run "
        "or leave it unset."
    )


# ---------------------------------------------------------------- parameter checks
# A bad parameter stops the notebook in the cell after the parameters cell, with a
# message that names the parameter and says what is allowed.


def _is_integer(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, bool
    )


def require_integer(
    name: str, value: Any, *, minimum: int = 1, maximum: int | None = None
) -> None:
    """Stop at once unless ``value`` is an integer in [minimum, maximum].

    Counts (epochs, starts, sizes, steps) must be integers: ``12.0`` is refused
    too, because ``range(12.0)`` would fail much later with a TypeError.
    """
    allowed = f"an integer from {minimum}" + (
        f" to {maximum}" if maximum is not None else " up"
    )
    if (
        not _is_integer(value)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        raise ValueError(
            f"Parameter {name} must be {allowed}, got {value!r}. "
            "Fix it in the parameters cell."
        )


def require_counts(**counts: Any) -> None:
    """Stop at once unless every count is a positive integer."""
    for name, value in counts.items():
        require_integer(name, value)


def require_number(
    name: str,
    value: Any,
    *,
    above: float | None = None,
    at_least: float | None = None,
    below: float | None = None,
    at_most: float | None = None,
) -> None:
    """Stop at once unless ``value`` is a finite number within the given bounds."""
    bounds = [
        ("greater than", above, lambda v, b: v > b),
        ("at least", at_least, lambda v, b: v >= b),
        ("less than", below, lambda v, b: v < b),
        ("at most", at_most, lambda v, b: v <= b),
    ]
    wanted = [
        (words, bound, test) for words, bound, test in bounds if bound is not None
    ]
    ok = _is_number(value) and math.isfinite(value)
    ok = ok and all(test(value, bound) for _, bound, test in wanted)
    if not ok:
        allowed = " and ".join(f"{words} {bound:g}" for words, bound, _ in wanted)
        raise ValueError(
            f"Parameter {name} must be a finite number"
            f"{' ' + allowed if allowed else ''}, got {value!r}. "
            "Fix it in the parameters cell."
        )


def require_positive(**values: Any) -> None:
    """Stop at once unless every value is a finite number above 0 (a rate, a scale)."""
    for name, value in values.items():
        require_number(name, value, above=0)


def require_choice(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Stop at once when a parameter is not one of the allowed values."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(
            f"Parameter {name}={value!r} is not allowed; "
            f"choose one of {', '.join(map(repr, allowed))}."
        )


def require_integers(
    name: str, values: Any, *, minimum: int = 1, min_length: int = 1
) -> None:
    """Stop at once unless ``values`` is a list or tuple of at least ``min_length``
    integers, each at least ``minimum``."""
    ok = isinstance(values, (list, tuple)) and len(values) >= min_length
    ok = ok and all(_is_integer(v) and v >= minimum for v in values)
    if not ok:
        raise ValueError(
            f"Parameter {name} must be a list of at least {min_length} integers, "
            f"each at least {minimum}, got {values!r}. Fix it in the parameters cell."
        )


# ---------------------------------------------------------------- devices and threads


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return backend is not None and backend.is_available()


def choose_device(device: str = "auto"):
    """``"auto"`` picks CUDA, then Apple's MPS, then the CPU; the others are taken as
    asked, if present."""
    import torch

    require_choice("device", device, DEVICES)
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps" if _mps_available() else "cpu")
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": _mps_available(),
    }
    if not available[device]:
        raise ValueError(
            f"device={device!r} was asked for but this machine has none; "
            "use device='auto' or 'cpu'."
        )
    return torch.device(device)


@contextlib.contextmanager
def cpu_threads(count: int, device) -> Iterator[None]:
    """Run a block with ``count`` torch threads if ``device`` is the CPU, then restore.

    For many tiny tensors one thread is faster than several (starting threads costs
    more than it saves). Only the block is affected, never the rest of the process,
    and nothing changes on a GPU.
    """
    import torch

    require_integer("count", count)
    if getattr(device, "type", device) != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch, and ask torch for deterministic kernels."""
    import torch

    if not _is_integer(seed) or seed < 0:
        raise ValueError(
            f"Parameter seed must be a non-negative integer, got {seed!r}."
        )
    seed = int(seed)
    # cuBLAS needs this set before its first call to be deterministic.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


# ---------------------------------------------------------------- the run


def _stream_key(stream: str | int, indices: tuple[int, ...]) -> list[int]:
    """Entropy for a named random stream: a stable hash of the name, then the indices.

    Python's ``hash`` of a string changes from process to process, so SHA-256 is used.
    """
    if isinstance(stream, str):
        head = int.from_bytes(hashlib.sha256(stream.encode()).digest()[:8], "little")
    elif _is_integer(stream) and stream >= 0:
        head = int(stream)
    else:
        raise ValueError(f"a random stream is named by a string, got {stream!r}")
    for index in indices:
        if not _is_integer(index) or index < 0:
            raise ValueError(
                f"stream indices must be non-negative integers, got {index!r}"
            )
    return [head, *map(int, indices)]


@dataclass(frozen=True)
class Run:
    """What a chapter runs with: its seed, device and whether this is the fast run."""

    seed: int
    device: Any
    fast: bool

    @property
    def mode(self) -> str:
        return "fast" if self.fast else "full"

    def seed_for(self, stream: str | int, *indices: int) -> int:
        """A 63-bit seed for the named stream (``"init"``, ``"batches"``, ...).

        Streams with different names or indices are independent, and each depends
        on the run's seed; ``indices`` number repeats (``run.rng("capacity", n, k)``).
        """
        entropy = [self.seed, *_stream_key(stream, indices)]
        state = np.random.SeedSequence(entropy).generate_state(2, np.uint32)
        return (int(state[0]) << 31) ^ int(state[1])

    def rng(self, stream: str | int, *indices: int) -> np.random.Generator:
        """A NumPy generator for the named stream."""
        return np.random.default_rng(self.seed_for(stream, *indices))

    def generator(self, stream: str | int, *indices: int):
        """A torch generator on the CPU for the named stream: draw there, then move."""
        import torch

        return torch.Generator().manual_seed(self.seed_for(stream, *indices))

    def manual_seed(self, stream: str | int, *indices: int) -> None:
        """Seed torch's global generator from the named stream.

        ``nn.Linear`` and friends draw their initial weights from it; seeding it
        with the same stream before building two models gives them equal weights.
        """
        import torch

        torch.manual_seed(self.seed_for(stream, *indices))

    @property
    def float64_device(self):
        """The run's device if it has float64, else the CPU (Apple's MPS has none).

        Use it for exact checks in double precision; it says so when it falls back.
        """
        import torch

        if self.device.type != "mps":
            return self.device
        print("note: MPS has no float64; this float64 check runs on the CPU")
        return torch.device("cpu")

    def override(self, **fast_values: Any) -> Any:
        """The fast run's values for the named parameters, printed with what they
        replace.

        Call it as ``if run.fast: num_epochs, train_size = run.override(num_epochs=5,
        train_size=1000)``; it returns the values in the order given (one value alone
        for a single name), so a papermill user sees what really ran.
        """
        if not self.fast:
            raise RuntimeError(
                "run.override is for the fast run: call it under `if run.fast:`"
            )
        caller = sys._getframe(1).f_globals  # the notebook's namespace
        described = []
        for name, value in fast_values.items():
            before = caller.get(name, "unset")
            described.append(
                f"{name}={value!r}" + ("" if before == value else f" (not {before!r})")
            )
        print("fast run: " + ", ".join(described))
        values = tuple(fast_values.values())
        return values[0] if len(values) == 1 else values


def start(*, seed: int = 0, device: str = "auto", fast: bool | None = None) -> Run:
    """Check the common parameters, seed everything, set the plot style."""
    from nnhistory.plotting import use_style

    if fast is None:
        fast = fast_requested()
    elif not isinstance(fast, bool):
        raise ValueError(
            f"Parameter fast must be True, False or None (None reads {FAST_ENV}), "
            f"got {fast!r}."
        )
    seed_everything(seed)
    run = Run(seed=int(seed), device=choose_device(device), fast=fast)
    use_style()
    print(f"seed={run.seed}  device={run.device}  run={run.mode}")
    return run


def progress(iterable: Iterable, **kwargs: Any):
    """A tqdm progress bar, silent when ``NNH_PROGRESS=0``."""
    # Notebook bars need ipywidgets; without it tqdm.auto only warns, so use text bars.
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm

    disable = os.environ.get(PROGRESS_ENV, "1").strip().lower() in _FALSE
    return tqdm(iterable, disable=disable, **kwargs)
