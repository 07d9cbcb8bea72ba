"""The normalise stage: exact geometry, orientation and deskew on known transforms."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import BBox, Transform
from pipeline.pages import NormalisedPage, Page
from pipeline.stages.normalise import find_skew, normalise_page, rotate_quarters, rotation_matrix


def ruled_page(width: int = 1240, height: int = 1754) -> np.ndarray:
    """A white page with a ruled table and lines of text, upright (BGR)."""
    page = np.full((height, width, 3), 250, np.uint8)
    for y in range(300, 1500, 60):
        cv2.line(page, (100, y), (width - 100, y), (20, 20, 20), 2)
    for x in (100, 400, 800, width - 100):
        cv2.line(page, (x, 300), (x, 1440), (20, 20, 20), 2)
    for i, y in enumerate(range(120, 280, 40)):
        cv2.putText(
            page,
            f"RESULT OF THE COUNT LINE {i} POLLING STATION",
            (110, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.9,
            (10, 10, 10),
            2,
        )
    for y in range(345, 1440, 60):
        cv2.putText(
            page, "Candidate Name Party", (120, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (10, 10, 10), 2
        )
    return page


def page_of(image: np.ndarray) -> Page:
    return Page(
        path="test.png", sha256="0" * 64, index=0, page_count=1, media_type="image/png", image=image
    )


@settings(max_examples=60, deadline=None)
@given(
    quarters=st.integers(0, 3),
    angle=st.floats(-6, 6),
    x=st.integers(0, 999),
    y=st.integers(0, 1399),
)
def test_to_original_inverts_the_recorded_transform(
    quarters: int, angle: float, x: int, y: int
) -> None:
    w, h = 1000, 1400
    rot = rotation_matrix(quarters, w, h)
    size = (h, w) if quarters % 2 else (w, h)
    skew = np.vstack([cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), angle, 1.0), [0, 0, 1]])
    matrix = skew @ rot
    image = np.zeros((h, w, 3), np.uint8)
    normalised = NormalisedPage(
        source=page_of(image),
        image=image,
        gray=image[:, :, 0],
        binary=image[:, :, 0],
        transform=Transform(matrix=tuple(tuple(float(v) for v in row) for row in matrix)),
    )
    forward = matrix @ np.array([x, y, 1.0])
    fx, fy = forward[0] / forward[2], forward[1] / forward[2]
    back = normalised.to_original(
        BBox(
            x0=int(np.floor(fx)),
            y0=int(np.floor(fy)),
            x1=int(np.floor(fx)) + 1,
            y1=int(np.floor(fy)) + 1,
        )
    )
    assert back.x0 - 2 <= x <= back.x1 + 1 and back.y0 - 2 <= y <= back.y1 + 1


def test_rotation_matrix_matches_opencv_rotation() -> None:
    image = np.zeros((30, 50), np.uint8)
    image[5, 40] = 255
    for quarters in range(4):
        rotated = rotate_quarters(image, quarters)
        ys, xs = np.nonzero(rotated)
        x, y, _ = rotation_matrix(quarters, 50, 30) @ np.array([40, 5, 1.0])
        assert (xs[0], ys[0]) == (round(x), round(y))


def test_deskew_recovers_a_known_angle_within_a_tenth_of_a_degree() -> None:
    page = ruled_page()
    h, w = page.shape[:2]
    for angle in (-4.2, 1.7, 3.3):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        skewed = cv2.warpAffine(page, m, (w, h), borderValue=(250, 250, 250))
        found = find_skew(cv2.cvtColor(skewed, cv2.COLOR_BGR2GRAY))
        assert abs(found + angle) < 0.1, (angle, found)


def test_normalise_makes_a_rotated_skewed_page_upright() -> None:
    page = ruled_page()
    h, w = page.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 2.5, 1.0)
    captured = cv2.rotate(
        cv2.warpAffine(page, m, (w, h), borderValue=(250, 250, 250)), cv2.ROTATE_90_CLOCKWISE
    )
    result = normalise_page(page_of(captured))
    steps = {s.name: s.params for s in result.transform.steps}
    assert steps["orientation"]["degrees_cw"] == 270
    assert abs(float(steps["deskew"]["angle_deg"]) + 2.5) < 0.3  # type: ignore[arg-type]
    assert result.image.shape[0] > result.image.shape[1]  # portrait again
    assert result.binary.max() == 255 and set(np.unique(result.binary)) <= {0, 255}


def test_a_blank_page_does_not_crash() -> None:
    result = normalise_page(page_of(np.full((800, 600, 3), 255, np.uint8)))
    assert result.binary.max() == 0
