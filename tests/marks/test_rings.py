"""A stamp's outer ring found from a box that holds less of it (pipeline.rings), and the
stamp's box grown to it (marks._whole_impression)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.model import BBox
from pipeline.rings import Ellipse, outer_ring
from pipeline.stages.marks import _whole_impression
from tests.marks.conftest import draw_scribble

CENTRE, AXES, ANGLE = (500, 600), (200, 140), 30  # half axes, degrees


def _tilted_oval() -> np.ndarray:
    """Ink mask of an oval stamp turned 30 degrees: outer and inner ring, ring letters,
    two words in the middle, and a printed line of text just beside it."""
    ink = np.zeros((1200, 1000), np.uint8)
    cv2.ellipse(ink, CENTRE, AXES, ANGLE, 0, 360, 255, 5)
    inner = (int(AXES[0] * 0.7), int(AXES[1] * 0.7))
    cv2.ellipse(ink, CENTRE, inner, ANGLE, 0, 360, 255, 3)
    turn = np.radians(ANGLE)
    for t in np.linspace(0, 2 * np.pi, 32, endpoint=False):
        ex, ey = 0.85 * AXES[0] * np.cos(t), 0.85 * AXES[1] * np.sin(t)
        x = CENTRE[0] + ex * np.cos(turn) - ey * np.sin(turn)
        y = CENTRE[1] + ex * np.sin(turn) + ey * np.cos(turn)
        cv2.putText(ink, "R", (int(x) - 6, int(y) + 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 255, 2)
    cv2.putText(ink, "PS 47", (CENTRE[0] - 60, CENTRE[1]), 0, 1.2, 255, 3)
    cv2.putText(ink, "Name of the Polling Station", (650, 430), 0, 0.7, 255, 2)
    return ink


def _box_of(axes: tuple[float, float]) -> BBox:
    return Ellipse(CENTRE[0], CENTRE[1], 2 * axes[0], 2 * axes[1], ANGLE).bbox(1000, 1200)


def test_the_outer_ring_is_found_from_a_box_short_of_it() -> None:
    # boxed at 80% of its axes, about as short as seed 9023's cut boxes (73-88% of area)
    ink = _tilted_oval()
    inner = _box_of((AXES[0] * 0.8, AXES[1] * 0.8))
    ring = outer_ring(ink, inner)
    assert ring is not None
    assert abs(ring.cx - CENTRE[0]) < 4 and abs(ring.cy - CENTRE[1]) < 4
    assert abs(max(ring.width, ring.height) - 2 * AXES[0]) < 10
    assert abs(min(ring.width, ring.height) - 2 * AXES[1]) < 10
    whole, outer = _whole_impression(ink, inner), _box_of(AXES)
    assert whole.iou(outer) > 0.93 and whole.area > 1.6 * inner.area


def test_a_box_of_the_whole_impression_stays_as_it_is() -> None:
    ink = _tilted_oval()
    outer = _box_of(AXES)
    whole = _whole_impression(ink, outer)
    assert whole.contains(outer)
    # by the ring's own width at most (5 px drawn, 3 px thickened)
    assert max(outer.x0 - whole.x0, outer.y0 - whole.y0) <= 6
    assert max(whole.x1 - outer.x1, whole.y1 - outer.y1) <= 6


def test_a_scribble_has_no_outer_ring_and_its_box_is_kept() -> None:
    image = np.full((1200, 1000, 3), 255, np.uint8)
    box = BBox(x0=300, y0=500, x1=700, y1=700)
    draw_scribble(image, box, seed=3)
    ink = 255 - cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    assert outer_ring(ink, box) is None
    assert _whole_impression(ink, box) == box
