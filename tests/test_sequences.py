"""The sequence tasks of nnhistory.sequences, against independent computations:
the markers read back from the inputs, the closed-form baselines of chapter 11, a
log-softmax written out, and the chrono biases' range."""

import math

import pytest
import torch

import nnhistory
from nnhistory.data import CharacterCorpus


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("variant", ["1997", "modern"])
def test_adding_targets_follow_from_the_marked_values(variant):
    inputs, targets = nnhistory.adding_problem(2000, 40, generator(), variant=variant)
    assert inputs.shape == (2000, 40, 2) and targets.shape == (2000,)
    values, markers = inputs[..., 0], inputs[..., 1]
    assert ((markers == 1).sum(1) == 2).all(), "exactly two marked pairs"
    marked_sum = (values * (markers == 1)).sum(1)
    expected = marked_sum if variant == "modern" else 0.5 + marked_sum / 4
    assert torch.allclose(targets, expected, atol=1e-6)


def test_adding_modern_marks_one_pair_in_each_half():
    length = 41
    inputs, _ = nnhistory.adding_problem(5000, length, generator(6), variant="modern")
    positions = [row.nonzero().flatten().tolist() for row in inputs[..., 1] == 1]
    assert all(first < length // 2 <= second for first, second in positions)
    assert (inputs[..., 0] >= 0).all() and (inputs[..., 0] <= 1).all()


def test_adding_1997_places_the_marks_as_the_paper_says():
    length = 60
    inputs, _ = nnhistory.adding_problem(5000, length, generator(1))
    values, markers = inputs[..., 0], inputs[..., 1]
    positions = [row.nonzero().flatten().tolist() for row in markers == 1]
    assert all(min(p) < 10 for p in positions), "one of the first ten pairs"
    # the second mark is one of the first T/2 - 1 unmarked pairs: within T/2 pairs
    assert all(max(p) < length // 2 for p in positions)
    ends = markers[:, [0, -1]]
    assert ((ends == -1) | (ends == 1)).all(), "first and last markers are -1 or marked"
    assert (markers[:, -1] == -1).all(), "the last pair is never marked"
    # X1 = 0 when the first pair is marked: the baseline test below sees it in the
    # variance (19/480, not 20/480)
    assert (values.abs() <= 1).all() and values.min() < -0.9


@pytest.mark.parametrize(
    "variant, mean, variance", [("1997", 0.5, 19 / 480), ("modern", 1.0, 1 / 6)]
)
def test_adding_baselines_match_their_closed_forms(variant, mean, variance):
    # chapter 11 derives both: the best constant is the mean, its MSE the variance
    count = 200_000
    _, targets = nnhistory.adding_problem(count, 40, generator(2), variant=variant)
    targets = targets.double()
    assert abs(targets.mean().item() - mean) < 5 * math.sqrt(variance / count)
    squared = (targets - mean).square()
    assert abs(squared.mean().item() - variance) < 5 * squared.std().item() / math.sqrt(
        count
    )


def test_adding_problem_refuses_bad_input():
    with pytest.raises(ValueError, match="choose one of"):
        nnhistory.adding_problem(4, 40, generator(), variant="2014")
    with pytest.raises(ValueError, match="integer from 22"):
        nnhistory.adding_problem(4, 10, generator())
    with pytest.raises(ValueError, match="batch_size"):
        nnhistory.adding_problem(4.0, 40, generator())


def test_chrono_init_spreads_the_forget_biases():
    lstm = torch.nn.LSTM(2, 500)
    nnhistory.chrono_init(lstm, 100, generator(3))
    size = lstm.hidden_size
    forget = (lstm.bias_ih_l0 + lstm.bias_hh_l0)[size : 2 * size].detach()
    write = (lstm.bias_ih_l0 + lstm.bias_hh_l0)[:size].detach()
    assert torch.equal(write, -forget)
    assert forget.min() >= 0 and forget.max() <= math.log(99)
    # ln u with u uniform on [1, 99]: E[ln u] = (99 ln 99 - 98) / 98
    expected = (99 * math.log(99) - 99 + 1) / 98
    assert abs(forget.mean().item() - expected) < 0.15


def test_sequence_loss_is_the_mean_negative_log_likelihood():
    logits = torch.randn(3, 5, 7, generator=generator(4))
    targets = torch.randint(7, (3, 5), generator=generator(5))
    log_probabilities = logits - logits.exp().sum(-1, keepdim=True).log()
    by_hand = -log_probabilities.gather(-1, targets[..., None]).mean()
    assert torch.allclose(nnhistory.sequence_loss(logits, targets), by_hand, atol=1e-6)


def test_character_baselines_by_hand():
    # "abab" trains, "ba" validates: counts worked out on paper
    corpus = CharacterCorpus(
        "ab", torch.tensor([0, 1, 0, 1, 0, 1, 0, 1, 0]), torch.tensor([1, 0])
    )
    baselines = nnhistory.character_baselines(corpus)
    assert baselines["uniform"] == pytest.approx(math.log(2))
    # unigram: a 5/9, b 4/9 on the training text; validation "b", "a"
    expected_unigram = -(math.log(4 / 9) + math.log(5 / 9)) / 2
    assert baselines["unigram"] == pytest.approx(expected_unigram)
    # bigram: b is followed by a 4 times, by b never; add-one gives (4+1)/(4+2)
    assert baselines["bigram"] == pytest.approx(-math.log(5 / 6))


def test_set_forget_bias_opens_the_forget_gates():
    lstm = torch.nn.LSTM(3, 5)
    nnhistory.set_forget_bias(lstm, 1.0)
    # at zero input and state each gate is the sigmoid of its summed bias
    biases = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().view(4, 5)  # (i f g o, H)
    assert torch.allclose(biases[1], torch.ones(5))
    x = torch.zeros(1, 1, 3)
    _, (_, cell) = lstm(x, (torch.zeros(1, 1, 5), torch.ones(1, 1, 5)))
    input_gate, candidate = biases[0].sigmoid(), biases[2].tanh()
    expected = torch.sigmoid(torch.tensor(1.0)) + input_gate * candidate
    assert torch.allclose(cell.flatten(), expected, atol=1e-6)
