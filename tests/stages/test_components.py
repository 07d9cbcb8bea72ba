"""Large pieces from outlines: the same boxes, order, pixel counts and pixels as labelling
every pixel with OpenCV."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.components import large_pieces, piece_boxes


def _masks() -> list[np.ndarray]:
    rng = np.random.default_rng(4)
    masks = []
    for i in range(60):
        shape = (int(rng.integers(40, 300)), int(rng.integers(40, 300)))
        mask = (rng.random(shape) < rng.uniform(0.05, 0.6)).astype(np.uint8) * 255
        if i % 3 == 0:  # larger pieces with holes, some touching the border
            mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        masks.append(mask)
    ring = np.zeros((200, 200), np.uint8)  # a piece inside another's hole
    cv2.circle(ring, (100, 100), 80, 255, 6)
    cv2.rectangle(ring, (80, 80), (120, 120), 255, -1)
    return [*masks, ring, np.zeros((50, 50), np.uint8)]


@pytest.mark.parametrize("mask", _masks())
def test_piece_boxes_are_the_labelled_boxes_in_label_order(mask: np.ndarray) -> None:
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    assert piece_boxes(mask) == [tuple(int(v) for v in stats[i, :4]) for i in range(1, count)]


@pytest.mark.parametrize("mask", _masks())
def test_large_pieces_carry_the_labelled_pixels(mask: np.ndarray) -> None:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    wanted = [i for i in range(1, count) if stats[i, 2] >= 6 and 5 <= stats[i, 3] <= 40]
    pieces = large_pieces(mask, min_width=6, min_height=5, max_height=40)
    assert len(pieces) == len(wanted)
    for piece, label in zip(pieces, wanted, strict=True):
        x, y, w, h, area = (int(v) for v in stats[label])
        assert (piece.x, piece.y, piece.width, piece.height, piece.area) == (x, y, w, h, area)
        assert np.array_equal(piece.pixels, labels[y : y + h, x : x + w] == label)
