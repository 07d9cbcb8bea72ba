"""The digit and overwrite networks, run by ONNX Runtime: the only place model files are
read.

`models/digits/digits.onnx` (written by training/train_digits.py, graph in
training/onnx_graph.py): three 3x3 conv + ReLU + 2x2 max-pool blocks (batch norm folded
into the convolutions at training), a 128-unit dense layer, 11 outputs (digits 0-9,
reject) whose softmax, the temperature folded in, gives calibrated probabilities.
`models/overwrite/overwrite.onnx` (training/train_overwrite.py) is the same graph with
two outputs: one digit's strokes in a box, or two (`pipeline.strokes`).

ONNX Runtime runs this graph in 0.11 ms a digit on one core where OpenCV's DNN module
took 0.21 ms, with the same readings (probabilities within 6e-7; benchmarks/RESULTS.md,
Digits).
A session runs on one thread (the batch's parallelism is its processes), is made once
per process and model file, and is safe to share between a Dask worker's threads.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort

from pipeline.errors import MissingDependency

MODELS = Path(__file__).resolve().parent.parent.parent / "models"
MODEL_PATH = MODELS / "digits" / "digits.onnx"
# the overwrite network (training/train_overwrite.py): the same graph, two outputs (one
# digit's strokes in the box, or two digits', one written over the other)
OVERWRITE_PATH = MODELS / "overwrite" / "overwrite.onnx"
_TRAINED_BY = {"digits": "train_digits", "overwrite": "train_overwrite"}
REJECT = 10
INPUT = "digits"  # the graph's input (training/onnx_graph.py)
ERROR_LEVEL = 3  # ONNX Runtime's logging: errors only

_sessions: dict[tuple[int, Path], ort.InferenceSession] = {}
_making = threading.Lock()


def network(path: Path = MODEL_PATH) -> ort.InferenceSession:
    """The network in an ONNX file, loaded once per process (a forked worker loads its own)."""
    key = (os.getpid(), path)
    made = _sessions.get(key)
    if made is not None:
        return made
    with _making:
        if key not in _sessions:
            _sessions[key] = _session(path)
    return _sessions[key]


def _session(path: Path) -> ort.InferenceSession:
    if not path.is_file():
        trainer = _TRAINED_BY.get(path.stem, "train_digits")
        raise MissingDependency(
            f"model not found at {path} (rebuild it: python -m training.{trainer})"
        )
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = ERROR_LEVEL
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ONNX Runtime's errors share no base class but Exception
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MissingDependency(f"model at {path} is unreadable: {reason}") from exc
    names = [i.name for i in session.get_inputs()]
    if names != [INPUT]:
        raise MissingDependency(f"model at {path} takes {names}, not [{INPUT!r}]")
    return session


def digit_probabilities(digits: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 MNIST-style crops (white ink on black) -> (N, 11) probabilities."""
    return probabilities_with(network(), digits)


def overwrite_probabilities(views: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 digit views (`pipeline.strokes`) -> (N,) probability that each box
    holds two digits, one written over the other."""
    return probabilities_with(network(OVERWRITE_PATH), views, classes=2)[:, 1]


def probabilities_with(
    net: ort.InferenceSession, digits: np.ndarray, classes: int = 11
) -> np.ndarray:
    """This network on (N, 28, 28) uint8 crops."""
    if len(digits) == 0:
        return np.zeros((0, classes), np.float32)
    inputs = digits.astype(np.float32)[:, None] / np.float32(255.0)
    (probabilities,) = net.run(None, {INPUT: inputs})
    return np.asarray(probabilities, np.float32).reshape(len(digits), classes)
