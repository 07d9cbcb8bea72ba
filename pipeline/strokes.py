"""The learned overwrite test: two digits' strokes in one digit's box.

`numbers.double_ink` sees an overwrite where ink is laid twice: far darker where the
second digit's strokes cross the first's. A digit drawn inside another's strokes in the
same pen (a "7" over a "5", a "3" over a "2", a "6" round a "1") lays little ink twice, yet
leaves the strokes of two digits in one box, plain to the eye. The overwrite network
(models/overwrite/overwrite.onnx, trained by training/train_overwrite.py on MNIST's
training digits written into cells, some written over) says how likely each digit's box
holds two.

It sees each digit as `digit_views` draws it: the ink's darkness over the paper, on the
scale of the figure's own ink (a single layer's median at half the range, so ink laid
twice still stands out), cut to the digit's box and set in 28x28 as MNIST is.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.model import BBox
from pipeline.numbers import cell_ink, laid_twice_each, mnist_normalise, percentile
from pipeline.tools.digit_net import overwrite_probabilities

Box = tuple[int, int, int, int]  # x, y, w, h in the cell crop

PAPER_PERCENTILE = 90  # the cell's paper: most of a figure's cell is blank
SINGLE_LAYER = 0.5  # of the view's range: the figure's median ink darkness


@dataclass(frozen=True)
class StrokesOverwritten:
    """The digit the network thinks likeliest written over: its place in the figure, its
    box in the cell crop, its probability of holding two digits, and its ink laid twice
    as `numbers.double_ink` measures it (pixels per pixel of its height; its darkest
    strokes' level over the paper's); and every box's darkest strokes' level, the
    figure's single layer of ink beside it (`read._Figures`)."""

    index: int
    box: BBox
    probability: float
    per_height: float
    depth: float
    depths: tuple[float, ...] = ()


def darkness(gray: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The cell's ink darkness (uint8): 0 on paper and off the ink (with a pixel's margin
    for soft edges), the figure's median ink darkness at SINGLE_LAYER of 255, ink twice as
    dark at 255."""
    paper = max(percentile(gray.ravel(), PAPER_PERCENTILE), 1.0)
    dark = np.clip((paper - gray.astype(np.float32)) / paper, 0.0, 1.0)
    near = cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0
    dark[~near] = 0.0
    inked = dark[ink > 0]
    level = float(np.median(inked)) if inked.size else 0.0
    if level <= 0.0:
        return np.zeros(gray.shape, np.uint8)
    scaled = dark * (SINGLE_LAYER * 255.0 / level)
    out: np.ndarray = np.clip(scaled, 0, 255).astype(np.uint8)
    return out


def digit_views(gray: np.ndarray, ink: np.ndarray, boxes: list[Box]) -> np.ndarray:
    """(N, 28, 28) uint8: each box's darkness, MNIST-normalised (training uses this too)."""
    dark = darkness(gray, ink)
    views = [mnist_normalise(dark[y : y + h, x : x + w]) for x, y, w, h in boxes]
    return np.stack(views) if views else np.zeros((0, 28, 28), np.uint8)


def overwritten_strokes(cell: np.ndarray, boxes: list[Box]) -> StrokesOverwritten | None:
    """In a cell crop (grey or BGR) whose digits the reader cut into `boxes`: the box
    likeliest to hold two digits' strokes, with that probability (None: no box)."""
    if not boxes:
        return None
    gray = cell if cell.ndim == 2 else cv2.cvtColor(cell, cv2.COLOR_BGR2GRAY)
    ink = cell_ink(gray)
    probabilities = overwrite_probabilities(digit_views(gray, ink, boxes))
    best = int(np.argmax(probabilities))
    x, y, w, h = boxes[best]
    measured = laid_twice_each(gray, ink, boxes)
    per_height, depth = measured[best]
    return StrokesOverwritten(
        index=best,
        box=BBox(x0=x, y0=y, x1=x + w, y1=y + h),
        probability=float(probabilities[best]),
        per_height=per_height,
        depth=depth,
        depths=tuple(level for _, level in measured),
    )
