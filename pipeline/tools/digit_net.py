"""The digit network, run by OpenCV's DNN module: the only place the model file is read.

`models/digits/digits.onnx` (written by training/train_digits.py, graph in
training/onnx_graph.py): three 3x3 conv + ReLU + 2x2 max-pool blocks (batch norm folded
into the convolutions at training), a 128-unit dense layer, 11 outputs (digits 0-9,
reject) whose softmax, the temperature folded in, gives calibrated probabilities.
The network is loaded once per process and thread (a DNN net keeps its input and
buffers, so threads of one Dask worker must not share one) and cached.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from pipeline.errors import MissingDependency

MODEL_PATH = Path(__file__).resolve().parent.parent.parent / "models" / "digits" / "digits.onnx"
REJECT = 10

_loaded = threading.local()


def network(path: Path = MODEL_PATH) -> cv2.dnn.Net:
    """The network in an ONNX file, read once per thread."""
    nets: dict[Path, cv2.dnn.Net] = _loaded.__dict__.setdefault("nets", {})
    if path not in nets:
        if not path.is_file():
            raise MissingDependency(
                f"digit model not found at {path} (rebuild it: python -m training.train_digits)"
            )
        try:
            nets[path] = cv2.dnn.readNetFromONNX(str(path))
        except cv2.error as exc:
            raise MissingDependency(f"digit model at {path} is unreadable: {exc}") from exc
    return nets[path]


def digit_probabilities(digits: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 MNIST-style crops (white ink on black) -> (N, 11) probabilities."""
    return probabilities_with(network(), digits)


def probabilities_with(net: cv2.dnn.Net, digits: np.ndarray) -> np.ndarray:
    """This network on (N, 28, 28) uint8 crops."""
    if len(digits) == 0:
        return np.zeros((0, 11), np.float32)
    net.setInput(digits.astype(np.float32)[:, None] / np.float32(255.0))
    return np.asarray(net.forward(), np.float32).reshape(len(digits), 11)
