"""The normalise stage: make a page upright, flat, straight and evenly lit.

Steps, each recorded with its parameters, composed into one homography from the
original scan to the normalised page:
1. page: in a photo, find the sheet against its background and undo the perspective;
2. orientation, part one: text lines run across (0/180) or up-down (90/270);
3. deskew: projection-profile search (coarse then fine) at reduced scale;
4. rescale: low-resolution scans are brought to ~300 DPI page width;
5. illumination: divide by a smooth background estimate; then binarise (ink = 255);
6. orientation, part two: the page is read once by Tesseract (ruling removed); known
   label words or, failing them, confidently read words settle 0 against 180. The words
   travel on to locate, so a page is read once when it is upright. Only a page that
   reads poorly both ways asks Tesseract's OSD whether it lies on its side.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from pipeline.model import BBox, Transform, TransformStep
from pipeline.pages import NormalisedPage, Page, TextWord
from pipeline.raster import shrink
from pipeline.stages.grid import RuleMasks, rule_masks, text_ink
from pipeline.stages.printed import (
    OCR_SCALE,
    SHARP_OCR_SCALE,
    known_words,
    page_words,
    read_printed,
    reading_score,
    vocabulary,
)
from pipeline.templates import bundled_templates
from pipeline.tools.tesseract import OcrWord, detect_orientation

A4_RATIO = math.sqrt(2)
TARGET_WIDTH = 2480  # A4 width at 300 DPI
# a page narrower than the target by this factor is enlarged to it; a page this much
# larger than its source (enlarged, or a distant photo's sheet) is read at more pixels
ENLARGED = 1.25
Matrix = np.ndarray


# ------------------------------------------------------------------ geometry helpers
def rotation_matrix(quarter_turns_cw: int, width: int, height: int) -> Matrix:
    """Matrix of a clockwise rotation by 90 * k degrees of a width x height image."""
    k = quarter_turns_cw % 4
    if k == 0:
        return np.eye(3)
    if k == 1:
        return np.array([[0, -1, height - 1], [1, 0, 0], [0, 0, 1]], float)
    if k == 2:
        return np.array([[-1, 0, width - 1], [0, -1, height - 1], [0, 0, 1]], float)
    return np.array([[0, 1, 0], [-1, 0, width - 1], [0, 0, 1]], float)


def rotate_quarters(image: np.ndarray, quarter_turns_cw: int) -> np.ndarray:
    k = quarter_turns_cw % 4
    if k == 0:
        return image
    code = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}[k]
    return cv2.rotate(image, code)


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.array(
        [points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)], points[np.argmax(d)]],
        dtype=np.float32,
    )


# ------------------------------------------------------------------ 1. page in a photo
SHADOW_BLOCK = 151  # px of the 800 px image: the neighbourhood a shaded corner is judged in
SHADOW_LIFT = 8  # grey levels above that neighbourhood's mean that count as paper


def find_sheet(gray: np.ndarray) -> np.ndarray | None:
    """Corners (4x2, original pixels) of a bright sheet on a darker background, or None."""
    h, w = gray.shape
    scale = 800 / max(h, w)
    small = shrink(gray, scale)
    blur = cv2.GaussianBlur(small, (7, 7), 0)
    _, mask = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # a shadow darkens paper and table alike: paper still stands out from its surroundings
    # (brighter than the local mean), where one global threshold loses the shaded corner
    local = cv2.adaptiveThreshold(
        blur, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, SHADOW_BLOCK, -SHADOW_LIFT
    )
    local = cv2.morphologyEx(local, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))
    mask = cv2.bitwise_or(mask, local)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour) / (small.shape[0] * small.shape[1])
    if not 0.3 < area < 0.93:
        return None  # no background around the page: a scan, nothing to undo
    hull = cv2.convexHull(contour)  # a shadow may bite into the sheet's outline
    quad = hull
    for epsilon in (0.01, 0.02, 0.03, 0.05, 0.08):
        quad = cv2.approxPolyDP(hull, epsilon * cv2.arcLength(hull, True), True)
        if len(quad) <= 4:
            break
    if len(quad) != 4:
        return None
    inside = np.zeros_like(mask)
    cv2.drawContours(inside, [quad], -1, 255, -1)
    if small[inside > 0].mean() - small[inside == 0].mean() < 30:
        return None  # no contrast between sheet and surroundings
    return _order_corners(quad.reshape(4, 2).astype(np.float32) / scale)


def sheet_homography(corners: np.ndarray) -> tuple[Matrix, int, int]:
    """The perspective correction for sheet corners, keeping an A4 (or landscape) shape."""
    tl, tr, br, bl = corners
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    portrait = height >= width
    out_w = TARGET_WIDTH if portrait else round(TARGET_WIDTH * A4_RATIO)
    out_h = round(TARGET_WIDTH * A4_RATIO) if portrait else TARGET_WIDTH
    dst = np.float32([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]])
    return cv2.getPerspectiveTransform(corners.astype(np.float32), dst).astype(float), out_w, out_h


# ------------------------------------------------------------------ 2. orientation
def _ink(gray: np.ndarray, value: int = 255) -> np.ndarray:
    """Dark marks against their neighbourhood: `value` where ink, 0 elsewhere."""
    return cv2.adaptiveThreshold(
        gray, value, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )


def text_lines_horizontal(gray: np.ndarray) -> bool:
    """True when text lines run left-right (0 or 180), False when up-down (90 or 270)."""
    small = shrink(gray, 1000 / max(gray.shape))
    ink = _ink(small)
    # drop long ruling lines, then smear: words merge into long thin blobs along their line
    lines_h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, 60), np.uint8))
    lines_v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((60, 1), np.uint8))
    text = cv2.subtract(ink, cv2.bitwise_or(lines_h, lines_v))

    def elongated(kernel: tuple[int, int]) -> int:
        smeared = cv2.dilate(text, np.ones(kernel, np.uint8))
        _, _, stats, _ = cv2.connectedComponentsWithStats(smeared)
        w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
        long_side = w if kernel[1] > kernel[0] else h
        short_side = h if kernel[1] > kernel[0] else w
        return int(np.sum((long_side > 3 * short_side) & (long_side > 25)))

    return elongated((1, 9)) >= elongated((9, 1))


KNOWN_WORDS_SURE = 6  # label words read one way up settle the orientation
LEGIBLE = 5.0  # a reading score below this both ways: no text to judge by
OSD_OVERRULES = 6.0  # OSD confidence above which a sideways page is turned


@dataclass(frozen=True)
class UprightReading:
    """The 0-or-180 decision on a page, and the words read the right way up."""

    flip: bool
    confidence: float
    method: str
    words: tuple[OcrWord, ...]
    legible: bool  # some text was read either way up


def read_upright(ink: np.ndarray, known: frozenset[str], scale: float) -> UprightReading:
    """Read the page (ruling removed, at `scale`) as it lies, and upside down only when in
    doubt."""
    up = read_printed(ink, scale)
    known_up = known_words(up, known)
    if known_up >= KNOWN_WORDS_SURE:
        return UprightReading(False, min(1.0, known_up / 20), "labels", up, True)
    down = read_printed(cv2.rotate(ink, cv2.ROTATE_180), scale)
    known_down = known_words(down, known)
    if known_down >= KNOWN_WORDS_SURE and known_down > known_up:
        return UprightReading(True, min(1.0, known_down / 20), "labels", down, True)
    score_up, score_down = reading_score(up), reading_score(down)
    legible = max(score_up, score_down) >= LEGIBLE
    if score_up == score_down:
        return UprightReading(False, 0.0, "ocr unsure", up, legible)
    margin = round(abs(score_up - score_down) / max(1.0, score_up + score_down), 3)
    if score_up > score_down:
        return UprightReading(False, margin, "reading score", up, legible)
    return UprightReading(True, margin, "reading score", down, legible)


def sideways_by_osd(gray: np.ndarray) -> int:
    """Quarter turns (1 or 3) when Tesseract's OSD is sure the page lies on its side, else 0."""
    scale = 1600 / max(gray.shape)  # small phone photos are enlarged: OSD needs letters
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    degrees, confidence = detect_orientation(small)
    quarters = (degrees // 90) % 4
    return quarters if quarters % 2 and confidence >= OSD_OVERRULES else 0


# ------------------------------------------------------------------ 3. deskew
COARSE_SIDE = 900  # px on the long side: the search in 0.25 then 0.05 degree steps
FINE_SIDE = 1800  # px on the long side: the refinement in 0.02 degree steps
REACH_MARGIN = 2  # px around the rotated ink's reach: the warp's fixed-point rounding


def _reach(
    m: Matrix, bounds: tuple[int, int, int, int], size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """Columns x0:x1 and rows y0:y1 of a width x height frame that the pixels in `bounds`
    (x, y, w, h) can land on when mapped by the 2x3 matrix `m` with nearest-neighbour
    sampling (a pixel stands for the square half a pixel around its centre)."""
    x, y, w, h = bounds
    corners = np.array([[x - 1, x + w, x + w, x - 1], [y - 1, y - 1, y + h, y + h], [1.0] * 4])
    xs, ys = m @ corners
    return (
        max(0, math.floor(xs.min()) - REACH_MARGIN),
        min(size[0], math.ceil(xs.max()) + REACH_MARGIN + 1),
        max(0, math.floor(ys.min()) - REACH_MARGIN),
        min(size[1], math.ceil(ys.max()) + REACH_MARGIN + 1),
    )


def _profile_score(ink: np.ndarray, bounds: tuple[int, int, int, int], angle: float) -> float:
    """How sharply the rows of `ink` (1 on 0), rotated by `angle` about its centre, peak
    and fall: the sum of squared differences of its horizontal projection profile.

    Only the rows and columns of the frame that the ink's bounding box `bounds` reaches
    are warped: the rest of the rotated frame is blank and adds nothing to the profile.
    """
    h, w = ink.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    x0, x1, y0, y1 = _reach(m, bounds, (w, h))
    profile = np.zeros(h)
    if x1 > x0 and y1 > y0:
        m[:, 2] -= (x0, y0)  # the reached part's corner at the origin
        rotated = cv2.warpAffine(ink, m, (x1 - x0, y1 - y0), flags=cv2.INTER_NEAREST)
        profile[y0:y1] = cv2.reduce(rotated, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    return float(np.sum(np.diff(profile) ** 2))


def _angle_scores(ink: np.ndarray) -> Callable[[float], float]:
    """`_profile_score` of `ink` as a function of the angle, each angle (to a millionth of
    a degree) warped once: the 0.05 degree search revisits three angles of the 0.25 one."""
    bounds = cv2.boundingRect(ink)

    @cache
    def score(angle: float) -> float:
        return _profile_score(ink, bounds, angle)

    return lambda angle: score(round(float(angle), 6))


def _area_resized(gray: np.ndarray, long_side: int) -> np.ndarray:
    """`gray` area-resized to `long_side` px on its long side, in one resize: the angle
    found was measured on these pixels (halving first moved it by up to 0.06 degree, the
    coarse image made from the fine one by up to 0.14 on a photographed page)."""
    scale = long_side / max(gray.shape)
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def find_skew(gray: np.ndarray, *, limit: float = 6.0) -> float:
    """The angle (degrees, counter-clockwise positive as OpenCV) that straightens the page."""
    coarse = _angle_scores(_ink(_area_resized(gray, COARSE_SIDE), 1))
    best = max(np.arange(-limit, limit + 1e-9, 0.25), key=coarse)
    best = max(np.arange(best - 0.3, best + 0.3 + 1e-9, 0.05), key=coarse)
    # refine on a larger image for sub-0.1 degree precision
    fine = _angle_scores(_ink(_area_resized(gray, FINE_SIDE), 1))
    best = max(np.arange(best - 0.08, best + 0.08 + 1e-9, 0.02), key=fine)
    return round(float(best), 3)


# ------------------------------------------------------------------ 5. light and ink
PAPER_GREY = 245.0  # the grey level the paper is brought to


def _truncated_quotient(gray: np.ndarray, background: np.ndarray) -> np.ndarray:
    """PAPER_GREY * gray / background (background >= 1) truncated to whole grey levels and
    saturated at 255, as measured."""
    flat = cv2.divide(gray, background, scale=PAPER_GREY, dtype=cv2.CV_32F)
    return np.clip(flat, 0, 255, out=flat).astype(np.uint8)


def even_illumination(gray: np.ndarray) -> np.ndarray:
    """Divide by a smooth estimate of the paper's brightness (shadows, uneven light)."""
    h, w = gray.shape
    small = shrink(gray, 1 / 8)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    background = cv2.max(cv2.medianBlur(background, 5), 1)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    return _truncated_quotient(gray, background)


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink = 255 on 0, robust to faint pens and stamps (local mean threshold)."""
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 18
    )


# ------------------------------------------------------------------ the stage
def map_box(matrix: Matrix, box: BBox, size: tuple[int, int]) -> BBox:
    """The axis-aligned hull of `box` mapped by `matrix`, clipped to a width x height frame."""
    corners = np.array(
        [[box.x0, box.x1, box.x1, box.x0], [box.y0, box.y0, box.y1, box.y1], [1.0] * 4]
    )
    mapped = matrix @ corners
    xs, ys = mapped[0] / mapped[2], mapped[1] / mapped[2]
    return BBox(
        x0=int(np.clip(np.floor(xs.min()), 0, size[0])),
        y0=int(np.clip(np.floor(ys.min()), 0, size[1])),
        x1=int(np.clip(np.ceil(xs.max()), 0, size[0])),
        y1=int(np.clip(np.ceil(ys.max()), 0, size[1])),
    )


def _warp(image: np.ndarray, matrix: Matrix, size: tuple[int, int]) -> np.ndarray:
    """`image` mapped by `matrix` into a width x height frame: a scan that needs no
    correction is copied, an affine matrix (rotation, scale) goes through warpAffine (the
    same pixels as warpPerspective, less work per pixel)."""
    if np.allclose(matrix, np.eye(3)) and size == (image.shape[1], image.shape[0]):
        return image.copy()
    if np.allclose(matrix[2], (0.0, 0.0, 1.0)):
        return cv2.warpAffine(
            image, matrix[:2], size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
    return cv2.warpPerspective(
        image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


@cache
def _bundled_vocabulary() -> frozenset[str]:
    return vocabulary(bundled_templates())


def normalise_page(page: Page, known: frozenset[str] | None = None) -> NormalisedPage:
    """Correct one page; every step recorded, boxes mappable back to the original.

    `known` is the vocabulary of printed labels that proves a page upright (by default the
    bundled templates' words).
    """
    known = _bundled_vocabulary() if known is None else known
    flat = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    if page.words is not None:  # born-digital: upright and straight by construction
        return _corrected(page, flat, None, 0, known, "text-layer").page
    corners = find_sheet(flat)
    if corners is not None:
        persp, out_w, out_h = sheet_homography(corners)
        flat = _warp(flat, persp, (out_w, out_h))
    base = 0 if text_lines_horizontal(flat) else 1
    result = _corrected(page, flat, corners, base, known, "text-lines")
    if result.legible:
        return result.page
    turn = sideways_by_osd(rotate_quarters(flat, base))
    if not turn:
        return result.page
    return _corrected(page, flat, corners, base + turn, known, "osd").page


@dataclass(frozen=True)
class _Corrected:
    page: NormalisedPage
    legible: bool


def _corrected(
    page: Page,
    flat: np.ndarray,
    corners: np.ndarray | None,
    quarters: int,
    known: frozenset[str],
    turned_by: str,
) -> _Corrected:
    steps: list[TransformStep] = []
    h, w = page.height, page.width
    matrix = np.eye(3)
    size = (w, h)
    if corners is not None:
        persp, out_w, out_h = sheet_homography(corners)
        matrix, size = persp, (out_w, out_h)
        steps.append(
            TransformStep(
                name="perspective",
                params={
                    "corners": [float(v) for v in corners.ravel()],
                    "width": out_w,
                    "height": out_h,
                },
            )
        )
    quarters %= 4
    if quarters:
        matrix = rotation_matrix(quarters, size[0], size[1]) @ matrix
        size = (size[1], size[0]) if quarters % 2 else size
    # `flat`: the gray page after the perspective step, before any turn
    angle = find_skew(rotate_quarters(flat, quarters)) if page.words is None else 0.0
    deskew_at = len(steps)
    if abs(angle) >= 0.02:
        m = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), angle, 1.0)
        matrix = np.vstack([m, [0, 0, 1]]) @ matrix
    steps.append(TransformStep(name="deskew", params={"angle_deg": angle}))
    if size[0] * ENLARGED < TARGET_WIDTH and min(size) * 2 < 8000:
        s = TARGET_WIDTH / size[0]
        matrix = np.diag([s, s, 1.0]) @ matrix
        size = (round(size[0] * s), round(size[1] * s))
        steps.append(TransformStep(name="rescale", params={"factor": round(s, 4)}))
    # a page enlarged from fewer pixels (a low-resolution scan, a distant photo) is read
    # at more of its pixels
    source = w * h if corners is None else cv2.contourArea(corners.astype(np.float32))
    enlarged = size[0] * size[1] > ENLARGED**2 * source
    ocr_scale = OCR_SCALE if enlarged else SHARP_OCR_SCALE
    image = _warp(page.image, matrix, size)
    gray = even_illumination(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    steps.append(TransformStep(name="illumination", params={"method": "divide-by-background"}))
    binary = binarise(gray)
    steps.append(
        TransformStep(
            name="binarise", params={"method": "adaptive-mean", "block": 31, "offset": 18}
        )
    )
    printed: tuple[TextWord, ...] | None = None
    rules: RuleMasks | None = None
    legible = True
    if page.words is None:
        rules = rule_masks(binary)  # locate finds the tables with them again
        upright = read_upright(text_ink(binary, rules), known, ocr_scale)
        legible = upright.legible
        if upright.flip:
            matrix = rotation_matrix(2, size[0], size[1]) @ matrix
            image, gray, binary = (cv2.rotate(a, cv2.ROTATE_180) for a in (image, gray, binary))
            rules = None  # made again on the turned page (kernels of even length)
        orientation = {
            "degrees_cw": 90 * ((quarters + 2 * upright.flip) % 4),
            "confidence": upright.confidence,
            "method": f"{turned_by}+{upright.method}",
        }
        printed = page_words(upright.words, known)
    else:
        orientation = {"degrees_cw": 0, "confidence": 1.0, "method": turned_by}
    steps.insert(deskew_at, TransformStep(name="orientation", params=orientation))
    transform = Transform(
        matrix=tuple(tuple(float(v) for v in row) for row in matrix),
        normalised_width=size[0],
        normalised_height=size[1],
        steps=tuple(steps),
    )
    words = None
    if page.words is not None:
        words = tuple(
            TextWord(text=word.text, bbox=map_box(matrix, word.bbox, size)) for word in page.words
        )
    normalised = NormalisedPage(
        source=page,
        image=image,
        gray=gray,
        binary=binary,
        transform=transform,
        words=words,
        printed_words=printed,
        rules=rules,
    )
    return _Corrected(page=normalised, legible=legible)
