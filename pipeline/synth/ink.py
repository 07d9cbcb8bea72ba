"""Ink on paper: alpha masks (float32 in 0..1, shape (H, W)) composited onto a page."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Alpha = NDArray[np.float32]
Canvas = NDArray[np.uint8]  # (H, W, 3) RGB

BLUE_BALLPOINT = (28, 42, 140)
BLACK_BALLPOINT = (30, 30, 38)
STAMP_INKS = {"blue": (40, 70, 190), "violet": (110, 40, 150), "black": (35, 35, 40)}


def composite(canvas: Canvas, alpha: Alpha, colour: tuple[int, int, int], x: int, y: int) -> None:
    """Blend `colour` into `canvas` (in place) through `alpha`, top-left at (x, y); clipped."""
    h, w = alpha.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas.shape[1], x + w), min(canvas.shape[0], y + h)
    if x1 <= x0 or y1 <= y0:
        return
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x, None]
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    ink = np.asarray(colour, dtype=np.float32) / 255.0
    # ink filters the light: each layer multiplies what is under it (ink over ink is darker)
    blended = region * (1.0 - a * (1.0 - ink))
    canvas[y0:y1, x0:x1] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def white_out(
    canvas: Canvas, x0: int, y0: int, x1: int, y1: int, rng: np.random.Generator
) -> np.ndarray:
    """Correction fluid: a bright, flat, slightly uneven patch (in place); returns it."""
    h, w = y1 - y0, x1 - x0
    base = rng.uniform(253, 255.5)  # correction fluid is whiter than off-white paper
    patch = base + rng.normal(0, 0.8, size=(h, w, 1)) + np.linspace(-2, 2, w)[None, :, None]
    tint = np.asarray([1.0, 1.0, rng.uniform(0.975, 0.99)], dtype=np.float32)
    canvas[y0:y1, x0:x1] = np.clip(patch * tint, 0, 255).astype(np.uint8)
    # the dried fluid's raised edge throws a thin grey shadow along two sides
    shade = rng.uniform(212, 230)
    canvas[y1 - 2 : y1, x0:x1] = shade
    canvas[y0:y1, x1 - 2 : x1] = shade
    return canvas[y0:y1, x0:x1].copy()
