"""Checking gradients: central finite differences and one relative-error measure.

Taught in chapter 4 (backpropagation), which writes both out by hand and checks its
backward pass with them; later chapters check their hand gradients the same way.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch


def numerical_gradient(
    loss: Callable[[], float], arrays: Sequence, step: float = 1e-5
) -> list:
    """Central differences (loss(w + h) - loss(w - h)) / 2h, entry by entry.

    ``arrays`` are NumPy arrays or torch tensors that ``loss()`` reads; each entry is
    perturbed in place and restored. The error is of order h² times the third
    derivative, so use float64 and h around 1e-5.
    """
    gradients = []
    with torch.no_grad():
        for array in arrays:
            gradient = np.zeros(tuple(array.shape))
            for index in np.ndindex(*gradient.shape):
                original = float(array[index])
                array[index] = original + step
                loss_plus = float(loss())
                array[index] = original - step
                loss_minus = float(loss())
                array[index] = original
                gradient[index] = (loss_plus - loss_minus) / (2 * step)
            gradients.append(gradient)
    return gradients


def relative_error(a, b) -> float:
    """||a - b|| / max(||a||, ||b||), for arrays or tensors; 0 when both are zero."""
    a, b = (
        np.asarray(torch.as_tensor(x).detach().cpu(), dtype=np.float64) for x in (a, b)
    )
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def parameter_gap(model_a: torch.nn.Module, model_b: torch.nn.Module) -> float:
    """The largest absolute difference between two models' corresponding parameters.

    Used to check that a from-scratch training run and its ``torch.nn`` twin took the
    same steps.
    """
    pairs = list(zip(model_a.parameters(), model_b.parameters(), strict=True))
    return max((a.detach() - b.detach()).abs().max().item() for a, b in pairs)
