"""The digit network, run with numpy alone: the only place the model file is read.

Architecture (must match training/train_digits.py): three 3x3 conv + ReLU + 2x2 max-pool
blocks (the channels are read from the file: 32, 64, 128 for the shipped model; batch norm
is folded into the convolutions at training), a 128-unit dense layer, 11 outputs (digits
0-9, reject).
The model is loaded once per process and cached.
"""

from __future__ import annotations

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
    """x: (N, C, H, W); w: (K, C, 3, 3); same padding."""
    n, c, h, wd = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack(
        [padded[:, :, i : i + h, j : j + wd] for i in range(3) for j in range(3)], axis=2
    )  # (N, C, 9, H, W)
    cols = cols.reshape(n, c * 9, h * wd)
    out = np.einsum("kc,ncp->nkp", w.reshape(w.shape[0], c * 9), cols, optimize=True)
    return (out + b[None, :, None]).reshape(n, w.shape[0], h, wd)


def _pool(x: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    h2, w2 = h // 2, w // 2
    return x[:, :, : h2 * 2, : w2 * 2].reshape(n, c, h2, 2, w2, 2).max(axis=(3, 5))


def digit_probabilities(digits: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 MNIST-style crops (white ink on black) -> (N, 11) probabilities."""
    return probabilities_with(_weights(), digits)


def probabilities_with(w: dict[str, np.ndarray], digits: np.ndarray) -> np.ndarray:
    """The network with these weights (as `_weights` loads them) on (N, 28, 28) crops."""
    if len(digits) == 0:
        return np.zeros((0, 11), np.float32)
    x = digits.astype(np.float32)[:, None] / 255.0
    for i in (0, 3, 6):
        x = _pool(np.maximum(_conv3x3(x, w[f"features_{i}_weight"], w[f"features_{i}_bias"]), 0))
    x = x.reshape(len(x), -1)
    x = np.maximum(x @ w["head_1_weight"].T + w["head_1_bias"], 0)
    logits = x @ w["head_4_weight"].T + w["head_4_bias"]
    if "temperature" in w:  # set on held-out digits at training (training.train_digits)
        logits /= w["temperature"]
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)
