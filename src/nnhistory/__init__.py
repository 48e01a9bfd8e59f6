"""Plumbing for *Neural Networks: A Runnable History*.

What every chapter needs and none of them is about: data loading, seeding and named
random streams, device and thread choice, run configuration and parameter checks,
plotting, progress bars and the results record; and, once a chapter has taught
them, the training loop, the network builder, the gradient check and the sequence
tasks. Each of those names in its docstring the chapter that teaches it. The ideas
themselves stay in the chapters.
"""

from nnhistory.gradcheck import numerical_gradient, parameter_gap, relative_error
from nnhistory.plotting import plot_curves, show_images, smooth, use_style
from nnhistory.results import Results, glue, glue_many
from nnhistory.runtime import (
    FAST_ENV,
    Run,
    choose_device,
    cpu_threads,
    fast_requested,
    progress,
    require_choice,
    require_counts,
    require_integer,
    require_integers,
    require_number,
    require_positive,
    seed_everything,
    start,
)
from nnhistory.separability import cover_count, separating_vector
from nnhistory.sequences import (
    adding_problem,
    character_baselines,
    chrono_init,
    sequence_loss,
    set_forget_bias,
)
from nnhistory.threshold import sign, step
from nnhistory.training import History, evaluate, init_std, mlp, train, train_steps

__all__ = [
    "FAST_ENV",
    "History",
    "Results",
    "Run",
    "adding_problem",
    "character_baselines",
    "choose_device",
    "chrono_init",
    "cover_count",
    "cpu_threads",
    "evaluate",
    "fast_requested",
    "glue",
    "glue_many",
    "init_std",
    "mlp",
    "numerical_gradient",
    "parameter_gap",
    "plot_curves",
    "progress",
    "relative_error",
    "require_choice",
    "require_counts",
    "require_integer",
    "require_integers",
    "require_number",
    "require_positive",
    "seed_everything",
    "separating_vector",
    "sequence_loss",
    "set_forget_bias",
    "show_images",
    "sign",
    "smooth",
    "start",
    "step",
    "train",
    "train_steps",
    "use_style",
]
__version__ = "0.2.0"
