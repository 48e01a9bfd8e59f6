"""Linear separability: a linear program that finds a separating vector, and Cover's
count of the dichotomies a hyperplane can make.

Taught in chapter 1 (the McCulloch–Pitts neuron: which Boolean functions one
threshold unit computes) and used again in chapter 3 (the perceptron's capacity).
"""

from __future__ import annotations

import math

import numpy as np


def separating_vector(features, signs):
    """A vector c with signs * (features @ c) >= 1 on every row, or None if none exists.

    ``features`` is (N, D) (append a constant column for a threshold or bias);
    ``signs`` is (N,) with entries +1 or -1. Any strictly separating c can be rescaled
    to meet the margin 1, so "None" means no hyperplane through the origin of the
    feature space separates the two sets. Solved as a feasibility linear program
    with SciPy's HiGHS; a "yes" is verified before it is returned.
    """
    from scipy.optimize import linprog

    features = np.asarray(features, dtype=float)
    signs = np.asarray(signs, dtype=float)
    if features.ndim != 2 or signs.shape != (len(features),):
        raise ValueError(
            f"features (N, D) and signs (N,), got {features.shape}, {signs.shape}"
        )
    if not np.isin(signs, (-1.0, 1.0)).all():
        raise ValueError("signs must be +1 or -1")
    rows = signs[:, None] * features  # (N, D): row i of the system rows @ c >= 1
    for method in ("highs", "highs-ipm"):
        solution = linprog(
            np.zeros(features.shape[1]),
            A_ub=-rows,
            b_ub=-np.ones(len(rows)),
            bounds=(None, None),
            method=method,
        )
        # HiGHS's default solver now and then gives up near capacity (status 4,
        # "model status Unknown"); its interior-point method then answers.
        if solution.status != 4:
            break
    if solution.status == 2:  # infeasible
        return None
    if solution.status != 0:
        raise RuntimeError(f"the linear program did not finish: {solution.message}")
    vector = solution.x
    if not (rows @ vector >= 1 - 1e-7).all():  # never trust a solver's "yes" unchecked
        raise RuntimeError(
            "the linear program returned a vector that does not separate"
        )
    return vector


def cover_count(num_points: int, dimension: int) -> int:
    """C(N, d) = 2 sum_{k<d} binom(N-1, k): the dichotomies of N points in general
    position in R^d that a hyperplane through the origin makes (Cover 1965)."""
    return 2 * sum(math.comb(num_points - 1, k) for k in range(dimension))
