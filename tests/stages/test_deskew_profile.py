"""The deskew and illumination shortcuts give the pixels of the plain computations."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.stages.normalise import (
    PAPER_GREY,
    _ink,
    _profile_score,
    _truncated_quotient,
    find_skew,
)


def _whole_frame_score(ink: np.ndarray, angle: float) -> float:
    """The reference: the whole frame warped, then its row profile scored."""
    h, w = ink.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST)
    profile = rotated.sum(axis=1, dtype=np.int64).astype(np.float64)
    return float(np.sum(np.diff(profile) ** 2))


def _rotated_page(angle: float) -> np.ndarray:
    """A gray 636 x 900 page of text-like bars, ink near one edge, rotated by `angle`."""
    page = np.full((900, 636), 250, np.uint8)
    for y in range(80, 860, 22):
        for x in range(40, 560, 70):
            cv2.rectangle(page, (x, y), (x + 50, y + 7), 15, -1)
    cv2.rectangle(page, (600, 20), (635, 899), 30, -1)  # a dark band that rotates out
    m = cv2.getRotationMatrix2D((318, 450), angle, 1.0)
    return cv2.warpAffine(page, m, (636, 900), borderValue=250)


@pytest.mark.parametrize("page_angle", [-4.3, 0.0, 2.7])
def test_profile_score_equals_warping_the_whole_frame(page_angle: float) -> None:
    ink = _ink(_rotated_page(page_angle), 1)
    bounds = cv2.boundingRect(ink)
    for angle in (-6.3, -2.7, -0.05, 0.0, 0.02, 1.1, 4.3, 6.3):
        assert _profile_score(ink, bounds, angle) == _whole_frame_score(ink, angle)


def test_profile_score_of_a_blank_page_is_zero() -> None:
    ink = np.zeros((90, 60), np.uint8)
    assert _profile_score(ink, cv2.boundingRect(ink), 3.0) == 0.0


def test_find_skew_undoes_the_rotation_of_a_bar_page() -> None:
    assert abs(find_skew(_rotated_page(2.7)) + 2.7) <= 0.06


def test_truncated_quotient_truncates_every_pair_of_grey_levels() -> None:
    gray = np.tile(np.arange(256, dtype=np.uint8), (255, 1))
    background = np.repeat(np.arange(1, 256, dtype=np.uint8)[:, None], 256, axis=1)
    exact = np.minimum(int(PAPER_GREY) * gray.astype(np.int64) // background, 255)
    assert np.array_equal(_truncated_quotient(gray, background), exact)


def test_truncated_quotient_fills_a_page_of_many_strips() -> None:
    rng = np.random.default_rng(5)
    gray = rng.integers(0, 256, (301, 77), dtype=np.uint8)
    background = rng.integers(1, 256, (301, 77), dtype=np.uint8)
    flat = cv2.divide(gray, background, scale=PAPER_GREY, dtype=cv2.CV_32F)
    expected = np.clip(flat, 0, 255).astype(np.uint8)
    assert np.array_equal(_truncated_quotient(gray, background), expected)
