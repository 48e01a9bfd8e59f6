"""The data loaders: checksums, atomic writes, the mirror, the offline error, shapes
and class counts.

The loader tests use the real files: from the mirror in $NNH_DATA_MIRROR when it
is set (CI sets it to ../shared/data), else from the cache or the canonical URLs.
"""

import shutil
import urllib.error
import urllib.request

import numpy as np
import pytest

from nnhistory import data

TEXT = "tinyshakespeare/input.txt"


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(data.CACHE_ENV, str(cache))
    return cache


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("no network in this test")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def files_in(folder):
    return (
        sorted(
            p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
        )
        if folder.exists()
        else []
    )


def test_checksum_mismatch_is_a_clear_error_and_leaves_nothing(
    tmp_path, empty_cache, offline, monkeypatch
):
    mirror = tmp_path / "mirror"
    (mirror / "tinyshakespeare").mkdir(parents=True)
    (mirror / TEXT).write_text("To be, or not to be: that is not the published file.\n")
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(data.ChecksumError) as error:
        data.fetch(TEXT)
    message = str(error.value)
    assert data.REGISTRY[TEXT].sha256 in message and "nothing was cached" in message
    assert files_in(empty_cache) == []


def test_corrupt_gzip_in_mirror_is_rejected(
    tmp_path, empty_cache, offline, monkeypatch
):
    mirror = tmp_path / "mirror"
    (mirror / "mnist").mkdir(parents=True)
    (mirror / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b truncated")
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(data.ChecksumError, match="decompressed"):
        data.fetch("mnist/t10k-labels-idx1-ubyte.gz")
    assert files_in(empty_cache) == []


def test_offline_without_data_names_the_url_and_the_variable(
    tmp_path, empty_cache, offline, monkeypatch
):
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "empty-mirror"))
    with pytest.raises(data.DataUnavailableError) as error:
        data.load_tiny_shakespeare()
    message = str(error.value)
    assert data.REGISTRY[TEXT].urls[0] in message
    assert data.MIRROR_ENV in message
    assert files_in(empty_cache) == []


def test_unknown_file_and_graph_names_are_refused():
    with pytest.raises(KeyError, match="known files"):
        data.fetch("mnist/nonexistent.gz")
    with pytest.raises(ValueError, match="cora, citeseer"):
        data.load_planetoid("pubmed")


def test_mirror_is_copied_into_the_cache_and_verified(
    tmp_path, empty_cache, offline, monkeypatch, real_text_file
):
    mirror = tmp_path / "mirror"
    (mirror / "tinyshakespeare").mkdir(parents=True)
    shutil.copy(real_text_file, mirror / TEXT)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    path = data.fetch(TEXT)
    assert path == empty_cache / TEXT
    assert files_in(empty_cache) == [TEXT]  # no temporary file left beside it
    assert len(data.load_tiny_shakespeare()) == 1_115_394


def test_a_corrupted_cache_file_is_replaced(
    tmp_path, empty_cache, offline, monkeypatch, real_text_file
):
    mirror = tmp_path / "mirror"
    (mirror / "tinyshakespeare").mkdir(parents=True)
    shutil.copy(real_text_file, mirror / TEXT)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    (empty_cache / "tinyshakespeare").mkdir(parents=True)
    (empty_cache / TEXT).write_text("damaged")
    assert data.load_tiny_shakespeare().startswith("First Citizen:")


@pytest.fixture(scope="session")
def real_text_file():
    """The real Tiny Shakespeare file, got as users get it (mirror, cache or URL)."""
    return data.fetch(TEXT)


# ------------------------------------------------------- shapes and class counts

MNIST_TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_mnist_default_split():
    mnist = data.load_mnist()
    assert mnist.train_images.shape == (8000, 28, 28) and mnist.test_images.shape == (
        2000,
        28,
        28,
    )
    assert (
        mnist.train_images.dtype == np.float32
        and 0.0 <= mnist.train_images.min() < mnist.train_images.max() <= 1.0
    )
    counts = np.bincount(mnist.train_labels, minlength=10) + np.bincount(
        mnist.test_labels, minlength=10
    )
    assert counts.tolist() == MNIST_TEST_CLASS_COUNTS
    assert set(np.unique(mnist.test_labels)) == set(range(10))
    again = data.load_mnist()  # the split is fixed, not drawn anew
    assert np.array_equal(again.test_labels, mnist.test_labels)
    assert "8,000" in mnist.description and "2,000" in mnist.description


def test_mnist_full_split_or_a_clear_offline_error():
    try:
        mnist = data.load_mnist(full=True)
    except (
        data.DataUnavailableError
    ) as error:  # the offline mirror holds no training images
        assert "train-images-idx3-ubyte.gz" in str(error) and data.MIRROR_ENV in str(
            error
        )
    else:
        assert mnist.train_images.shape == (
            60000,
            28,
            28,
        ) and mnist.test_images.shape == (10000, 28, 28)
        assert np.bincount(mnist.test_labels).tolist() == MNIST_TEST_CLASS_COUNTS


def test_tiny_shakespeare():
    text = data.load_tiny_shakespeare()
    assert len(text) == 1_115_394 and len(set(text)) == 65


@pytest.mark.parametrize(
    "name, nodes, words, classes, edges, train",
    [("cora", 2708, 1433, 7, 5278, 140), ("citeseer", 3327, 3703, 6, 4552, 120)],
)
def test_planetoid(name, nodes, words, classes, edges, train):
    graph = data.load_planetoid(name)
    assert graph.features.shape == (nodes, words)
    assert graph.num_classes == classes and len(np.unique(graph.labels)) == classes
    assert graph.adjacency.shape == (nodes, nodes)
    assert (
        graph.adjacency != graph.adjacency.T
    ).nnz == 0 and graph.adjacency.diagonal().sum() == 0
    assert graph.adjacency.nnz == 2 * edges
    assert (graph.train_mask.sum(), graph.val_mask.sum(), graph.test_mask.sum()) == (
        train,
        500,
        1000,
    )
    assert (
        not (graph.train_mask & graph.test_mask).any()
        and not (graph.val_mask & graph.test_mask).any()
    )
