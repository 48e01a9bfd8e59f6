"""The chapters' data sets: downloaded once, verified by SHA-256, cached atomically.

Each file has canonical URLs and a pinned SHA-256. For ``.gz`` files the
checksum is of the *decompressed* bytes: public mirrors re-gzip MNIST (the
gzip header holds a timestamp) but never change its contents.

Where a file comes from, in order:

1. the cache, ``$NNH_DATA_DIR`` (default ``~/.cache/nnhistory``);
2. a mirror, ``$NNH_DATA_MIRROR``: a local folder laid out like the cache
   (``mnist/t10k-images-idx3-ubyte.gz``), or a URL prefix;
3. the canonical URLs.

A file is written to a temporary name in the cache, verified, then renamed:
a failed download or a checksum mismatch leaves nothing behind. A cached file
is verified again every time it is used, and pickles are opened only after
that check.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CACHE_ENV = "NNH_DATA_DIR"
MIRROR_ENV = "NNH_DATA_MIRROR"


class DataError(RuntimeError):
    """A data file could not be had or could not be trusted."""


class ChecksumError(DataError):
    """A file's SHA-256 is not the pinned one."""


class DataUnavailableError(DataError):
    """A file is neither cached, nor in the mirror, nor downloadable."""


@dataclass(frozen=True)
class RemoteFile:
    path: str  # relative path in the cache and in a mirror
    urls: tuple[str, ...]
    sha256: str  # of the decompressed bytes when ``path`` ends in .gz


_MNIST_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
_PLANETOID_URL = "https://github.com/kimiyoung/planetoid/raw/master/data/"


def _mnist(name: str, sha256: str) -> RemoteFile:
    return RemoteFile(
        f"mnist/{name}", tuple(base + name for base in _MNIST_URLS), sha256
    )


REGISTRY: dict[str, RemoteFile] = {
    "mnist/train-images-idx3-ubyte.gz": _mnist(
        "train-images-idx3-ubyte.gz",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    "mnist/train-labels-idx1-ubyte.gz": _mnist(
        "train-labels-idx1-ubyte.gz",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    "mnist/t10k-images-idx3-ubyte.gz": _mnist(
        "t10k-images-idx3-ubyte.gz",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    "mnist/t10k-labels-idx1-ubyte.gz": _mnist(
        "t10k-labels-idx1-ubyte.gz",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
    "tinyshakespeare/input.txt": RemoteFile(
        "tinyshakespeare/input.txt",
        (
            "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        ),
        "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    ),
}

_PLANETOID_SHA256 = {
    "ind.cora.x": "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab",
    "ind.cora.y": "94465c14eb53e04ca262198dcbb2521ee8af60fb3f3d546cd6ca24a511b0e7d1",
    "ind.cora.tx": "b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a",
    "ind.cora.ty": "41f5ac76596a1699cc33f53084a2419e92961c42bb75f36fc38e616d348532ad",
    "ind.cora.allx": "9419ba2f26f5c35243db64aba110e0f35a04851609e0dc5433450676ca6b8543",
    "ind.cora.ally": "2b998f5cc7fedc86e7f97ca2498f47a1ffc1462c29e2d578b23bf3f62b6e7d71",
    "ind.cora.graph": (
        "58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d"
    ),
    "ind.cora.test.index": (
        "297ce89af2b51a6a194181c7dbe1796c6a1cf9cd9349a88383b1b1e227867875"
    ),
    "ind.citeseer.x": (
        "d20de19150741e555de0ed037195630fc194114ebc7fd72ced62810148aa22f6"
    ),
    "ind.citeseer.y": (
        "8ba87e515d8e3ee3cf52f6d2c5b86aa73f11ecad825a808455209ec26cd54924"
    ),
    "ind.citeseer.tx": (
        "539a8906a2da97628d212f2fdd668c109a8b3f0d36574b59e5d3fd5b5303da21"
    ),
    "ind.citeseer.ty": (
        "55e5bd1ba1e733a04598753ad1a8d57957f4b8f89e74519f41f4f4938767e4ce"
    ),
    "ind.citeseer.allx": (
        "2ac30345d95c9ec933a817ee0bdd6a5f077f8c184a20e696910192d534414668"
    ),
    "ind.citeseer.ally": (
        "f704b2d986dde6c2669934de1f3ae5696a6cf9455c0f6b2646a2d135ea0a1c95"
    ),
    "ind.citeseer.graph": (
        "d79a4ef9d3e7169aee8946145f6b7306e35bc79bffad26346cfb94e10e9912a7"
    ),
    "ind.citeseer.test.index": (
        "2af990671580b6b2df5d158d1038f8292e30c9cd821b5453f399659b25b723d4"
    ),
}
for _name, _sha in _PLANETOID_SHA256.items():
    REGISTRY[f"planetoid/{_name}"] = RemoteFile(
        f"planetoid/{_name}", (_PLANETOID_URL + _name,), _sha
    )


def cache_dir() -> Path:
    return Path(
        os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "nnhistory"
    ).expanduser()


def _content_sha256(path: Path, gzipped: bool) -> str:
    digest = hashlib.sha256()
    opener = gzip.open if gzipped else open
    try:
        with opener(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError) as error:  # a truncated or non-gzip file
        return f"unreadable ({error})"
    return digest.hexdigest()


def _copy_from(source: str, target):
    """Copy a local path or a URL into the open file ``target``."""
    if "://" in source:
        with urllib.request.urlopen(source, timeout=60) as response:
            shutil.copyfileobj(response, target)
    else:
        with open(source, "rb") as stream:
            shutil.copyfileobj(stream, target)


def _sources(remote: RemoteFile) -> list[str]:
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    sources = []
    if mirror:
        if "://" in mirror:
            sources.append(mirror.rstrip("/") + "/" + remote.path)
        else:
            local = Path(mirror).expanduser() / remote.path
            if local.exists():
                sources.append(str(local))
    return sources + list(remote.urls)


def fetch(name: str) -> Path:
    """The verified local path of a registered file, fetching it if needed."""
    if name not in REGISTRY:
        raise KeyError(
            f"unknown data file {name!r}; known files: {', '.join(sorted(REGISTRY))}"
        )
    remote = REGISTRY[name]
    gzipped = remote.path.endswith(".gz")
    target = cache_dir() / remote.path
    if target.exists():
        if _content_sha256(target, gzipped) == remote.sha256:
            return target
        target.unlink()  # corrupted or stale: fetch it again

    target.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for source in _sources(remote):
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                _copy_from(source, stream)
            found = _content_sha256(Path(temporary), gzipped)
            if found != remote.sha256:
                raise ChecksumError(
                    f"{source} has SHA-256 {found}, expected {remote.sha256}"
                    f"{' (of the decompressed bytes)' if gzipped else ''}. The file is "
                    "corrupt or not the published one; nothing was cached. Replace the "
                    f"file or unset {MIRROR_ENV}."
                )
            os.replace(temporary, target)
            return target
        except ChecksumError:
            raise
        except (OSError, urllib.error.URLError) as error:
            failures.append(f"{source}: {error}")
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    raise DataUnavailableError(
        f"Could not get {remote.path}. Tried:\n  " + "\n  ".join(failures) + "\n"
        f"Offline? Download {remote.urls[0]} on a connected machine and put it at "
        f"{target}, or set {MIRROR_ENV} to a folder that holds {remote.path}."
    )


def _read_bytes(name: str) -> bytes:
    path = fetch(name)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        return stream.read()


# ---------------------------------------------------------------- MNIST


def _idx(name: str, magic: int) -> np.ndarray:
    """An IDX file (LeCun's format): a big-endian header of dimensions, then bytes."""
    raw = _read_bytes(name)
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise DataError(
            f"{name} is not an IDX file of the expected kind "
            f"(magic {found}, expected {magic})"
        )
    ndim = raw[3]
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


@dataclass(frozen=True)
class ImageTensors:
    """MNIST as torch tensors: images float32 in [0, 1] (or standardised), labels int64.

    Images are (N, 784) in the ``"flat"`` layout and (N, 1, 28, 28) in the
    ``"image"`` layout (channels first, as ``nn.Conv2d`` wants them).
    """

    train_images: Any
    train_labels: Any
    validation_images: Any
    validation_labels: Any
    test_images: Any
    test_labels: Any
    description: str


@dataclass(frozen=True)
class ImageSplit:
    """Images as float32 in [0, 1], shape (N, 28, 28); labels as int64."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    description: str

    def tensors(
        self,
        *,
        layout: str = "flat",
        device: Any = "cpu",
        validation_size: int = 0,
        standardise: bool = False,
    ) -> ImageTensors:
        """The split as tensors on ``device``, with a fixed validation split.

        The last ``validation_size`` images of a fixed permutation of the training
        images (seed ``VALIDATION_SPLIT_SEED``, the same in every chapter and for
        every run seed) become the validation set; the rest stay for training, in
        that permuted order (also when ``validation_size`` is 0).
        ``standardise`` subtracts the training images' mean pixel value and divides
        by their standard deviation (one number each, as LeCun et al. 1998 centre
        their inputs). Taught in chapter 5 (the multilayer perceptron).
        """
        import torch

        if layout not in IMAGE_LAYOUTS:
            raise ValueError(f"layout must be one of {IMAGE_LAYOUTS}, got {layout!r}")
        train_count = len(self.train_labels)
        if (
            not isinstance(validation_size, int)
            or not 0 <= validation_size < train_count
        ):
            raise ValueError(
                f"validation_size must be an integer from 0 to {train_count - 1}, "
                f"got {validation_size!r}"
            )
        order = np.random.default_rng(VALIDATION_SPLIT_SEED).permutation(train_count)
        keep, held_out = (
            order[: train_count - validation_size],
            order[train_count - validation_size :],
        )
        shape = (-1, 784) if layout == "flat" else (-1, 1, 28, 28)
        mean, std = (
            (self.train_images[keep].mean(), self.train_images[keep].std())
            if standardise
            else (0.0, 1.0)
        )

        def images(array: np.ndarray):
            array = ((array - mean) / std).astype(np.float32)
            return torch.from_numpy(array.reshape(shape)).to(
                device
            )  # (N, 784) or (N, 1, 28, 28)

        def labels(array: np.ndarray):
            return torch.from_numpy(array).to(device)

        return ImageTensors(
            images(self.train_images[keep]),
            labels(self.train_labels[keep]),
            images(self.train_images[held_out]),
            labels(self.train_labels[held_out]),
            images(self.test_images),
            labels(self.test_labels),
            f"{self.description}; {validation_size:,} of the training images held out "
            "for validation"
            if validation_size
            else self.description,
        )


IMAGE_LAYOUTS = ("flat", "image")
VALIDATION_SPLIT_SEED = 1989  # LeCun et al.'s zip-code paper; any fixed number would do


# The year of LeCun et al.'s MNIST paper; fixed, so every chapter sees the same split.
SMALL_SPLIT_SEED = 1998
SMALL_TRAIN_SIZE = 8000


def load_mnist(full: bool = False) -> ImageSplit:
    """MNIST.

    By default: the official 10,000-image *test* split, shuffled with a fixed seed
    and re-split into 8,000 training and 2,000 test images. It is small enough for
    a laptop CPU and is all the offline mirror holds. ``full=True`` gives the
    official 60,000/10,000 split instead.
    """
    test_images = _idx("mnist/t10k-images-idx3-ubyte.gz", 2051)
    test_labels = _idx("mnist/t10k-labels-idx1-ubyte.gz", 2049)
    if full:
        train_images = _idx("mnist/train-images-idx3-ubyte.gz", 2051)
        train_labels = _idx("mnist/train-labels-idx1-ubyte.gz", 2049)
        description = "MNIST, official split: 60,000 training and 10,000 test images"
    else:
        order = np.random.default_rng(SMALL_SPLIT_SEED).permutation(len(test_labels))
        train_part, test_part = order[:SMALL_TRAIN_SIZE], order[SMALL_TRAIN_SIZE:]
        train_images, train_labels = test_images[train_part], test_labels[train_part]
        test_images, test_labels = test_images[test_part], test_labels[test_part]
        description = (
            "MNIST's official 10,000 test images, re-split with a fixed seed into "
            f"{SMALL_TRAIN_SIZE:,} training and {len(test_part):,} test images"
        )
    return ImageSplit(
        (train_images / 255.0).astype(np.float32),
        train_labels.astype(np.int64),
        (test_images / 255.0).astype(np.float32),
        test_labels.astype(np.int64),
        description,
    )


# ---------------------------------------------------------------- Tiny Shakespeare


def load_tiny_shakespeare() -> str:
    """The 1,115,394-character Tiny Shakespeare corpus (Karpathy's char-rnn)."""
    return _read_bytes("tinyshakespeare/input.txt").decode("utf-8")


VALIDATION_FRACTION = (
    0.1  # the held-out tail of the text, as in nanoGPT's shakespeare_char
)


@dataclass(frozen=True)
class CharacterCorpus:
    """A text as integer character codes, split once into training and validation.

    The split is the same in every chapter: the first 90% of the text for training,
    the last 10% held out (as nanoGPT's ``shakespeare_char`` does). Codes index
    ``vocabulary``, the sorted characters of the whole text. Taught in chapter 10
    (recurrent networks).
    """

    vocabulary: str
    train: Any  # (num_train_characters,) int64 tensor
    validation: Any  # (num_validation_characters,) int64 tensor

    @property
    def vocabulary_size(self) -> int:
        return len(self.vocabulary)

    def encode(self, text: str):
        import torch

        index = {character: code for code, character in enumerate(self.vocabulary)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown!r}")
        return torch.tensor([index[character] for character in text], dtype=torch.int64)

    def decode(self, codes) -> str:
        return "".join(self.vocabulary[int(code)] for code in codes)

    def _split(self, split: str):
        if split not in ("train", "validation"):
            raise ValueError(f"split must be 'train' or 'validation', got {split!r}")
        return self.train if split == "train" else self.validation

    def windows(self, split: str, block_size: int):
        """Non-overlapping windows: inputs (N, block_size) and targets shifted by one.

        Every character of the split (but the last few) is predicted exactly once,
        so a mean loss over the windows is the split's loss per character.
        """
        codes = self._split(split)
        count = (len(codes) - 1) // block_size
        inputs = codes[: count * block_size].reshape(count, block_size)  # (N, T)
        targets = codes[1 : count * block_size + 1].reshape(count, block_size)  # (N, T)
        return inputs, targets

    def batch(self, split: str, batch_size: int, block_size: int, generator):
        """``batch_size`` windows at random starts (nanoGPT's ``get_batch``)."""
        import torch

        codes = self._split(split)
        starts = torch.randint(
            len(codes) - block_size, (batch_size,), generator=generator
        )
        offsets = torch.arange(block_size)
        inputs = codes[starts[:, None] + offsets]  # (B, T)
        targets = codes[starts[:, None] + offsets + 1]  # (B, T)
        return inputs, targets


def load_characters(text: str | None = None) -> CharacterCorpus:
    """Tiny Shakespeare (or ``text``) as a ``CharacterCorpus``, with the fixed split."""
    import torch

    text = load_tiny_shakespeare() if text is None else text
    points = np.frombuffer(
        text.encode("utf-32-le"), dtype=np.uint32
    )  # one per character
    vocabulary_points = np.unique(points)  # sorted, so codes follow sorted(set(text))
    encoded = torch.from_numpy(
        np.searchsorted(vocabulary_points, points).astype(np.int64)
    )
    vocabulary = "".join(map(chr, vocabulary_points))
    boundary = int(len(encoded) * (1 - VALIDATION_FRACTION))
    return CharacterCorpus(vocabulary, encoded[:boundary], encoded[boundary:])


# ---------------------------------------------------------------- Planetoid


@dataclass(frozen=True)
class CitationGraph:
    """A Planetoid citation graph with Kipf & Welling's (2017) split."""

    name: str
    features: np.ndarray  # (nodes, words), float32 bag of words
    labels: np.ndarray  # (nodes,), int64
    adjacency: "object"  # scipy.sparse.csr_matrix, symmetric, 0/1, no self-loops
    train_mask: np.ndarray
    val_mask: np.ndarray
    test_mask: np.ndarray

    @property
    def num_classes(self) -> int:
        return int(self.labels.max()) + 1


PLANETOID_NAMES = ("cora", "citeseer")


def _unpickle(name: str):
    path = fetch(
        name
    )  # verified against the pinned SHA-256 before a single byte is unpickled
    with open(path, "rb") as stream:
        return pickle.load(stream, encoding="latin1")


def load_planetoid(name: str) -> CitationGraph:
    """Cora or Citeseer, processed as in Kipf & Welling's reference code."""
    import scipy.sparse as sp

    if name not in PLANETOID_NAMES:
        raise ValueError(
            f"unknown Planetoid graph {name!r}; "
            f"choose one of {', '.join(PLANETOID_NAMES)}"
        )
    parts = {
        part: _unpickle(f"planetoid/ind.{name}.{part}")
        for part in ("x", "y", "tx", "ty", "allx", "ally", "graph")
    }
    test_index = np.array(
        _read_bytes(f"planetoid/ind.{name}.test.index").split(), dtype=np.int64
    )
    test_range = np.sort(test_index)
    tx, ty = parts["tx"], parts["ty"]
    if name == "citeseer":
        # Citeseer's isolated test nodes are missing from tx/ty: pad with zero rows.
        full_range = np.arange(test_range.min(), test_range.max() + 1)
        tx_padded = sp.lil_matrix((len(full_range), tx.shape[1]))
        tx_padded[test_range - test_range.min(), :] = tx
        ty_padded = np.zeros((len(full_range), ty.shape[1]))
        ty_padded[test_range - test_range.min(), :] = ty
        tx, ty = tx_padded, ty_padded

    features = sp.vstack((parts["allx"], tx)).tolil()
    features[test_index, :] = features[test_range, :]
    one_hot = np.vstack((parts["ally"], ty))
    one_hot[test_index, :] = one_hot[test_range, :]
    labels = one_hot.argmax(axis=1).astype(np.int64)

    nodes = features.shape[0]
    rows, cols = [], []
    for node, neighbours in parts["graph"].items():
        for neighbour in neighbours:
            if node != neighbour:
                rows += [node, neighbour]
                cols += [neighbour, node]
    adjacency = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(nodes, nodes))
    adjacency.data[:] = 1.0  # duplicate edges were summed; keep 0/1

    def mask(indices) -> np.ndarray:
        result = np.zeros(nodes, dtype=bool)
        result[np.asarray(indices)] = True
        return result

    train_size = parts["y"].shape[0]
    return CitationGraph(
        name=name,
        features=np.asarray(features.todense(), dtype=np.float32),
        labels=labels,
        adjacency=adjacency,
        train_mask=mask(range(train_size)),
        val_mask=mask(range(train_size, train_size + 500)),
        test_mask=mask(test_range),
    )
