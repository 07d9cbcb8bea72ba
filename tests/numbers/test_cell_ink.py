"""The reader's shortcuts give exactly what the plain operations give: the ruling opening
run on the rows and columns that can hold a rule, percentiles read off a histogram."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.numbers import _straight_runs, percentile


def _ink_with_runs(rng: np.random.Generator) -> np.ndarray:
    """Speckle, strokes and straight runs of any length, some cut by the crop's edge."""
    h, w = int(rng.integers(12, 90)), int(rng.integers(12, 300))
    ink = np.where(rng.random((h, w)) < 0.15, 255, 0).astype(np.uint8)
    for _ in range(int(rng.integers(0, 6))):
        if rng.random() < 0.5:
            y, x0 = int(rng.integers(0, h)), int(rng.integers(-w // 2, w))
            ink[y, max(0, x0) : max(0, x0 + int(rng.integers(1, w + 1)))] = 255
        else:
            x, y0 = int(rng.integers(0, w)), int(rng.integers(-h // 2, h))
            ink[max(0, y0) : max(0, y0 + int(rng.integers(1, h + 1))), x] = 255
    return ink


@pytest.mark.parametrize("seed", range(40))
def test_straight_runs_are_what_opening_the_whole_crop_keeps(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(10):
        ink = _ink_with_runs(rng)
        h, w = ink.shape
        for length in {10, max(10, int(w * 0.6)), int(rng.integers(2, w + 2))}:
            whole = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
            assert np.array_equal(_straight_runs(ink, length, along_rows=True), whole)
        for length in {10, max(10, int(h * 0.85)), int(rng.integers(2, h + 2))}:
            whole = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
            assert np.array_equal(_straight_runs(ink, length, along_rows=False), whole)


@pytest.mark.parametrize("q", [0, 2, 25, 50, 97.5, 100])
def test_percentile_of_uint8_is_numpys(q: float) -> None:
    rng = np.random.default_rng(int(q * 10))
    for size in (1, 2, 3, 7, 100, 1001):
        values = rng.integers(0, 256, size).astype(np.uint8)
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-9)
        clumped = rng.choice(np.array([3, 200], np.uint8), size)
        assert percentile(clumped, q) == pytest.approx(float(np.percentile(clumped, q)), abs=1e-9)


def test_digit_boxes_of_a_crop_with_more_specks_than_16_bit_labels_hold() -> None:
    """65,536 isolated specks (one on every other row and column of 511 x 511): labelled
    with 32-bit labels (OpenCV raises when 16-bit ones run out), each too small to keep."""
    from pipeline.numbers import digit_boxes

    specks = np.zeros((511, 511), np.uint8)
    specks[::2, ::2] = 255
    assert digit_boxes(specks) == []
    specks[200:320, 100:104] = 255  # and a stroke among them is still found
    assert [(x, h) for x, _, _, h in digit_boxes(specks)] == [(100, 121)]
