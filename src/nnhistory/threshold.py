"""The book's one convention at a threshold: a unit exactly at its threshold fires.

``step(z)`` is 1 where z >= 0 and 0 elsewhere (H(0) = 1); ``sign(z)`` is +1 where
z >= 0 and -1 elsewhere (sign(0) = +1), as the notation page states. Both take NumPy
arrays or torch tensors on any device (``torch.heaviside`` has no kernel on Apple's
MPS) and keep the input's dtype. Taught in chapter 1 (the McCulloch–Pitts neuron)
and used in chapters 2 and 3.
"""

from __future__ import annotations

import numpy as np


def step(z):
    """H(z): 1 where z >= 0, else 0, in z's dtype (and on z's device)."""
    fires = z >= 0
    if hasattr(fires, "to"):  # a torch tensor
        return fires.to(z.dtype)
    return np.asarray(fires).astype(np.asarray(z).dtype)


def sign(z):
    """+1 where z >= 0, else -1."""
    return 2 * step(z) - 1
