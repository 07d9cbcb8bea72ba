"""Hand-made pages for the marks tests: a white sheet with drawn stamps and signatures."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.layout import LocatedForm, SignatureBox
from pipeline.model import BBox, Transform
from pipeline.pages import NormalisedPage, Page


def make_page(image: np.ndarray, *, media_type: str = "image/png") -> NormalisedPage:
    """A NormalisedPage whose corrected frame is the original (identity transform)."""
    gray = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), np.uint8)
    binary = np.asarray(cv2.threshold(gray, 160, 255, cv2.THRESH_BINARY_INV)[1], np.uint8)
    h, w = gray.shape
    source = Page(
        path="test.png", sha256="0" * 64, index=0, page_count=1, media_type=media_type, image=image
    )
    return NormalisedPage(
        source=source,
        image=image,
        gray=gray,
        binary=binary,
        transform=Transform(normalised_width=w, normalised_height=h),
    )


def located(boxes: tuple[SignatureBox, ...] = (), stamp_area: BBox | None = None) -> LocatedForm:
    return LocatedForm(
        template_name="pk-form45",
        form_type="form45",
        type_confidence=1.0,
        tables=(),
        header=(),
        candidate_rows=(),
        totals=(),
        signature_boxes=boxes,
        stamp_area=stamp_area,
    )


def draw_stamp(
    image: np.ndarray, centre: tuple[int, int], radius: int, colour: tuple[int, int, int]
) -> None:
    """A round stamp: two rings with ring text (short dashes) and a word in the middle."""
    cv2.circle(image, centre, radius, colour, 6)
    cv2.circle(image, centre, int(radius * 0.72), colour, 4)
    for angle in np.linspace(0, 2 * np.pi, 28, endpoint=False):
        r = radius * 0.86
        x, y = centre[0] + r * np.cos(angle), centre[1] + r * np.sin(angle)
        cv2.putText(image, "A", (int(x) - 6, int(y) + 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 2)
    cv2.putText(
        image, "PO", (centre[0] - 25, centre[1] + 12), cv2.FONT_HERSHEY_SIMPLEX, 1.2, colour, 3
    )


def draw_scribble(image: np.ndarray, box: BBox, seed: int) -> None:
    """A signature-like scribble: a tall looping stroke across the box."""
    rng = np.random.default_rng(seed)
    n = 14
    xs = np.linspace(box.x0 + 20, box.x1 - 20, n)
    ys = box.y0 + box.height / 2 + rng.uniform(-0.35, 0.35, n) * box.height
    points = np.stack([xs, ys], axis=1).astype(np.int32)
    cv2.polylines(image, [points], False, (40, 30, 20), 3)


def draw_note(image: np.ndarray, box: BBox) -> None:
    """A one-line written note ("refused"): small, even letters on one baseline."""
    cv2.putText(
        image,
        "refused",
        (box.x0 + 30, box.y0 + box.height // 2 + 8),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.8,
        (40, 30, 20),
        2,
    )
