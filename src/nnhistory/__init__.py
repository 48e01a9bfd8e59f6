"""Plumbing for *Neural Networks: A Runnable History*.

Only what every chapter needs and none of them teaches: data loading, seeding,
device choice, run configuration, plotting style, progress bars and the
results record. The ideas themselves stay in the notebooks.
"""

from nnhistory.results import Results, glue
from nnhistory.runtime import (
    FAST_ENV,
    Run,
    choose_device,
    fast_requested,
    progress,
    require_choice,
    require_positive,
    seed_everything,
    start,
)
from nnhistory.plotting import use_style

__all__ = [
    "FAST_ENV",
    "Results",
    "Run",
    "choose_device",
    "fast_requested",
    "glue",
    "progress",
    "require_choice",
    "require_positive",
    "seed_everything",
    "start",
    "use_style",
]
__version__ = "0.1.0"
