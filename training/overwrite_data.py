"""Training data for the overwrite network: figures written into cells, some with one digit
written over another, each digit seen by the reader's own cut and `strokes.digit_views`.

Handwritten digits are MNIST's training digits less every digit of the GENERATOR and TEST
splits (`digit_data.without_overlap`), as for the digit model; the synthetic forms the
benchmarks read are written with the GENERATOR split only, so the network is measured
on hands it never saw. Typed figures are rendered from the installed fonts.

An overwrite is a second digit, another than the first, written over one digit of the
figure at about its height, centred on it give or take a fifth of its width, in a pen as
bold or bolder; its ink filters the light again where it crosses the first (ink over ink
is darker). Cells are then ruled, blurred, scaled down (a phone's capture), made noisy
and JPEG-compressed, each at random.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.numbers import cell_ink, digit_boxes
from pipeline.strokes import digit_views
from training.digit_data import PRINT_FONTS, scanned

OVERWRITTEN_SHARE = 0.4  # of the cells, one digit written over
TYPED_SHARE = 0.15  # of the cells, a typed figure (a pen writes over it when overwritten)
OVERLAP = 0.5  # a box holds the overwrite when it covers this share of its span


@dataclass(frozen=True)
class Hand:
    height: int
    slant: float
    pen: int  # -1 finer, 0, 1 or 2 bolder


def _glyph(image: np.ndarray, hand: Hand, rng: np.random.Generator, bold: int = 0) -> np.ndarray:
    """An MNIST digit (white on black) as an alpha mask at the hand's height and slant."""
    ys, xs = np.nonzero(image > 40)
    glyph = image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
    h = max(8, int(hand.height * rng.uniform(0.92, 1.08)))
    w = max(3, int(glyph.shape[1] * h / glyph.shape[0] * rng.uniform(0.88, 1.12)))
    glyph = cv2.resize(glyph, (w, h), interpolation=cv2.INTER_CUBIC)
    slant = hand.slant + float(rng.normal(0, 0.03))
    pad = int(abs(slant) * h) + 2
    shear = np.float32([[1, -slant, pad + max(0.0, slant * h)], [0, 1, 0]])
    glyph = cv2.warpAffine(glyph, shear, (w + 2 * pad, h))
    pen = max(hand.pen, bold)
    if pen > 0:
        glyph = cv2.dilate(glyph, np.ones((1 + 2 * pen, 1 + 2 * pen), np.uint8))
    elif pen < 0:
        glyph = cv2.erode(glyph, np.ones((2, 2), np.uint8))
    alpha = np.clip(glyph / 255.0, 0, 1) ** 0.8
    cols = np.nonzero(alpha.max(axis=0) > 0.1)[0]
    return alpha[:, cols.min() : cols.max() + 1] if len(cols) else alpha


def _typed(digit: int, height: int, rng: np.random.Generator) -> np.ndarray:
    fonts = [p for p in PRINT_FONTS if Path(p).is_file()]
    font = ImageFont.truetype(fonts[int(rng.integers(len(fonts)))], max(10, int(height * 1.3)))
    left, top, right, bottom = font.getbbox(str(digit))
    canvas = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(canvas).text((2 - left, 2 - top), str(digit), font=font, fill=255)
    return np.asarray(canvas, np.float32) / 255.0


def _lay(layer: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
    """Add `alpha` into `layer` at (x, y), clipped (one pen's ink: strokes of one layer)."""
    h = min(alpha.shape[0], layer.shape[0] - y)
    w = min(alpha.shape[1], layer.shape[1] - x)
    if h > 0 and w > 0:
        region = layer[y : y + h, x : x + w]
        np.maximum(region, alpha[:h, :w], out=region)


def written_cell(
    bank: tuple[np.ndarray, np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, tuple[int, int] | None]:
    """A grey cell holding a figure of one to four digits, and the x span of the digit
    written over (None: a clean figure)."""
    images, labels = bank
    count = int(rng.choice([1, 2, 3, 3, 4]))
    hand = Hand(
        height=int(rng.integers(18, 70)),
        slant=float(rng.normal(0.1, 0.12)),
        pen=int(rng.choice([-1, 0, 0, 1, 1, 2])),
    )
    typed = rng.random() < TYPED_SHARE
    picks = rng.integers(len(images), size=count)
    glyphs = [
        _typed(int(labels[i]), hand.height, rng) if typed else _glyph(images[i], hand, rng)
        for i in picks
    ]
    gap = max(1, int(hand.height * rng.uniform(0.02, 0.25)))
    width = sum(g.shape[1] for g in glyphs) + gap * (count - 1)
    tall = max(g.shape[0] for g in glyphs)
    cell_h = int(tall / rng.uniform(0.5, 0.75)) + 4
    cell_w = width + int(rng.integers(2 * hand.height // 3 + 6, 3 * hand.height + 12))
    first = np.zeros((cell_h, cell_w), np.float32)
    second = np.zeros_like(first)
    x = int(rng.integers(3, max(4, cell_w - width - 3)))
    top = (cell_h - tall) // 2
    spans = []
    for g in glyphs:
        y = top + (tall - g.shape[0]) // 2 + int(rng.integers(-2, 3))
        _lay(first, g, x, max(0, y))
        spans.append((x, x + g.shape[1]))
        x += g.shape[1] + gap
    over = None
    if rng.random() < OVERWRITTEN_SHARE:
        at = int(rng.integers(count))
        others = np.nonzero(labels != labels[picks[at]])[0]
        pen = Hand(int(hand.height * rng.uniform(0.95, 1.1)), hand.slant, hand.pen)
        g = _glyph(images[int(rng.choice(others))], pen, rng, bold=1 if rng.random() < 0.7 else 0)
        x0, x1 = spans[at]
        cx = (x0 + x1) // 2 + int(rng.normal(0, 0.1) * (x1 - x0)) - g.shape[1] // 2
        cx = max(0, min(cell_w - g.shape[1], cx))
        _lay(second, g, cx, max(0, (cell_h - g.shape[0]) // 2 + int(rng.integers(-2, 3))))
        over = (min(x0, cx), max(x1, cx + g.shape[1]))
    paper = float(rng.uniform(170, 250))
    shade = float(rng.uniform(0.05, 0.55))  # the share of light one layer of ink lets through
    typed_shade = float(rng.uniform(0.05, 0.2))
    cell = np.full((cell_h, cell_w), paper, np.float32)
    cell *= 1.0 - first * (1.0 - (typed_shade if typed else shade))
    cell *= 1.0 - second * (1.0 - shade)
    if rng.random() < 0.5:  # the cell's ruling
        cv2.rectangle(cell, (0, 0), (cell_w - 1, cell_h - 1), paper * 0.3, int(rng.integers(1, 4)))
    if rng.random() < 0.3:  # a phone's capture: fewer pixels
        scale = float(rng.uniform(0.45, 0.8))
        small = cv2.resize(cell, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        cell = cv2.resize(small, (cell_w, cell_h), interpolation=cv2.INTER_LINEAR)
    return scanned(cell, rng, blur=(0.4, 1.2), noise=5.0, quality=(30, 95)), over


def cell_views(
    bank: tuple[np.ndarray, np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One cell's digits as the network sees them, and whether each holds the overwrite."""
    cell, over = written_cell(bank, rng)
    ink = cell_ink(cell)
    boxes = digit_boxes(ink)
    views = digit_views(cell, ink, boxes)
    labels = np.zeros(len(boxes), np.int64)
    if over is not None:
        for k, (x, _, w, _) in enumerate(boxes):
            covered = min(x + w, over[1]) - max(x, over[0])
            labels[k] = covered >= OVERLAP * (over[1] - over[0])
    return views, labels


def views_and_labels(
    bank: tuple[np.ndarray, np.ndarray], cells: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """`cells` cells' digit views and labels (deterministic per seed)."""
    rng = np.random.default_rng(seed)
    views, labels = [], []
    for _ in range(cells):
        v, lab = cell_views(bank, rng)
        views.append(v)
        labels.append(lab)
    return np.concatenate(views), np.concatenate(labels)
