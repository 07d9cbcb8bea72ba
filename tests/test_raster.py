"""Shrinking pages: the fast path gives the size and picture of a direct area resize."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.raster import shrink


@pytest.mark.parametrize(
    ("shape", "scale"), [((3508, 2480), 1 / 8), ((3508, 2480), 0.285), ((2339, 1654), 0.75)]
)
def test_shrink_matches_a_direct_area_resize(shape: tuple[int, int], scale: float) -> None:
    rng = np.random.default_rng(3)
    # a page-like image: paper with blocks of ink, not noise (noise averages to grey)
    page = np.full(shape, 235, np.uint8)
    for _ in range(400):
        y, x = int(rng.integers(0, shape[0] - 40)), int(rng.integers(0, shape[1] - 200))
        page[y : y + int(rng.integers(3, 40)), x : x + int(rng.integers(3, 200))] = 20
    h, w = shape
    target = (round(w * scale), round(h * scale))
    direct = cv2.resize(page, target, interpolation=cv2.INTER_AREA)
    fast = shrink(page, scale)
    assert fast.shape == direct.shape
    # the same picture: halving may shift an odd last row or column by under a pixel
    assert abs(float(fast.mean()) - float(direct.mean())) < 1.0
    assert np.corrcoef(fast.ravel(), direct.ravel())[0, 1] > 0.95


def test_shrink_keeps_a_small_image_as_it_is() -> None:
    image = np.arange(100, dtype=np.uint8).reshape(10, 10)
    assert np.array_equal(shrink(image, 1.0), image)
