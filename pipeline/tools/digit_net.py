"""The digit network, run with numpy alone: the only place the model file is read.

Architecture (must match training/train_digits.py): three 3x3 conv + ReLU + 2x2 max-pool
blocks (the channels are read from the file: 32, 64, 128 for the shipped model; batch norm
is folded into the convolutions at training), a 128-unit dense layer, 11 outputs (digits
0-9, reject).
The model is loaded once per process and cached.
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import numpy as np

from pipeline.errors import MissingDependency

MODEL_PATH = Path(__file__).resolve().parent.parent.parent / "models" / "digits" / "digits.npz"
REJECT = 10


@cache
def _weights(path: Path = MODEL_PATH) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as data:
            return {k: data[k].astype(np.float32) for k in data.files}
    except OSError as exc:
        raise MissingDependency(
            f"digit model not found at {path} (rebuild it: python -m training.train_digits)"
        ) from exc


def _conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x: (C, N, H, W), channels first so that one matrix product serves the whole batch;
    w: (K, C, 3, 3); same padding. Returns (K, N, H, W)."""
    c, n, h, wd = x.shape
    padded = np.zeros((c, n, h + 2, wd + 2), np.float32)
    padded[:, :, 1:-1, 1:-1] = x
    cols = np.empty((c, 9, n, h, wd), np.float32)
    for k, (i, j) in enumerate(itertools.product(range(3), range(3))):
        cols[:, k] = padded[:, :, i : i + h, j : j + wd]
    out = w.reshape(w.shape[0], c * 9) @ cols.reshape(c * 9, n * h * wd)
    out += b[:, None]
    return out.reshape(w.shape[0], n, h, wd)


def _pool(x: np.ndarray) -> np.ndarray:
    """2x2 max-pool of (C, N, H, W), an odd last row or column dropped (as torch does)."""
    h, w = x.shape[2] // 2 * 2, x.shape[3] // 2 * 2
    top = np.maximum(x[:, :, 0:h:2, 0:w:2], x[:, :, 0:h:2, 1:w:2])
    return np.maximum(top, np.maximum(x[:, :, 1:h:2, 0:w:2], x[:, :, 1:h:2, 1:w:2]))


def digit_probabilities(digits: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 MNIST-style crops (white ink on black) -> (N, 11) probabilities."""
    return probabilities_with(_weights(), digits)


def probabilities_with(w: dict[str, np.ndarray], digits: np.ndarray) -> np.ndarray:
    """The network with these weights (as `_weights` loads them) on (N, 28, 28) crops."""
    if len(digits) == 0:
        return np.zeros((0, 11), np.float32)
    x = digits.astype(np.float32)[None] / 255.0
    for i in (0, 3, 6):
        x = _pool(np.maximum(_conv3x3(x, w[f"features_{i}_weight"], w[f"features_{i}_bias"]), 0))
    x = x.transpose(1, 0, 2, 3).reshape(x.shape[1], -1)  # flattened per digit as torch does
    x = np.maximum(x @ w["head_1_weight"].T + w["head_1_bias"], 0)
    logits = x @ w["head_4_weight"].T + w["head_4_bias"]
    if "temperature" in w:  # set on held-out digits at training (training.train_digits)
        logits /= w["temperature"]
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)
