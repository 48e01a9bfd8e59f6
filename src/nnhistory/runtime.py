"""Run configuration: the fast switch, parameter checks, seeding, device choice."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

FAST_ENV = "NNH_FAST"
"""Set ``NNH_FAST=1`` to run every chapter in its small, fast configuration (CI does)."""

PROGRESS_ENV = "NNH_PROGRESS"
"""Set ``NNH_PROGRESS=0`` to silence progress bars (the execute command does, so stored outputs stay clean)."""

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
    raise ValueError(f"{FAST_ENV}={value!r} is not understood: use {FAST_ENV}=1 for the fast run or leave it unset.")


def require_positive(**sizes: Any) -> None:
    """Stop at once when a size parameter is not a positive number."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not value > 0:
            raise ValueError(f"Parameter {name} must be a positive number, got {value!r}. Fix it in the parameters cell.")


def require_choice(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Stop at once when a parameter is not one of the allowed values."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"Parameter {name}={value!r} is not allowed; choose one of {', '.join(map(repr, allowed))}.")


def choose_device(device: str = "auto"):
    """``"auto"`` picks CUDA, then Apple's MPS, then the CPU; the others are taken as asked, if present."""
    import torch

    require_choice("device", device, DEVICES)
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available(),
    }
    if not available[device]:
        raise ValueError(f"device={device!r} was asked for but this machine has none; use device='auto' or 'cpu'.")
    return torch.device(device)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch, and ask torch for deterministic kernels."""
    import torch

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"Parameter seed must be a non-negative integer, got {seed!r}.")
    seed = int(seed)
    # cuBLAS needs this set before its first call to be deterministic.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


@dataclass(frozen=True)
class Run:
    """What a chapter is running with: its seed, device and whether this is the fast run."""

    seed: int
    device: Any
    fast: bool

    @property
    def mode(self) -> str:
        return "fast" if self.fast else "full"

    def rng(self, offset: int = 0) -> np.random.Generator:
        """A NumPy generator derived from the run's seed (``offset`` gives independent streams)."""
        return np.random.default_rng([self.seed, offset])


def start(*, seed: int = 0, device: str = "auto", fast: bool | None = None) -> Run:
    """Check the common parameters, seed everything, set the plot style and say what runs."""
    from nnhistory.plotting import use_style

    if fast is None:
        fast = fast_requested()
    elif not isinstance(fast, bool):
        raise ValueError(f"Parameter fast must be True, False or None (None reads {FAST_ENV}), got {fast!r}.")
    seed_everything(seed)
    run = Run(seed=int(seed), device=choose_device(device), fast=fast)
    use_style()
    print(f"seed={run.seed}  device={run.device}  run={run.mode}")
    return run


def progress(iterable: Iterable, **kwargs: Any):
    """A tqdm progress bar, silent when ``NNH_PROGRESS=0``."""
    try:  # notebook bars need ipywidgets; without it tqdm.auto only warns, so use text bars
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm

    disable = os.environ.get(PROGRESS_ENV, "1").strip().lower() in _FALSE
    return tqdm(iterable, disable=disable, **kwargs)
