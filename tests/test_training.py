"""The shared training plumbing: the loop, evaluation, the network builder, the
gradient check, the plots and the tensor layouts, each against an independent
computation."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nnhistory
from nnhistory import data


@pytest.fixture
def problem():
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(50, 4, generator=generator)
    targets = (inputs[:, 0] + inputs[:, 1] > 0).long()
    torch.manual_seed(0)
    return nnhistory.mlp([4, 8, 2]), inputs, targets


def hand_written_loop(model, optimizer, inputs, targets, num_epochs, batch_size, seed):
    """The loop written out as chapter 5 teaches it."""
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(num_epochs):
        order = torch.randperm(len(targets), generator=generator)
        for start in range(0, len(targets), batch_size):
            batch = order[start : start + batch_size]
            loss = F.cross_entropy(model(inputs[batch]), targets[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_train_takes_the_same_steps_as_a_hand_written_loop(problem):
    model, inputs, targets = problem
    twin = copy.deepcopy(model)
    history = nnhistory.train(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        inputs,
        targets,
        num_epochs=3,
        batch_size=16,
        generator=torch.Generator().manual_seed(5),
        evaluate_on={"train": (inputs, targets)},
    )
    losses = hand_written_loop(
        twin, torch.optim.SGD(twin.parameters(), lr=0.1), inputs, targets, 3, 16, 5
    )
    assert history.step_losses == losses and len(losses) == 3 * 4
    assert nnhistory.parameter_gap(model, twin) == 0.0
    assert history["batch_loss"][-1] == pytest.approx(np.mean(losses[-4:]))
    final = nnhistory.evaluate(model, inputs, targets)
    assert history["train_loss"][-1] == pytest.approx(final["loss"])
    assert history["train_accuracy"][-1] == final["accuracy"]
    with pytest.raises(KeyError, match="recorded: batch_loss"):
        history["validation_loss"]


def test_train_hooks_and_clipping(problem):
    model, inputs, targets = problem
    steps, clipped = [], []

    def after_step(step, loss):
        steps.append(step)
        norm = torch.cat([p.grad.flatten() for p in model.parameters()]).norm()
        clipped.append(norm.item())

    history = nnhistory.train(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        inputs,
        targets,
        num_epochs=2,
        batch_size=10,
        generator=torch.Generator().manual_seed(1),
        clip_grad_norm=0.01,
        after_step=after_step,
        after_epoch=lambda epoch: {"epoch_squared": epoch**2},
    )
    assert steps == list(range(1, 11))
    assert max(clipped) <= 0.01 * (1 + 1e-5) < min(history.grad_norms)
    assert history["epoch_squared"].tolist() == [0, 1]
    with pytest.raises(ValueError, match="num_epochs must be an integer"):
        nnhistory.train(
            model,
            None,
            inputs,
            targets,
            num_epochs=2.0,
            batch_size=10,
            generator=torch.Generator(),
        )


def test_train_steps_on_a_fixed_stream_takes_train_s_steps(problem):
    # a stream that walks train's own permutation must reproduce train exactly
    model, inputs, targets = problem
    twin = copy.deepcopy(model)
    history = nnhistory.train(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        inputs,
        targets,
        num_epochs=1,
        batch_size=10,
        generator=torch.Generator().manual_seed(4),
        clip_grad_norm=0.5,
    )
    order = torch.randperm(len(targets), generator=torch.Generator().manual_seed(4))
    batches = iter(order.split(10))

    def next_batch():
        batch = next(batches)
        return inputs[batch], targets[batch]

    steps = []
    streamed = nnhistory.train_steps(
        twin,
        torch.optim.SGD(twin.parameters(), lr=0.1),
        next_batch,
        num_steps=5,
        loss_fn=F.cross_entropy,
        clip_grad_norm=0.5,
        after_step=lambda step, loss: steps.append(step),
    )
    assert streamed.step_losses == history.step_losses and steps == [1, 2, 3, 4, 5]
    assert streamed.grad_norms == history.grad_norms
    assert nnhistory.parameter_gap(model, twin) == 0.0
    with pytest.raises(ValueError, match="num_steps must be an integer"):
        nnhistory.train_steps(twin, None, next_batch, num_steps=5.0, loss_fn=None)


def test_evaluate_switches_dropout_off_and_restores_the_mode():
    torch.manual_seed(0)
    model = nnhistory.mlp([4, 64, 3], dropout=0.5).train()
    inputs, targets = torch.randn(30, 4), torch.randint(3, (30,))
    first = nnhistory.evaluate(model, inputs, targets, batch_size=7)
    assert model.training  # put back as it was
    with torch.no_grad():
        logits = model.eval()(inputs)
    assert first["loss"] == pytest.approx(F.cross_entropy(logits, targets).item())
    assert first["accuracy"] == pytest.approx(
        (logits.argmax(1) == targets).float().mean().item()
    )
    regression = nnhistory.evaluate(
        model, inputs, torch.randn(30, 3), loss_fn=F.mse_loss
    )
    assert set(regression) == {"loss"}


def test_mlp_layers_and_initialisation_schemes():
    torch.manual_seed(0)
    for scheme, variance in [("he", 2 / 400), ("xavier", 2 / 700), ("lecun", 1 / 400)]:
        weight = nnhistory.mlp([400, 300], init=scheme)[0].weight
        assert weight.var().item() == pytest.approx(variance, rel=0.02)
    default = nnhistory.mlp([400, 300], init="torch")[0].weight
    assert default.var().item() == pytest.approx(1 / (3 * 400), rel=0.02)
    assert nnhistory.mlp([400, 300], init=0.01)[0].weight.std().item() == pytest.approx(
        0.01, rel=0.02
    )
    kinds = [
        type(m).__name__
        for m in nnhistory.mlp([5, 4, 4, 2], batch_norm=True, dropout=0.5)
    ]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout"] * 2 + ["Linear"]
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nnhistory.mlp([2, 2], activation="swish")
    with pytest.raises(ValueError, match="unknown initialisation"):
        nnhistory.mlp([2, 2, 2], init="glorot")


def test_numerical_gradient_agrees_with_autograd():
    generator = torch.Generator().manual_seed(0)
    weights = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    inputs = torch.randn(5, 4, generator=generator, dtype=torch.float64)

    def loss():
        return torch.tanh(inputs @ weights.T).pow(3).sum()

    (numerical,) = nnhistory.numerical_gradient(loss, [weights])
    exact = weights.clone().requires_grad_()
    torch.tanh(inputs @ exact.T).pow(3).sum().backward()
    assert nnhistory.relative_error(numerical, exact.grad) < 1e-8
    assert nnhistory.relative_error(numerical, 1.01 * exact.grad) > 1e-3
    assert nnhistory.relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_plots(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    figure = nnhistory.show_images(torch.rand(12, 784), titles=range(12), columns=5)
    assert len(figure.axes) == 15 and figure.axes[11].get_title() == "11"
    figure = nnhistory.show_images(np.random.randn(3, 1, 5, 5), signed=True)
    assert len(figure.axes) == 3
    with pytest.raises(ValueError, match="flat images of 10 pixels"):
        nnhistory.show_images(np.zeros((2, 10)))
    assert np.allclose(nnhistory.smooth([1, 2, 3, 4], window=2), [1.5, 2.5, 3.5])
    ax = nnhistory.plot_curves({"a": [3, 2, 1], "b": [1, 1, 1]}, window=2, log=True)
    assert [line.get_xdata().tolist() for line in ax.lines] == [[2, 3], [2, 3]]


def test_image_tensors_layouts_and_the_fixed_validation_split():
    mnist = data.load_mnist()
    flat = mnist.tensors(validation_size=1000)
    image = mnist.tensors(layout="image", validation_size=1000, standardise=True)
    assert flat.train_images.shape == (7000, 784) and image.train_images.shape == (
        7000,
        1,
        28,
        28,
    )
    assert flat.validation_images.shape == (1000, 784) and flat.test_images.shape == (
        2000,
        784,
    )
    assert torch.equal(flat.train_labels, image.train_labels)
    # the validation images are training images held out, the same ones every time
    pool = torch.from_numpy(mnist.train_images.reshape(-1, 784))
    assert torch.equal(
        torch.sort(torch.cat([flat.train_images, flat.validation_images]), 0)[0],
        torch.sort(pool, 0)[0],
    )
    assert torch.equal(
        mnist.tensors(validation_size=1000).validation_labels, flat.validation_labels
    )
    assert (
        abs(image.train_images.mean().item()) < 1e-4
        and abs(image.train_images.std().item() - 1) < 1e-3
    )
    with pytest.raises(ValueError, match="layout must be one of"):
        mnist.tensors(layout="nhwc")
    with pytest.raises(ValueError, match="validation_size must be an integer from 0"):
        mnist.tensors(validation_size=8000)


def test_character_corpus():
    corpus = data.load_characters()
    assert (
        corpus.vocabulary_size == 65
        and len(corpus.train) + len(corpus.validation) == 1_115_394
    )
    assert len(corpus.validation) == 111_540  # the last tenth, as nanoGPT's split
    text = data.load_tiny_shakespeare()
    assert corpus.decode(corpus.validation[:50]) == text[-111_540:][:50]
    inputs, targets = corpus.windows("validation", 100)
    assert inputs.shape == targets.shape == (1115, 100)
    assert torch.equal(inputs[1:, 0], targets[:-1, -1])  # windows follow one another
    assert corpus.decode(targets[0]) == text[-111_540 + 1 :][:100]
    x, y = corpus.batch("train", 8, 16, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (8, 16) and torch.equal(x[:, 1:], y[:, :-1])
    assert corpus.decode(corpus.encode("To be, or not")) == "To be, or not"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        corpus.encode("€")
    with pytest.raises(ValueError, match="split must be"):
        corpus.windows("test", 10)


def test_the_threshold_convention():
    """A unit exactly at its threshold fires: H(0) = 1 and sign(0) = +1, as written on
    the notation page, for NumPy and torch alike."""
    values = [-2.0, -1e-12, 0.0, 1e-12, 3.0, float("inf")]
    expected_step = [0, 0, 1, 1, 1, 1]
    assert nnhistory.step(np.array(values)).tolist() == expected_step
    assert nnhistory.step(torch.tensor(values)).tolist() == expected_step
    assert nnhistory.sign(np.array([-3, 0, 2])).tolist() == [-1, 1, 1]
    assert (
        nnhistory.step(torch.tensor(values, dtype=torch.float64)).dtype == torch.float64
    )
    assert torch.equal(
        nnhistory.step(torch.tensor(values)),
        torch.heaviside(torch.tensor(values), torch.tensor(1.0)),
    )


def test_separability_against_brute_force_and_cover():
    """The linear program agrees with a brute-force search over small integer weights
    on the 16 functions of two inputs (14 are threshold functions), and random points
    in general position give Cover's count of separable dichotomies."""
    import itertools

    corners = np.array(list(itertools.product([0, 1], repeat=2)), dtype=float)
    lifted = np.hstack([corners, -np.ones((4, 1))])  # (4, 3): weights and a threshold
    grid = [np.array(c) for c in itertools.product(range(-2, 3), repeat=3)]
    separable = 0
    for table in itertools.product([0, 1], repeat=4):
        signs = 2 * np.array(table) - 1
        by_search = any(
            ((lifted @ c >= 0) == np.array(table, bool)).all() for c in grid
        )
        by_program = nnhistory.separating_vector(lifted, signs) is not None
        assert by_search == by_program, table
        separable += by_program
    assert separable == 14
    points = np.random.default_rng(0).normal(size=(6, 2))  # general position in R^2
    count = sum(
        nnhistory.separating_vector(points, np.array(signs)) is not None
        for signs in itertools.product([-1, 1], repeat=6)
    )
    assert count == nnhistory.cover_count(6, 2) == 2 * (1 + 5)
    with pytest.raises(ValueError, match="signs must be"):
        nnhistory.separating_vector(points, np.zeros(6))
