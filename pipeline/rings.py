"""A stamp's outer ring: the ellipse on which the outermost ink round a centre lies.

The stamp detector's passes box an impression by what they see of it: a tilted oval's
inner ring, a circle fitted into an oval, a blob whose faint end fell away. Two copies of
one pasted impression boxed so unlike stretch into unlike fingerprints (seed 9023:
PB-210's paste boxed at 73% of its extent on one form and 88% on another, 24 hash bits
apart). Whatever a pass boxed, the impression's outer ring is the outermost ink along
most rays from its middle: rays are cast from the box's centre, the last ink on each (up
to RAY_REACH times as far as the box's edge) is kept, and the ellipse through most of
those points is found by consensus (RANSAC over `cv2.fitEllipse`), so that rays that
end on a signature, printed text or a rule beside the stamp are outvoted.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.model import BBox

RAYS = 90
RAY_START = 0.5  # of the way to the box's edge: rays look for ink from here outwards ...
RAY_REACH = 1.4  # ... up to here
RING_TOLERANCE = 0.04  # a point on the ring: its elliptic radius within 4% of 1
# ellipses fitted to samples of SAMPLE points (the fewest an ellipse needs): with 60% of
# the points on the ring, a sample all on it comes one time in 13, and none in TRIALS
# one time in 3,000
TRIALS = 100
SAMPLE = 5
# the consensus ellipse must hold this share of the rays' last ink: on seed 9023's cut
# boxes 0.81-1.0; a signature's scribble boxed as a candidate 0.36
RING_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class Ellipse:
    """Centre, full axes and angle (degrees), as `cv2.fitEllipse` gives them."""

    cx: float
    cy: float
    width: float
    height: float
    angle: float

    def bbox(self, page_width: int, page_height: int) -> BBox:
        turn = np.radians(self.angle)
        half_w = 0.5 * np.hypot(self.width * np.cos(turn), self.height * np.sin(turn))
        half_h = 0.5 * np.hypot(self.width * np.sin(turn), self.height * np.cos(turn))
        return BBox(
            x0=max(0, int(self.cx - half_w)),
            y0=max(0, int(self.cy - half_h)),
            x1=min(page_width, int(np.ceil(self.cx + half_w))),
            y1=min(page_height, int(np.ceil(self.cy + half_h))),
        )

    def radii(self, points: np.ndarray) -> np.ndarray:
        """Each point's elliptic radius (1 on the ellipse)."""
        cos_a, sin_a = np.cos(np.radians(self.angle)), np.sin(np.radians(self.angle))
        dx, dy = points[:, 0] - self.cx, points[:, 1] - self.cy
        u = (dx * cos_a + dy * sin_a) / max(self.width / 2, 1e-3)
        v = (-dx * sin_a + dy * cos_a) / max(self.height / 2, 1e-3)
        return np.asarray(np.hypot(u, v))


def _fitted(points: np.ndarray) -> Ellipse | None:
    try:
        (cx, cy), (width, height), angle = cv2.fitEllipse(points)
    except cv2.error:
        return None
    if not np.isfinite([cx, cy, width, height]).all() or min(width, height) <= 1:
        return None
    return Ellipse(float(cx), float(cy), float(width), float(height), float(angle))


def last_ink(ink: np.ndarray, box: BBox) -> np.ndarray:
    """Per ray from the box's centre, the outermost ink pixel between RAY_START and
    RAY_REACH of the way to the box's edge (float32 points; rays without ink give none)."""
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    half_w, half_h = max(box.width / 2, 1.0), max(box.height / 2, 1.0)
    turns = np.linspace(0, 2 * np.pi, RAYS, endpoint=False)
    dx, dy = np.cos(turns), np.sin(turns)
    with np.errstate(divide="ignore"):
        edge = np.minimum(half_w / np.abs(dx), half_h / np.abs(dy))
    along = np.linspace(RAY_START, RAY_REACH, round((RAY_REACH - RAY_START) * max(half_w, half_h)))
    reach = edge[:, None] * along[None, :]  # rays x steps, in pixels from the centre
    xs, ys = (cx + reach * dx[:, None]).astype(int), (cy + reach * dy[:, None]).astype(int)
    height, width = ink.shape[:2]
    on_page = (xs >= 0) & (ys >= 0) & (xs < width) & (ys < height)
    inked = np.zeros(xs.shape, bool)
    inked[on_page] = ink[ys[on_page], xs[on_page]] > 0
    rays = np.flatnonzero(inked.any(axis=1))
    last = len(along) - 1 - np.argmax(inked[rays, ::-1], axis=1)
    points = np.stack([xs[rays, last], ys[rays, last]], axis=1)
    return np.asarray(points, np.float32).reshape(-1, 2)


def _thickened(ink: np.ndarray, box: BBox) -> tuple[np.ndarray, int, int]:
    """The page's ink within reach of the box's rays, thickened by a pixel (a thin ring
    broken by the capture's noise still stops a ray), and where that region starts."""
    grow_x, grow_y = round(RAY_REACH * box.width), round(RAY_REACH * box.height)
    x0, y0 = max(0, box.x0 - grow_x), max(0, box.y0 - grow_y)
    x1, y1 = min(ink.shape[1], box.x1 + grow_x), min(ink.shape[0], box.y1 + grow_y)
    return cv2.dilate(ink[y0:y1, x0:x1], np.ones((3, 3), np.uint8)), x0, y0


def outer_ring(ink: np.ndarray, box: BBox) -> Ellipse | None:
    """The ellipse on which RING_SHARE or more of the rays' last ink lies (`last_ink`),
    no narrower than half the box nor wider than RAY_REACH times it; None if there is none.
    `ink`: the page's ink mask (uint8, non-zero = ink)."""
    near, x0, y0 = _thickened(ink, box)
    moved = BBox(x0=box.x0 - x0, y0=box.y0 - y0, x1=box.x1 - x0, y1=box.y1 - y0)
    points = last_ink(near, moved) + np.array([x0, y0], np.float32)
    if len(points) < RING_SHARE * RAYS:
        return None
    # the same samples every time: the same ring for the same page, run after run
    samples = np.random.default_rng(0).random((TRIALS, len(points))).argsort(axis=1)
    smallest = 0.5 * min(box.width, box.height)
    largest = RAY_REACH * max(box.width, box.height)
    best, held = None, 0
    for sample in samples[:, :SAMPLE]:
        trial = _fitted(points[sample])
        if trial is None or min(trial.width, trial.height) < smallest:
            continue
        if max(trial.width, trial.height) > largest:
            continue
        count = int(np.count_nonzero(np.abs(trial.radii(points) - 1) < RING_TOLERANCE))
        if count > held:
            best, held = trial, count
    if best is None or held < RING_SHARE * RAYS:
        return None
    return _fitted(points[np.abs(best.radii(points) - 1) < RING_TOLERANCE])
