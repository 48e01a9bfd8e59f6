"""Sequence tasks and pieces that the recurrent chapters share.

``sequence_loss`` and ``character_baselines`` are taught in chapter 10 (recurrent
networks); ``adding_problem``, ``chrono_init`` and ``set_forget_bias`` in chapter 11
(the LSTM). Each of those chapters writes its own version first and asserts that it
agrees with the one here.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from nnhistory.runtime import require_choice, require_integer

ADDING_VARIANTS = ("1997", "modern")


def sequence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy per position, in nats: logits (B, T, V), targets (B, T).

    Taught in chapter 10 (recurrent networks): every position of every window is one
    next-character prediction.
    """
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())  # (B*T, V), (B*T,)


def character_baselines(corpus) -> dict[str, float]:
    """Validation loss in nats per character of three models that need no training.

    ``"uniform"`` is ln V; ``"unigram"`` predicts each character with its frequency in
    the training text; ``"bigram"`` predicts it from the character before, with
    Laplace's add-one counts from the training text, over the validation text's own
    pairs. ``corpus`` is a ``CharacterCorpus`` (``load_characters``). Taught in
    chapter 10 (recurrent networks), where the counts are shown to be the models'
    maximum-likelihood fit.
    """
    size = corpus.vocabulary_size
    train, validation = corpus.train, corpus.validation
    unigram_counts = torch.bincount(train, minlength=size).double()  # (V,)
    pairs = train[:-1] * size + train[1:]  # (N - 1,): pair (a, b) as a * V + b
    bigram_counts = torch.bincount(pairs, minlength=size * size).double()
    bigram_counts = bigram_counts.view(size, size)  # (V, V): row a, column b
    smoothed = (bigram_counts + 1) / (bigram_counts + 1).sum(1, keepdim=True)
    unigram = -(unigram_counts / unigram_counts.sum()).log()[validation].mean()
    bigram = -smoothed[validation[:-1], validation[1:]].log().mean()
    return {
        "uniform": math.log(size),
        "unigram": unigram.item(),
        "bigram": bigram.item(),
    }


def adding_problem(
    batch_size: int,
    length: int,
    generator: torch.Generator,
    variant: str = "1997",
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of the adding problem: inputs (B, T, 2) of (value, marker), targets (B,).

    ``variant="1997"`` is Hochreiter & Schmidhuber's (1997, section 5.4): values
    uniform on [-1, 1]; one of the first ten pairs is marked 1 (its value is X1), then
    one of the first T/2 - 1 still unmarked pairs (X2); the first and last markers are
    -1 unless marked; X1 is set to zero when the first pair is the one marked; the
    target is 0.5 + (X1 + X2) / 4. All sequences have length T (the paper draws it
    from [T, T + T/10]). ``variant="modern"`` is the form most later papers use:
    values uniform on [0, 1], one marked pair in each half, target X1 + X2.
    Taught in chapter 11 (the LSTM).
    """
    require_integer("batch_size", batch_size)
    require_choice("variant", variant, ADDING_VARIANTS)
    require_integer("length", length, minimum=22 if variant == "1997" else 2)
    rows = torch.arange(batch_size)
    markers = torch.zeros(batch_size, length)
    if variant == "modern":
        values = torch.rand(batch_size, length, generator=generator)
        half = length // 2
        first = torch.randint(half, (batch_size,), generator=generator)
        second = half + torch.randint(length - half, (batch_size,), generator=generator)
    else:
        values = 2 * torch.rand(batch_size, length, generator=generator) - 1
        first = torch.randint(10, (batch_size,), generator=generator)
        # one of the first T/2 - 1 pairs still unmarked: skip the one marked first
        rank = torch.randint(length // 2 - 1, (batch_size,), generator=generator)
        second = rank + (rank >= first)
        markers[:, 0] = markers[:, -1] = -1.0
        values[rows[first == 0], 0] = 0.0  # X1 = 0 when the first pair is marked
    markers[rows, first] = markers[rows, second] = 1.0
    sums = values[rows, first] + values[rows, second]
    targets = sums if variant == "modern" else 0.5 + sums / 4
    return torch.stack([values, markers], dim=-1), targets  # (B, T, 2), (B,)


def chrono_init(lstm: torch.nn.LSTM, max_lag: int, generator: torch.Generator) -> None:
    """Tallec & Ollivier's (2018) chrono initialisation of a one-layer ``nn.LSTM``.

    Each unit's forget bias is b_f = ln u with u uniform on [1, max_lag - 1], so that
    its memory time 1 / (1 - f) = 1 + u at zero input spreads over the task's lags;
    its input bias is b_i = -b_f. Torch's two bias vectors are summed, so the i and f
    blocks are set in ``bias_ih_l0`` and zeroed in ``bias_hh_l0``. Taught in chapter
    11 (the LSTM).
    """
    require_integer("max_lag", max_lag, minimum=3)
    size = lstm.hidden_size
    forget = torch.log(1 + (max_lag - 2) * torch.rand(size, generator=generator))
    with torch.no_grad():
        lstm.bias_hh_l0[: 2 * size] = 0.0  # the i and f blocks: all in bias_ih
        lstm.bias_ih_l0[size : 2 * size] = forget
        lstm.bias_ih_l0[:size] = -forget


def set_forget_bias(lstm: torch.nn.LSTM, value: float) -> None:
    """Set every forget gate's total bias of a one-layer ``nn.LSTM`` to ``value``.

    Gers, Schmidhuber & Cummins (2000) start the forget gates open; Jozefowicz,
    Zaremba & Sutskever (2015) recommend a bias of 1. Torch sums its two bias vectors,
    so the forget block is set in ``bias_ih_l0`` and zeroed in ``bias_hh_l0``. Taught
    in chapter 11 (the LSTM).
    """
    size = lstm.hidden_size
    with torch.no_grad():
        lstm.bias_hh_l0[size : 2 * size] = 0.0
        lstm.bias_ih_l0[size : 2 * size] = value
