"""Handwritten figures from real MNIST digits (GENERATOR split only) and printed figures."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from pipeline.digitdata import DigitSplit, load_digits
from pipeline.synth.fonts import font
from pipeline.synth.ink import Alpha


@cache
def _bank() -> tuple[tuple[np.ndarray, ...], ...]:
    """GENERATOR-split digits grouped by class, each cropped to its ink."""
    images, labels = load_digits(DigitSplit.GENERATOR)
    groups: list[list[np.ndarray]] = [[] for _ in range(10)]
    for image, label in zip(images, labels, strict=True):
        ys, xs = np.nonzero(image > 40)
        if len(xs) == 0:
            continue
        groups[int(label)].append(image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
    return tuple(tuple(g) for g in groups)


@dataclass(frozen=True)
class Hand:
    """One writer's habits: applied to every figure they write on a form."""

    height_ratio: float  # digit height as a fraction of the cell height
    slant: float  # horizontal shear
    stroke: int  # -1 thinner, 0 as is, 1 or 2 thicker
    spacing: float  # gap between digits as a fraction of digit height

    @staticmethod
    def random(rng: np.random.Generator) -> Hand:
        return Hand(
            height_ratio=float(rng.uniform(0.5, 0.68)),
            slant=float(rng.normal(0.12, 0.1)),
            stroke=int(rng.choice([-1, 0, 0, 1, 1, 2])),
            spacing=float(rng.uniform(0.02, 0.2)),
        )


def _digit_alpha(digit: int, height: int, hand: Hand, rng: np.random.Generator) -> Alpha:
    samples = _bank()[digit]
    sample = samples[int(rng.integers(len(samples)))]
    h = max(8, int(height * rng.uniform(0.9, 1.08)))
    w = max(3, int(sample.shape[1] * h / sample.shape[0] * rng.uniform(0.9, 1.1)))
    glyph = cv2.resize(sample, (w, h), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    slant = hand.slant + rng.normal(0, 0.03)
    pad = int(abs(slant) * h) + 2
    shear = np.float32([[1, -slant, pad + (slant * h if slant > 0 else 0)], [0, 1, 0]])
    glyph = cv2.warpAffine(glyph, shear, (w + 2 * pad, h), flags=cv2.INTER_LINEAR)
    if hand.stroke > 0:
        size = 1 + 2 * hand.stroke
        glyph = cv2.dilate(glyph, np.ones((size, size), np.uint8))
    elif hand.stroke < 0:
        glyph = cv2.erode(glyph, np.ones((2, 2), np.uint8))
    alpha = np.clip(glyph / 255.0, 0, 1) ** 0.8
    cols = np.nonzero(alpha.max(axis=0) > 0.1)[0]
    if len(cols):
        alpha = alpha[:, cols.min() : cols.max() + 1]
    return alpha.astype(np.float32)


@dataclass(frozen=True)
class WrittenNumber:
    alpha: Alpha
    digit_spans: tuple[tuple[int, int], ...]  # x ranges of each digit within alpha


def handwritten_number(
    text: str, cell_height: int, hand: Hand, rng: np.random.Generator
) -> WrittenNumber:
    """Compose a figure such as "173" from real handwritten digits."""
    height = int(cell_height * hand.height_ratio)
    parts: list[Alpha] = []
    for char in text:
        if char.isdigit():
            parts.append(_digit_alpha(int(char), height, hand, rng))
        else:  # a dash written for zero / nil
            dash = np.zeros((height, max(6, height // 2)), np.float32)
            y = height // 2 + int(rng.integers(-3, 4))
            cv2.line(
                dash,
                (1, y),
                (dash.shape[1] - 2, y + int(rng.integers(-2, 3))),
                1.0,
                max(2, height // 14),
                cv2.LINE_AA,
            )
            parts.append(dash)
    gap = int(hand.spacing * height)
    jitter = [int(rng.integers(-max(1, height // 16), max(2, height // 16))) for _ in parts]
    total_w = sum(p.shape[1] for p in parts) + gap * (len(parts) - 1)
    canvas = np.zeros((height + 2 * max(2, height // 8), max(1, total_w)), np.float32)
    x, spans = 0, []
    for part, dy in zip(parts, jitter, strict=True):
        y = max(
            0, min(canvas.shape[0] - part.shape[0], canvas.shape[0] // 2 - part.shape[0] // 2 + dy)
        )
        region = canvas[y : y + part.shape[0], x : x + part.shape[1]]
        np.maximum(region, part[:, : region.shape[1]], out=region)
        spans.append((x, x + part.shape[1]))
        x += part.shape[1] + gap
    return WrittenNumber(alpha=canvas, digit_spans=tuple(spans))


def overwrite_digit(
    written: WrittenNumber, position: int, new_digit: int, hand: Hand, rng: np.random.Generator
) -> tuple[Alpha, Alpha]:
    """Write `new_digit` over the digit at `position` (e.g. 173 -> 973), pressing harder.

    Returns two ink layers of one size, the first figure and the digit written over it,
    to be laid one after the other (so ink over ink comes out darker, as on paper).
    """
    x0, x1 = written.digit_spans[position]
    height = int(written.alpha.shape[0] / (1 + 2 / 8) * rng.uniform(0.98, 1.1))
    bold = Hand(hand.height_ratio, hand.slant, max(hand.stroke, 1), hand.spacing)
    glyph = _digit_alpha(new_digit, min(height, written.alpha.shape[0]), bold, rng)
    out = written.alpha.copy()
    cx = (x0 + x1) // 2 - glyph.shape[1] // 2
    pad_left = max(0, -cx)
    if pad_left:
        out = np.pad(out, ((0, 0), (pad_left, 0)))
        cx = 0
    if cx + glyph.shape[1] > out.shape[1]:
        out = np.pad(out, ((0, 0), (0, cx + glyph.shape[1] - out.shape[1])))
    y = (out.shape[0] - glyph.shape[0]) // 2
    layer = np.zeros_like(out)
    layer[y : y + glyph.shape[0], cx : cx + glyph.shape[1]] = glyph
    return out, layer


def printed_number(text: str, size: int) -> WrittenNumber:
    """A typed figure as an alpha mask with each digit's x range (as `handwritten_number`
    gives them), so that a hand can write over one of its digits."""
    f = font("sans", size)
    left = f.getbbox(text)[0]
    edges = [2 - left + round(f.getlength(text[:i])) for i in range(len(text) + 1)]
    return WrittenNumber(
        alpha=printed_text_alpha(text, size, "sans"),
        digit_spans=tuple((a, b) for a, b in itertools.pairwise(edges)),
    )


def printed_text_alpha(text: str, size: int, face: str = "sans") -> Alpha:
    """Typed text as an alpha mask (for printed figures and pre-filled fields)."""
    f = font(face, size)
    left, top, right, bottom = f.getbbox(text)
    image = Image.new("L", (max(1, right - left + 4), max(1, bottom - top + 4)), 0)
    ImageDraw.Draw(image).text((2 - left, 2 - top), text, font=f, fill=255)
    return (np.asarray(image, dtype=np.float32) / 255.0).astype(np.float32)
