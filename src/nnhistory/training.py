"""One training loop, one evaluation and one network builder for every chapter.

Taught in chapter 5 (the multilayer perceptron): the chapter writes the loop out by
hand, checks that it takes the same steps as ``train`` here, and uses ``train`` from
then on. Chapter 6 (training deep networks) teaches the initialisation schemes,
dropout and batch normalisation that ``mlp`` offers. ``train_steps`` is the same
step on a stream of fresh batches, for the tasks of chapters 11 to 14 that generate
their data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nnhistory.runtime import progress, require_integer, require_number


@dataclass
class History:
    """What a training run recorded: every step's loss and named per-epoch metrics.

    ``history["validation_accuracy"]`` is an array with one value per epoch;
    ``history.step_losses`` has one loss per optimiser step.
    """

    step_losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)  # before clipping, if clipped
    epochs: dict[str, list[float]] = field(default_factory=dict)

    def log(self, **metrics: float) -> None:
        for name, value in metrics.items():
            self.epochs.setdefault(name, []).append(float(value))

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.epochs:
            known = ", ".join(sorted(self.epochs)) or "none"
            raise KeyError(f"no metric {name!r} was recorded; recorded: {known}")
        return np.array(self.epochs[name])

    def __contains__(self, name: str) -> bool:
        return name in self.epochs

    @property
    def steps(self) -> np.ndarray:
        return np.array(self.step_losses)


@torch.no_grad()
def evaluate(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    *,
    loss_fn: Callable = F.cross_entropy,
    batch_size: int = 1000,
) -> dict[str, float]:
    """Mean loss, and accuracy for integer class targets, in evaluation mode.

    Runs under ``torch.no_grad()`` with ``model.eval()`` (dropout off, batch norm on
    its running averages) and puts the model back in the mode it was in, so it can
    be called from inside a training loop. Batches bound the memory; the loss is
    averaged over examples, assuming ``loss_fn`` averages within a batch.
    """
    require_integer("batch_size", batch_size)
    was_training = model.training
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    for start in range(0, len(targets), batch_size):
        batch_inputs = inputs[start : start + batch_size]
        batch_targets = targets[start : start + batch_size]
        outputs = model(batch_inputs)
        total_loss += loss_fn(outputs, batch_targets).item() * len(batch_targets)
        count += len(batch_targets)
        if not batch_targets.is_floating_point():  # class labels: count hits per label
            correct += (outputs.argmax(-1) == batch_targets).sum().item()
    model.train(was_training)
    metrics = {"loss": total_loss / count}
    if not targets.is_floating_point():
        metrics["accuracy"] = correct / targets.numel()
    return metrics


def _take_step(model, optimizer, loss, clip_grad_norm, history) -> None:
    """One optimiser step on ``loss``, clipped when asked; the history records the
    loss and, when clipping, the norm before clipping. Shared by ``train`` and
    ``train_steps``."""
    optimizer.zero_grad()
    loss.backward()
    if clip_grad_norm is not None:
        norm = nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        history.grad_norms.append(norm.item())
    optimizer.step()
    history.step_losses.append(loss.item())


def train(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    *,
    num_epochs: int,
    batch_size: int,
    generator: torch.Generator,
    loss_fn: Callable = F.cross_entropy,
    transform: Callable | None = None,
    clip_grad_norm: float | None = None,
    evaluate_on: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    after_step: Callable[[int, float], Any] | None = None,
    after_epoch: Callable[[int], dict[str, float] | None] | None = None,
    desc: str = "training",
) -> History:
    """Minibatch training for whole epochs; returns the run's ``History``.

    Each epoch visits the examples in a new order drawn from ``generator`` (a CPU
    ``torch.Generator``: seed it from a named stream, ``run.generator("batches")``,
    and the order is the same on every device). ``transform`` is applied to each
    batch of inputs (augmentation). ``clip_grad_norm`` rescales the gradient when its
    norm exceeds the value, and records the norm before clipping. After every epoch
    the history logs ``batch_loss`` (the mean minibatch loss in training mode), then
    ``<name>_loss`` and ``<name>_accuracy`` for each ``(inputs, targets)`` pair in
    ``evaluate_on``, then whatever ``after_epoch(epoch)`` returns.
    ``after_step(step, loss)`` is called after each optimiser step (steps count from 1).
    """
    require_integer("num_epochs", num_epochs)
    require_integer("batch_size", batch_size)
    if clip_grad_norm is not None:
        require_number("clip_grad_norm", clip_grad_norm, above=0)
    if len(inputs) != len(targets):
        raise ValueError(f"{len(inputs)} inputs but {len(targets)} targets")
    history = History()
    for epoch in progress(range(num_epochs), desc=desc):
        model.train()  # evaluation inside a hook may have switched it off
        order = torch.randperm(len(targets), generator=generator).to(targets.device)
        epoch_losses = []
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            batch_inputs = (
                inputs[batch] if transform is None else transform(inputs[batch])
            )
            loss = loss_fn(model(batch_inputs), targets[batch])
            _take_step(model, optimizer, loss, clip_grad_norm, history)
            epoch_losses.append(history.step_losses[-1])
            if after_step is not None:
                after_step(len(history.step_losses), epoch_losses[-1])
        history.log(batch_loss=np.mean(epoch_losses))
        for name, (eval_inputs, eval_targets) in (evaluate_on or {}).items():
            metrics = evaluate(model, eval_inputs, eval_targets, loss_fn=loss_fn)
            history.log(**{f"{name}_{key}": value for key, value in metrics.items()})
        if after_epoch is not None:
            history.log(**(after_epoch(epoch) or {}))
    return history


def train_steps(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    next_batch: Callable[[], tuple[torch.Tensor, torch.Tensor]],
    *,
    num_steps: int,
    loss_fn: Callable,
    clip_grad_norm: float | None = None,
    after_step: Callable[[int, float], Any] | None = None,
    desc: str = "training",
) -> History:
    """``train``'s step on a stream of fresh batches; returns the run's ``History``.

    For tasks that generate their data (the adding problem, a synthetic translation
    task) or draw random windows: each of ``num_steps`` steps calls ``next_batch()``
    for ``(inputs, targets)``, takes one optimiser step on ``loss_fn(model(inputs),
    targets)``, clips as ``train`` does (recording the norm before clipping in
    ``grad_norms``) and appends the loss to ``step_losses``; ``after_step(step,
    loss)`` is called after each step (steps count from 1).
    """
    require_integer("num_steps", num_steps)
    if clip_grad_norm is not None:
        require_number("clip_grad_norm", clip_grad_norm, above=0)
    history = History()
    model.train()
    for step in progress(range(1, num_steps + 1), desc=desc):
        inputs, targets = next_batch()
        loss = loss_fn(model(inputs), targets)
        _take_step(model, optimizer, loss, clip_grad_norm, history)
        if after_step is not None:
            after_step(step, history.step_losses[-1])
    return history


# ---------------------------------------------------------------- networks

INIT_SCHEMES = ("he", "xavier", "lecun", "torch")
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}


def init_std(scheme: str | float, fan_in: int, fan_out: int) -> float:
    """The standard deviation of a layer's initial weights under a named scheme.

    ``"lecun"``: Var[w] = 1/fan_in (LeCun et al. 1998, *Efficient BackProp*);
    ``"xavier"``: 2/(fan_in + fan_out) (Glorot & Bengio 2010);
    ``"he"``: 2/fan_in (He et al. 2015); a number is taken as the standard deviation.
    Taught in chapter 6 (training deep networks).
    """
    if not isinstance(scheme, str):
        require_number("init", scheme, above=0)
        return float(scheme)
    variances = {
        "lecun": 1 / fan_in,
        "xavier": 2 / (fan_in + fan_out),
        "he": 2 / fan_in,
    }
    if scheme not in variances:
        raise ValueError(
            f"unknown initialisation {scheme!r}; choose one of {INIT_SCHEMES}"
        )
    return math.sqrt(variances[scheme])


def mlp(
    sizes: list[int],
    *,
    activation: str | Callable[[], nn.Module] = "relu",
    init: str | float = "he",
    dropout: float = 0.0,
    input_dropout: float = 0.0,
    batch_norm: bool = False,
) -> nn.Sequential:
    """A fully connected network with layer sizes ``sizes`` (input first, output last).

    Every hidden layer is Linear, then BatchNorm1d if ``batch_norm``, then the
    activation, then Dropout(``dropout``) if non-zero; the output layer is Linear
    alone (logits). Weights are drawn from N(0, init_std(init)^2) with zero biases,
    except ``init="torch"``, which keeps ``nn.Linear``'s own default
    (uniform, Var[w] = 1/(3 fan_in)). Draws come from torch's global generator:
    call ``run.manual_seed("init")`` first. Taught in chapters 5 and 6.
    """
    if len(sizes) < 2 or not all(isinstance(s, int) and s >= 1 for s in sizes):
        raise ValueError(f"sizes must be at least two positive integers, got {sizes!r}")
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; choose one of {tuple(ACTIVATIONS)}"
            )
        activation = ACTIVATIONS[activation]
    for name, rate in (("dropout", dropout), ("input_dropout", input_dropout)):
        require_number(name, rate, at_least=0, below=1)
    layers: list[nn.Module] = [nn.Dropout(input_dropout)] if input_dropout else []
    for index, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        linear = nn.Linear(fan_in, fan_out)
        if init != "torch":
            nn.init.normal_(linear.weight, 0.0, init_std(init, fan_in, fan_out))
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if index < len(sizes) - 2:  # a hidden layer
            layers += [nn.BatchNorm1d(fan_out)] if batch_norm else []
            layers.append(activation())
            layers += [nn.Dropout(dropout)] if dropout else []
    return nn.Sequential(*layers)
