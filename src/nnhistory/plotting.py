"""One plotting style for the whole book, an image grid and a learning-curve plot."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np

PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
]
"""Okabe and Ito's colour-blind-safe palette."""


def use_style() -> None:
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "figure.autolayout": True,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titlesize": "medium",
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )


def _as_images(images) -> np.ndarray:
    """(N, H, W) NumPy images from arrays or tensors shaped (N, H, W), (N, 1, H, W)
    or (N, H*W) with a square H*W."""
    if hasattr(images, "detach"):
        images = images.detach().cpu().numpy()
    images = np.asarray(images, dtype=float)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]  # (N, 1, H, W) -> (N, H, W)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(f"cannot show flat images of {images.shape[1]} pixels")
        images = images.reshape(len(images), side, side)  # (N, H*W) -> (N, H, W)
    if images.ndim != 3:
        raise ValueError(f"expected (N, H, W) images, got shape {images.shape}")
    return images


def show_images(images, titles=None, *, signed=False, columns=10, size=1.1, title=None):
    """A grid of images; returns the figure.

    ``signed=True`` is for weights: a red-blue map centred on zero, each image scaled
    to its own largest magnitude. Otherwise grey levels, dark for large values, on
    one common scale. Taught in chapter 2 (digits as Hopfield patterns) and chapter 3
    (a perceptron's weights as images).
    """
    import matplotlib.pyplot as plt

    images = _as_images(images)
    columns = min(columns, len(images))
    rows = math.ceil(len(images) / columns)
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(size * columns, size * rows + (0.3 if title else 0)),
        squeeze=False,
    )
    low, high = images.min(), images.max()
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index >= len(images):
            continue
        if signed:
            limit = np.abs(images[index]).max() or 1.0
            ax.imshow(images[index], cmap="RdBu_r", vmin=-limit, vmax=limit)
        else:
            ax.imshow(images[index], cmap="gray_r", vmin=low, vmax=high)
        if titles is not None:
            ax.set_title(str(titles[index]), fontsize="small")
    if title:
        figure.suptitle(title)
    return figure


def smooth(values, window: int = 10) -> np.ndarray:
    """The moving average over ``window`` consecutive values (shorter by window - 1)."""
    values = np.asarray(values, dtype=float)
    window = max(1, min(int(window), len(values)))
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_curves(
    series,
    *,
    ax=None,
    window=1,
    xlabel="epoch",
    ylabel="",
    log=False,
    title=None,
    styles=None,
):
    """Learning curves, one line per named series, optionally smoothed.

    ``series`` maps a label to values (one per epoch or step); ``window`` > 1 plots
    the moving average, placed at the end of each window. Taught in chapter 6.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    for index, (label, values) in enumerate(series.items()):
        smoothed = smooth(values, window)
        steps = np.arange(len(values) - len(smoothed) + 1, len(values) + 1)
        style = styles[index] if styles else "-"
        ax.plot(steps, smoothed, style, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel + (f" ({window}-point average)" if window > 1 else ""))
    if title:
        ax.set_title(title)
    ax.legend()
    return ax
