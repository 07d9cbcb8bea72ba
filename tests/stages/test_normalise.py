"""The normalise stage: exact geometry, orientation and deskew on known transforms."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model import BBox, Transform
from pipeline.pages import NormalisedPage, Page, TextWord
from pipeline.stages.normalise import (
    even_illumination,
    find_sheet,
    find_skew,
    map_box,
    normalise_page,
    rotate_quarters,
    rotation_matrix,
)


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


def test_find_sheet_returns_the_corners_of_a_photographed_page() -> None:
    photo = np.full((1400, 1100), 50, np.uint8)
    corners = np.array([[150, 120], [960, 170], [1000, 1290], [110, 1250]], np.int32)
    cv2.fillConvexPoly(photo, corners, 235)
    found = find_sheet(photo)
    assert found is not None
    assert np.abs(found - corners).max() < 6


def test_find_sheet_keeps_a_corner_in_shadow() -> None:
    """A shadow over one corner darkens paper and table alike: the shaded paper is darker
    than the lit table, but still brighter than the table beside it."""
    rng = np.random.default_rng(3)
    photo = rng.normal(125, 12, (1400, 1100)).clip(0, 255).astype(np.float32)  # a table
    corners = np.array([[150, 120], [960, 170], [1000, 1290], [110, 1250]], np.int32)
    cv2.fillConvexPoly(photo, corners, 215)
    ys, xs = np.mgrid[0:1400, 0:1100]
    shade = np.clip(1.0 - 0.55 * ((xs / 1100 + ys / 1400) - 1.1), 0.4, 1.0)  # bottom right
    photo = (photo * shade).astype(np.uint8)
    assert photo[1240, 960] < 140 < photo[200, 250]  # shaded paper under the lit table
    found = find_sheet(photo)
    assert found is not None
    assert np.abs(found - corners).max() < 12


def test_find_sheet_refuses_a_flat_scan_without_background() -> None:
    assert find_sheet(cv2.cvtColor(ruled_page(), cv2.COLOR_BGR2GRAY)) is None


def test_even_illumination_flattens_a_shadow() -> None:
    paper = np.full((400, 300), 240, np.float32)
    shade = np.linspace(0.45, 1.0, 300, dtype=np.float32)[None, :]
    shaded = (paper * shade).astype(np.uint8)
    shaded[200:204, 20:280] = 30  # a ruling line stays dark
    flat = even_illumination(shaded)
    assert int(shaded[100, 290]) - int(shaded[100, 10]) > 100  # the shadow before
    assert abs(int(flat[100, 10]) - int(flat[100, 290])) <= 25  # and after
    assert flat[202, 150] < 100


def test_text_layer_words_follow_the_page_into_the_normalised_frame() -> None:
    image = np.full((700, 500, 3), 250, np.uint8)  # small: the stage rescales it
    word = TextWord(text="12345", bbox=BBox(x0=100, y0=200, x1=160, y1=220))
    page = Page(
        path="a.pdf",
        sha256="0" * 64,
        index=0,
        page_count=1,
        media_type="application/pdf",
        image=image,
        dpi=60.0,
        words=(word,),
    )
    result = normalise_page(page)
    assert result.words is not None
    scale = result.transform.matrix[0][0]
    assert scale > 1
    (moved,) = result.words
    assert abs(moved.bbox.x0 - 100 * scale) <= 1 and abs(moved.bbox.y1 - 220 * scale) <= 1
    back = result.to_original(moved.bbox)
    assert (back.x0, back.y0) == (100, 200) and back.x1 - 160 in (0, 1) and back.y1 - 220 in (0, 1)


def test_map_box_with_identity_is_exact() -> None:
    box = BBox(x0=3, y0=4, x1=10, y1=12)
    assert map_box(np.eye(3), box, (20, 20)) == box


def test_an_upside_down_page_is_read_once_and_turned_by_its_label_words() -> None:
    captured = cv2.rotate(ruled_page(), cv2.ROTATE_180)
    result = normalise_page(page_of(captured))
    orientation = next(s.params for s in result.transform.steps if s.name == "orientation")
    assert orientation["degrees_cw"] == 180
    assert "labels" in str(orientation["method"])
    assert result.printed_words is not None  # the words travel on: locate reads no more
    texts = {w.text.casefold() for w in result.printed_words}
    assert {"polling", "station"} <= texts
    polling = next(w for w in result.printed_words if w.text.casefold() == "polling")
    assert polling.bbox.y1 < result.image.shape[0] / 4  # the title is back at the top


def test_an_upright_page_keeps_its_orientation() -> None:
    result = normalise_page(page_of(ruled_page()))
    orientation = next(s.params for s in result.transform.steps if s.name == "orientation")
    assert orientation["degrees_cw"] == 0
