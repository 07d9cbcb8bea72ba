"""The digit model's runtime: a missing or corrupt model file is a one-line
MissingDependency (exit code at the CLI), and the bundled model reads a digit."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.errors import MissingDependency
from pipeline.tools import digit_net


def test_a_missing_model_file_says_how_to_rebuild_it(tmp_path: Path) -> None:
    with pytest.raises(MissingDependency, match="train_digits"):
        digit_net.network(tmp_path / "digits.onnx")


def test_a_corrupt_model_file_is_one_line_reason(tmp_path: Path) -> None:
    path = tmp_path / "digits.onnx"
    path.write_bytes(b"\x08\x07 not a protobuf")
    with pytest.raises(MissingDependency, match="unreadable") as raised:
        digit_net.network(path)
    assert "\n" not in str(raised.value)


def test_the_bundled_model_reads_a_drawn_seven_and_is_loaded_once() -> None:
    canvas = np.zeros((28, 28), np.uint8)
    cv2.line(canvas, (7, 6), (21, 6), 255, 3)
    cv2.line(canvas, (21, 6), (12, 23), 255, 3)
    probabilities = digit_net.digit_probabilities(np.stack([canvas, np.zeros_like(canvas)]))
    assert probabilities.shape == (2, 11)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert int(np.argmax(probabilities[0])) == 7
    assert digit_net.network() is digit_net.network()
    assert digit_net.digit_probabilities(np.zeros((0, 28, 28), np.uint8)).shape == (0, 11)
