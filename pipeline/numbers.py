"""Reading a figure from one table cell: `read_number(image) -> NumberReading`.

Handwritten and printed figures alike: the cell's ink is cleaned of ruling, split into
digits (merging broken strokes, splitting touching digits), each digit classified by the
digit network, and the digits combined into a value whose confidence is the product of
the digits' probabilities. When unsure the value is None (a person must read it), never
a guess. Ink much denser than a single stroke in one digit, with the network torn
between two classes, is reported as an overwritten figure.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.model import BBox
from pipeline.tools.digit_net import REJECT, digit_probabilities

# below this the value is withheld (None) and flagged. With the temperature-calibrated
# network (models/digits/MODEL_CARD.md), on 4,467 handwritten cells cut by the pipeline
# from 90 seed-9002 files: at 0.95, 92.0% exact and 0.36% accepted wrong; at 0.9, 94.3% and
# 0.69%. On 107 seed-9002 pages, 0.9 and 0.95 gave as many exact vote figures once the
# form's sums had vouched for withheld ones (corroborate), 0.95 fewer wrong.
ACCEPT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class DigitReading:
    digit: int | None  # None: not a digit (reject class)
    probability: float
    alternatives: tuple[tuple[int, float], ...]  # top-3 (digit, probability)
    bbox: BBox  # in the cell crop's pixels
    ink_density: float


@dataclass(frozen=True)
class NumberReading:
    value: int | None
    text: str  # the best reading, even when withheld ("?" for an unreadable digit)
    confidence: float
    status: str  # "ok" | "empty" | "rejected"
    digits: tuple[DigitReading, ...] = ()
    overwritten: bool = False
    overwrite_box: BBox | None = None
    # of the overwritten digit: pixels of ink laid twice per pixel of its height
    overwrite_per_height: float = 0.0
    # ... and whether it alone of the figure's digits lays ink twice, unsure to the
    # network or laying a stroke's length (LONE_DOUBLE_SHARE, SURE_LONE_PER_HEIGHT,
    # UNSURE_LONE): no bold type, which lays its every digit alike
    overwrite_alone: bool = False
    # ... and alone unsure to the network, from LONE_DOUBLE_SHARE of its ink (LONE_UNSURE),
    # at the plain per-height bar or PALE_LONE_DEPTH's: no JPEG's ringing either
    overwrite_unsure: bool = False
    # ... and its darkest strokes' level (2nd percentile) over the paper's: ink laid twice
    # is far darker than once (DOUBLE_INK_DEPTH)
    overwrite_depth: float = 1.0
    # ... and whether only its darkness beside its neighbours' said so (DARK_LONE_PER_HEIGHT),
    # which a JPEG's ringing round a bold stroke can mimic at any quality
    overwrite_by_darkness: bool = False
    # ... and its darkest strokes' level over the darkest of the figure's other digits
    # (1.0: no other digit): ink laid twice is far darker than once (`darker_by`)
    overwrite_darker_by: float = 1.0
    # ... or, written over a typed figure, its digit alone is coloured as a pen's ink
    # (`pen_over_type`): no bold type nor a JPEG's ringing, whatever ink it lays twice
    overwrite_pen: bool = False
    # figures another cut of the ink reads, with their probability: a "1" the whole read
    # may have swallowed (`_best_readings`)
    rivals: tuple[tuple[int, float], ...] = ()
    # the median chroma of the figure's ink (`chroma`; 0 in a grey image): black type's
    # near 0, a pen's past PEN_NEUTRAL
    tint: float = 0.0

    @property
    def ink_laid_twice(self) -> bool:
        """Whether a digit lays ink twice (`double_ink`), whatever its colour says."""
        return self.overwrite_per_height > 0


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def cell_ink(image: np.ndarray) -> np.ndarray:
    """Ink (255) of a cell crop, with ruling remnants and border-touching lines removed."""
    return _gray_cell_ink(_gray(image))


def _gray_cell_ink(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    _, ink = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    blank = cv2.countNonZero(ink) > 0.5 * ink.size
    if blank or cv2.meanStdDev(gray)[1][0, 0] < 6:  # blank or uniform: Otsu splits noise
        return np.zeros_like(ink)
    lines = _straight_runs(ink, max(10, int(w * 0.6)), along_rows=True)
    lines |= _straight_runs(ink, max(10, int(h * 0.85)), along_rows=False)
    raw, ink = ink, cv2.subtract(ink, cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    margin = max(2, min(h, w) // 25)
    ink[:margin], ink[-margin:], ink[:, :margin], ink[:, -margin:] = 0, 0, 0, 0
    return _inside_walls(ink, raw) if w <= BOX_ASPECT * h else ink


def _straight_runs(ink: np.ndarray, length: int, *, along_rows: bool) -> np.ndarray:
    """The ink an opening with a `length`-long line keeps (ruling): only rows (columns)
    holding enough ink to take part are opened, the rest left blank (what the opening
    would make of them), as one line's rows do not touch another's. A run the crop's edge
    cuts survives the opening from half its length, so that is the bar."""
    sums = cv2.reduce(ink, 1 if along_rows else 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S)
    lines = np.flatnonzero(sums.ravel() >= 255 * ((length - 1) // 2))  # ink is 0 or 255
    out = np.zeros_like(ink)
    if lines.size == 0:
        return out
    # a column is opened as a row of the transposed crop: one contiguous copy, not a
    # gather of strided columns (the same pixels, a third of the time)
    kernel = np.ones((1, length), np.uint8)
    if along_rows:
        out[lines] = cv2.morphologyEx(ink[lines], cv2.MORPH_OPEN, kernel)
    else:
        columns = np.ascontiguousarray(ink.T[lines])
        out.T[lines] = cv2.morphologyEx(columns, cv2.MORPH_OPEN, kernel)
    return out


# a box wall: a column (row) inked along this share of the crop's height (width), in the
# crop's outer fifth on its side; a loosely cut digit box shows its walls and what lies
# beyond them (the neighbour box's edge, the printed note above the boxes)
WALL_SHARE = 0.72
WALL_ZONE = 0.2
# only in a crop about as wide as tall (one digit's box, as on the Indonesian C1); a
# figure's cell is wide, and a thick "0" or "6" near its end can fill that share
BOX_ASPECT = 1.5


def _inside_walls(ink: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """The ink within a digit box's walls: everything from a wall out to the crop's edge
    is taken away, the wall's own leftovers with it (a slanted or broken wall that the
    rule opening missed otherwise reads as a "1"; on the 62 labelled C1 crops, digits read
    right 25 -> 30, wrong 3 -> 1, dashes read as "1" 8 -> 3)."""
    h, w = ink.shape
    for axis, size in ((0, h), (1, w)):
        # inked pixels per column (row): raw is 0 or 255
        share = cv2.reduce(raw, axis, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() / (255 * size)
        zone = max(1, int(len(share) * WALL_ZONE))
        first = np.flatnonzero(share[:zone] >= WALL_SHARE)
        last = np.flatnonzero(share[-zone:] >= WALL_SHARE)
        cut = ink if axis == 0 else ink.T  # a view: rows are cut as the columns of ink.T
        if first.size:
            cut[:, : first[-1] + 2] = 0
        if last.size:
            cut[:, len(share) - zone + last[0] - 1 :] = 0
    return ink


def pen_share(cell: np.ndarray) -> float:
    """The share of a colour cell's ink that is coloured, as a pen's (0 for a grey image):
    a typed figure is black, a ballpoint blue or black."""
    if cell.ndim != 3 or cell.size == 0:
        return 0.0
    hsv = cv2.cvtColor(cell, cv2.COLOR_BGR2HSV)
    ink = hsv[..., 2] < 160
    return float((ink & (hsv[..., 1] > 80)).sum() / max(1, int(ink.sum())))


# A pen's digit written over a typed figure: type is black, a ballpoint often blue, so the
# digit written over is the one digit of the figure whose ink is coloured: this share of
# its ink at least PEN_CHROMA (max - min of its B, G, R: a blue ballpoint's 112; black
# type's 0, up to 18 at the 90th percentile in a coarse JPEG, whose chroma noise makes
# saturation no measure on dark ink), its neighbours' at most PEN_NEIGHBOURS, and their
# median chroma at most PEN_NEUTRAL: black, not a pale pen's. Blue pens' digits over type
# on seeds 9016-9021 (JPEG 42 to lossless): 0.36-0.64 coloured, their typed neighbours
# 0.003 at most, median chroma 0-6. A pale blue pen's figures in coarse JPEGs (seed 9016,
# four cells): one digit 0.29-0.80 coloured, the others 0.00-0.02 but of median chroma
# 12-19; a pale pen's thin digits beside a bold one in a 150-dpi capture at JPEG 40
# (tests/numbers/test_overwrite): 0.35 coloured and more.
PEN_CHROMA = 30
PEN_DIGIT = 0.25
PEN_NEIGHBOURS = 0.05
PEN_NEUTRAL = 10
# ... and under the pen's ink lies the typed digit's black: at most this share of the
# digit's ink is coloured (a stamp ring's arc cut as a digit of its own is all coloured)
PEN_OVER_TYPE = 0.85
# ... and the cell's coloured ink lies in that digit's box and stays off the cell's edges
# (PEN_EDGE pixels): a stamp's ring or a signature crossing the cell colours more of it
# than one digit, and runs on beyond it
PEN_INSIDE = 0.8
PEN_EDGE = 4


def chroma(image: np.ndarray) -> np.ndarray:
    """Each pixel's max - min of its B, G, R (uint8; zeros for a grey image)."""
    if image.ndim != 3:
        return np.zeros_like(image)
    b, g, r = cv2.split(image)  # cv2's per-channel max and min: numpy's along a 3-axis crawl
    return cv2.subtract(cv2.max(cv2.max(b, g), r), cv2.min(cv2.min(b, g), r))


def pen_over_type(
    tone: np.ndarray, ink: np.ndarray, boxes: list[tuple[int, int, int, int]]
) -> BBox | None:
    """The one digit of a black figure whose ink is coloured, as a pen's written over type
    (None: no digit is, or the cell is grey). `tone`: the cell's `chroma`; `ink`: its ink
    (`cell_ink`)."""
    if len(boxes) < 2 or not tone.any():
        return None
    inked = ink > 0
    tinted = tone >= PEN_CHROMA
    edges = np.ones(tinted.shape, bool)
    edges[PEN_EDGE:-PEN_EDGE, PEN_EDGE:-PEN_EDGE] = False
    if np.count_nonzero(tinted & edges) >= PEN_EDGE:
        return None
    coloured = tinted & inked
    shares, tints = [], []
    for x, y, w, h in boxes:
        inside = inked[y : y + h, x : x + w]
        shares.append(np.count_nonzero(coloured[y : y + h, x : x + w]) / max(1, inside.sum()))
        tints.append(percentile(tone[y : y + h, x : x + w][inside], 50) if inside.any() else 0)
    for i, (x, y, w, h) in enumerate(boxes):
        others = [j for j in range(len(boxes)) if j != i]
        if (
            not PEN_DIGIT <= shares[i] <= PEN_OVER_TYPE
            or max(shares[j] for j in others) > PEN_NEIGHBOURS
            or max(tints[j] for j in others) > PEN_NEUTRAL
        ):
            continue
        inside = np.count_nonzero(coloured[y : y + h, x : x + w])
        if inside >= PEN_INSIDE * np.count_nonzero(coloured):
            return BBox(x0=x, y0=y, x1=x + w, y1=y + h)
    return None


def _merge_overlapping(parts: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Boxes merged left to right when they overlap horizontally (a digit's strokes)."""
    merged: list[list[int]] = []
    for x, y, w, h in sorted(parts):
        if merged:
            mx, my, mw, mh = merged[-1]
            overlap = min(mx + mw, x + w) - max(mx, x)
            if overlap > 0.5 * min(w, mw):
                nx, ny = min(mx, x), min(my, y)
                merged[-1] = [nx, ny, max(mx + mw, x + w) - nx, max(my + mh, y + h) - ny]
                continue
        merged.append([x, y, w, h])
    return [(x, y, w, h) for x, y, w, h in merged]


def _chained(
    ink: np.ndarray, pieces: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Boxes of small pieces that touch once grown by two pixels: a thin stroke (a "1"
    written with a fine pen, a slanted one) that thresholding broke into short dashes."""
    if len(pieces) < 2:
        return pieces
    mask = np.zeros_like(ink)
    for x, y, w, h in pieces:
        mask[y : y + h, x : x + w] |= ink[y : y + h, x : x + w]
    grown = cv2.dilate(mask, np.ones((5, 5), np.uint8))
    _, labels = cv2.connectedComponents(grown, connectivity=8)
    groups: dict[int, list[int]] = {}
    for x, y, w, h in pieces:
        label = int(labels[y + h // 2, x + w // 2]) or int(labels[y : y + h, x : x + w].max())
        box = groups.setdefault(label, [x, y, x + w, y + h])
        box[:] = [min(box[0], x), min(box[1], y), max(box[2], x + w), max(box[3], y + h)]
    return [(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in groups.values()]


def digit_boxes(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Digit boxes (x, y, w, h): components merged when they overlap horizontally."""
    # only the ink's bounding box is labelled (the same components, in a third of the time:
    # a figure fills a fraction of its cell), their boxes moved back into the cell's frame;
    # 16-bit labels (never read) are labelled 2.5 times as fast, and 8-connected components
    # touch no other, so the box holds at most one on every other row and column
    h_cell, w_cell = ink.shape
    left, top, width, height = cv2.boundingRect(ink)
    if width == 0:
        return []
    most = ((height + 1) // 2) * ((width + 1) // 2)
    label_type = cv2.CV_16U if most < 65_535 else cv2.CV_32S
    count, _, stats, _ = cv2.connectedComponentsWithStats(
        ink[top : top + height, left : left + width], connectivity=8, ltype=label_type
    )
    stats[:, 0] += left
    stats[:, 1] += top
    # a dash for nil in one digit's box is short against the box (a C1 box's "-")
    dash = 0.15 if w_cell <= BOX_ASPECT * h_cell else 0.4
    parts = [
        (x, y, w, h)
        for x, y, w, h, area in stats[1:count].tolist()  # (left, top, width, height, area)
        if area >= 12
        and (h >= h_cell * 0.12 or (w >= h_cell * dash and w >= 2.2 * h))  # a digit, or nil's dash
    ]
    merged = _merge_overlapping(parts)
    if not merged:
        return []
    tallest = max(b[3] for b in merged)

    def kept(box: tuple[int, int, int, int]) -> bool:
        _, _, w, h = box
        return h >= 0.35 * tallest or w > 2.2 * h

    # specks and dots far smaller than the figure's digits are noise, unless they chain
    # into a stroke as tall as a digit
    small = [box for box in merged if not kept(box)]
    strokes = [box for box in _chained(ink, small) if box not in small and kept(box)]
    return _with_flags(_merge_overlapping([box for box in merged if kept(box)] + strokes))


def _with_flags(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """A flat stroke lifted off the figure's top beside the digit on its left is that
    digit's flag: a "5" written in two strokes, its cap not touching its body, otherwise
    read as "5?" (a dash for nil is alone in its cell, and a crossing-out runs through the
    digits' middle, not above them)."""
    if len(boxes) < 2:
        return boxes
    tall = [b for b in boxes if b[3] >= 0.6 * max(b[3] for b in boxes)]
    top, height = min(b[1] for b in tall), max(b[3] for b in tall)
    out: list[list[int]] = []
    for x, y, w, h in boxes:  # sorted left to right
        flag = w > 2.2 * h and y + h <= top + 0.45 * height
        if flag and out and x - (out[-1][0] + out[-1][2]) <= 0.5 * w:
            px, py, pw, ph = out[-1]
            nx, ny = min(px, x), min(py, y)
            out[-1] = [nx, ny, max(px + pw, x + w) - nx, max(py + ph, y + h) - ny]
            continue
        out.append([x, y, w, h])
    return [(x, y, w, h) for x, y, w, h in out]


def _split_touching(
    ink: np.ndarray, box: tuple[int, int, int, int], parts: int
) -> list[tuple[int, int, int, int]]:
    """Split a box into `parts` digits at the weakest columns of its ink."""
    x, y, w, h = box
    if parts < 2:
        return [box]
    profile = (ink[y : y + h, x : x + w] > 0).sum(axis=0).astype(float)
    cuts = []
    for k in range(1, parts):
        centre = int(w * k / parts)
        lo, hi = max(1, centre - w // (3 * parts)), min(w - 1, centre + w // (3 * parts))
        cuts.append(lo + int(np.argmin(profile[lo:hi])) if hi > lo else centre)
    edges = [0, *cuts, w]
    return [(x + a, y, b - a, h) for a, b in itertools.pairwise(edges) if b - a > 2]


# a box this much wider than tall is no one digit, whatever the network makes of it whole
# (seed 9023's NA-145_ps229: a typed "229" closed up into one box 2.2 times as wide as
# tall, read "2" at 0.97)
WIDE_AS_TWO = 1.9


def _segmentations(
    ink: np.ndarray, box: tuple[int, int, int, int]
) -> list[list[tuple[int, int, int, int]]]:
    """Ways to read one ink box: as one digit and, when wide, as touching digits."""
    _, _, w, h = box
    options = [[box]]
    if w >= 1.45 * h:  # a slanted or round handwritten digit can be wider than tall
        guess = max(2, round(w / (0.85 * h)))
        options += [_split_touching(ink, box, k) for k in sorted({guess, guess + 1, 2}) if k <= 6]
        if w >= WIDE_AS_TWO * h and len(options) > 1:
            options = options[1:]
    return options


# Type sets a figure's digits in one line at one height: the boxes of a typed figure have
# their tops and their bottoms within TYPE_LEVEL pixels (of 170 typed figures, small and
# blurred, all; of 354 of the generator's hands' figures, 9%)
TYPE_LEVEL = 1
TYPE_ONE_WIDTH = 0.45  # a box narrower than this against its height is a bare "1"
# A box of a typed figure TYPE_PITCH or more times as wide as its narrowest digit (not a
# bare "1") is digits touching, whatever the network makes of it whole: small type's "44"
# and "22" close up into one box, which the network reads surely as one "4" or "2" (seed
# 9022's PS-84_ps135 "445" read 45, PK-199_form47 "10922" read 1092). How many digits it
# holds: its width over the narrowest digit's, or over TYPE_WIDER times that (a digit
# wider than the narrowest), as the network reads best; so cut, it is read so if the
# network is TYPE_SURE of its digits (a hand's wide "4" beside a "0" whose tops and
# bottoms align cuts into no two sure digits: on 1,800 of the generator's handwritten
# cells, 542 / 546 / 532 exact against 542 / 546 / 531 without the rule; on 400 typed
# ones of 20-34 px, 7 more exact and none lost).
TYPE_PITCH = 1.6
TYPE_TWO_WIDE = 1.2  # ... and two type digits are wider than tall ("22": 1.43), one is not
TYPE_WIDER = 1.3
TYPE_SURE = 0.9


def _narrowest_typed(boxes: list[tuple[int, int, int, int]]) -> float | None:
    """The width of the narrowest digit of a typed figure (`TYPE_LEVEL`; a bare "1"
    aside), None for a handwritten figure or one of a single box."""
    if len(boxes) < 2:
        return None
    tops = [y for _, y, _, _ in boxes]
    bottoms = [y + h for _, y, _, h in boxes]
    if max(tops) - min(tops) > TYPE_LEVEL or max(bottoms) - min(bottoms) > TYPE_LEVEL:
        return None
    digits = [w for _, _, w, h in boxes if w >= TYPE_ONE_WIDTH * h]
    return float(min(digits)) if digits else None


def _typed_splits(
    ink: np.ndarray, box: tuple[int, int, int, int], narrowest: float | None
) -> list[list[tuple[int, int, int, int]]]:
    """A typed figure's box cut into each count of digits its width may hold (its width
    over the figure's narrowest digit's, `_narrowest_typed`, or over TYPE_WIDER times
    that), none when it holds one."""
    if narrowest is None or box[2] < max(TYPE_PITCH * narrowest, TYPE_TWO_WIDE * box[3]):
        return []
    most = min(6, round(box[2] / narrowest))
    least = min(most, max(2, round(box[2] / (TYPE_WIDER * narrowest))))
    cuts = (_split_touching(ink, box, k) for k in range(least, most + 1))
    return [cut for cut in cuts if len(cut) > 1]


# a "1" written touching the digit after it: a box at least this wide against its height
# may begin with one (a lone "8" or "7" is narrower, a touching "18" or "17" wider) ...
ONE_AHEAD_ASPECT = 0.8
# ... a straight upright stroke: its rows' ink at most this wide against its height, their
# centres within this share of its height of one line, over nearly all its height
ONE_WIDTH = 0.25
ONE_STRAIGHT = 0.08
# ... and it and the digit after it both nearly the box's height (a "6"'s straight stem
# and its loop, half as tall, are one digit)
ONE_TALL = 0.75
# a figure whose leading "1" may have been swallowed is this much less sure (withheld for
# a person or the form's sums to settle, "18" offered as a rival of "8")
SWALLOWED_ONE = 0.5


def _is_one(stroke: np.ndarray) -> bool:
    """Whether ink (a crop, 255 = ink) is one straight upright stroke down its whole
    height: a "1", not an open "0"'s arc, a "4"'s bent first stroke or a "5"'s short one."""
    h = stroke.shape[0]
    rows = np.flatnonzero(stroke.any(axis=1))
    if h < 8 or len(rows) < 0.9 * h:
        return False
    widths = (stroke[rows] > 0).sum(axis=1)
    if np.median(widths) > ONE_WIDTH * h:
        return False
    centres = np.array([np.flatnonzero(stroke[r]).mean() for r in rows])
    slope, offset = np.polyfit(rows, centres, 1)
    return bool(np.abs(centres - (slope * rows + offset)).max() <= max(1.5, ONE_STRAIGHT * h))


def _one_ahead(
    ink: np.ndarray, box: tuple[int, int, int, int]
) -> list[tuple[int, int, int, int]] | None:
    """The box cut after a leading "1" that touches the next digit (the "1" of "18"
    written into the "8": read whole, the box is an "8"), or None when its left part is no
    straight stroke as tall as the box. The cut: the column of least ink in the box's
    left half, crossing one stroke at most (where the two digits join)."""
    x, y, w, h = box
    if w < ONE_AHEAD_ASPECT * h or h < 10:
        return None
    profile = (ink[y : y + h, x : x + w] > 0).sum(axis=0)
    lo, hi = max(2, int(0.12 * w)), int(0.5 * w)
    if hi <= lo:
        return None
    cut = lo + int(np.argmin(profile[lo:hi]))
    column = ink[y : y + h, x + cut] > 0
    if np.count_nonzero(column[1:] & ~column[:-1]) + int(column[0]) > 1:
        return None  # the cut crosses two strokes: a loop ("0", "6", "8"), not a join
    left, right = _tight(ink, (x, y, cut, h)), _tight(ink, (x + cut, y, w - cut, h))
    if left is None or right is None or min(left[3], right[3]) < ONE_TALL * h:
        return None
    lx, ly, lw, lh = left
    return [left, right] if _is_one(ink[ly : ly + lh, lx : lx + lw]) else None


def _tight(ink: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The box shrunk to the ink inside it (None when it holds none)."""
    x, y, w, h = box
    ix, iy, iw, ih = cv2.boundingRect(ink[y : y + h, x : x + w])
    return (x + ix, y + iy, iw, ih) if iw and ih else None


def _best_readings(
    ink: np.ndarray, boxes: list[tuple[int, int, int, int]]
) -> tuple[list[tuple[tuple[int, int, int, int], np.ndarray]], dict[int, float]]:
    """For each box, the segmentation whose digits the network is surest of (product of the
    parts' best digit probabilities; a part it calls "not a digit" scores its digit). The
    network sees every part of every way of cutting the cell's boxes in one batch.

    Also, by the index of the part: a box read as one digit that begins with a straight
    stroke the network reads as "1" before a part it reads as that same digit, and how
    likely that cut's "1" is (a touching "18" reads "8" whole as surely as "1" and "8" cut:
    the product cannot tell them apart)."""
    ahead = [_one_ahead(ink, box) for box in boxes]
    narrowest = _narrowest_typed(boxes)
    typed = [_typed_splits(ink, box, narrowest) for box in boxes]
    options = [
        [*cuts, *_segmentations(ink, box), *([one] if one else [])]
        for box, one, cuts in zip(boxes, ahead, typed, strict=True)
    ]
    flat = [b for box_options in options for option in box_options for b in option]
    probabilities = digit_probabilities(np.stack([_to_mnist(ink, b) for b in flat]))
    parts: list[tuple[tuple[int, int, int, int], np.ndarray]] = []
    swallowed: dict[int, float] = {}
    at = 0
    for box_options, one, cuts in zip(options, ahead, typed, strict=True):
        best: list[tuple[tuple[int, int, int, int], np.ndarray]] = []
        best_score, cut = -1.0, None
        for option in box_options:
            probs = probabilities[at : at + len(option)]
            at += len(option)
            if option is one:
                cut = probs
                continue
            score = float(np.prod(probs[:, :REJECT].max(axis=1)))
            if any(option is typed_cut for typed_cut in cuts) and score >= TYPE_SURE:
                score += 1.0  # the type's width says digits touch: the network says how many
            if score > best_score:
                best_score, best = score, list(zip(option, probs, strict=True))
        if cut is not None and len(best) == 1:
            whole = int(np.argmax(best[0][1]))
            if np.argmax(cut[0]) == 1 and whole != REJECT and np.argmax(cut[1]) == whole:
                swallowed[len(parts)] = float(cut[0][1])
        parts += best
    return parts, swallowed


# a digit the network is less sure of than this is read again from its ink's variants
STEADY_BELOW = 0.995
STEADY_ANGLES = (-6.0, 6.0)  # degrees; with the ink one pixel bolder and one finer


def _steadied(ink: np.ndarray, box: tuple[int, int, int, int], probs: np.ndarray) -> np.ndarray:
    """An unsure digit's probabilities averaged over its ink as seen and four slight
    variants of it (one pixel bolder, finer, turned six degrees either way): a reading
    that rests on one pen width or slant steadies or stays unsure. Synthetic cells of
    another seed than the benchmark's (notes in RESULTS, Digits): exact 0.882 -> 0.886 with no
    more wrong figures given; run only when the figure would be withheld."""
    if probs[:REJECT].max() >= STEADY_BELOW:
        return probs
    x, y, w, h = box
    crop = ink[y : y + h, x : x + w]
    kernel = np.ones((2, 2), np.uint8)
    finer = cv2.erode(crop, kernel)
    shapes = [cv2.dilate(crop, kernel), finer if np.count_nonzero(finer) > 10 else crop]
    for angle in STEADY_ANGLES:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        shapes.append(cv2.warpAffine(crop, turn, (w, h)))
    seen = digit_probabilities(np.stack([mnist_normalise(s) for s in shapes]))
    return np.vstack([probs[None], seen]).mean(axis=0)


def mnist_normalise(crop: np.ndarray) -> np.ndarray:
    """One digit's ink (white on black) the way MNIST is made: fit in 20x20, centre of mass
    at (14, 14) of a 28x28 image. Training uses this same function."""
    h, w = crop.shape
    scale = 20.0 / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(crop.astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((28, 28), np.float32)
    y0, x0 = (28 - nh) // 2, (28 - nw) // 2
    canvas[y0 : y0 + nh, x0 : x0 + nw] = small
    # the centre of mass by numpy: cv2.moments takes a crop two pixels wide (a thin "1")
    # for a list of points
    total = canvas.sum()
    if total > 0:
        cy = (canvas.sum(axis=1) * np.arange(28)).sum() / total
        cx = (canvas.sum(axis=0) * np.arange(28)).sum() / total
        canvas = cv2.warpAffine(canvas, np.float32([[1, 0, 14 - cx], [0, 1, 14 - cy]]), (28, 28))
    return np.clip(canvas, 0, 255).astype(np.uint8)


def _to_mnist(ink: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    return mnist_normalise(ink[y : y + h, x : x + w])


def _is_dash(box: tuple[int, int, int, int], cell_height: int) -> bool:
    _, _, w, h = box
    return w > 2.2 * h and h < 0.3 * cell_height


def read_number(image: np.ndarray, *, accept: float = ACCEPT_CONFIDENCE) -> NumberReading:
    """Read the figure in one cell crop (grayscale or BGR, dark ink on light paper).

    The value is withheld (None, status "rejected") when the confidence is below `accept`.
    """
    gray = _gray(image)
    ink = _gray_cell_ink(gray)
    boxes = digit_boxes(ink)
    if not boxes:
        return NumberReading(value=None, text="", confidence=0.0, status="empty")
    if len(boxes) == 1 and _is_dash(boxes[0], ink.shape[0]):
        return NumberReading(value=0, text="-", confidence=0.9, status="ok")
    if sum(b[2] for b in boxes) > 8 * max(b[3] for b in boxes):
        return NumberReading(value=None, text="?", confidence=0.0, status="rejected")
    parts, swallowed = _best_readings(ink, boxes)
    if len(parts) > 7:
        return NumberReading(value=None, text="?" * len(parts), confidence=0.0, status="rejected")
    if float(math.prod(p[:REJECT].max() for _, p in parts)) < accept:
        parts = [(box, _steadied(ink, box, probs)) for box, probs in parts]
    part_boxes = [box for box, _ in parts]
    readings = []
    for box, probs in parts:
        x, y, w, h = box
        order = np.argsort(probs)[::-1]
        top = int(order[0])
        density = cv2.countNonZero(ink[y : y + h, x : x + w]) / (w * h)
        readings.append(
            DigitReading(
                digit=None if top == REJECT else top,
                probability=float(probs[top]),
                alternatives=tuple(
                    (int(d), round(float(probs[d]), 4)) for d in order[:3] if d != REJECT
                ),
                bbox=BBox(x0=x, y0=y, x1=x + w, y1=y + h),
                ink_density=round(density, 3),
            )
        )
    text = "".join("?" if r.digit is None else str(r.digit) for r in readings)
    confidence = math.prod(r.probability if r.digit is not None else 0.0 for r in readings)
    rivals: tuple[tuple[int, float], ...] = ()
    if swallowed and "?" not in text:  # "8" or "18": the form's sums may tell (corroborate)
        rivals = tuple(
            (int(text[:i] + "1" + text[i:]), round(confidence * one * SWALLOWED_ONE, 4))
            for i, one in swallowed.items()
        )
        confidence *= SWALLOWED_ONE
    tone = chroma(image)
    tint = percentile(tone[ink > 0], 50)
    overwrite = double_ink(
        gray, ink, part_boxes, tuple(r.probability for r in readings), coloured=tint > PEN_NEUTRAL
    )
    pen = pen_over_type(tone, ink, part_boxes)
    withheld = "?" in text or confidence < accept
    return NumberReading(
        value=None if withheld else int(text),
        text=text,
        confidence=confidence,
        status="rejected" if withheld else "ok",
        digits=tuple(readings),
        overwritten=overwrite is not None or pen is not None,
        overwrite_box=overwrite.box if overwrite else pen,
        overwrite_pen=pen is not None,
        overwrite_per_height=overwrite.per_height if overwrite else 0.0,
        overwrite_alone=overwrite.alone if overwrite else False,
        overwrite_unsure=overwrite.unsure if overwrite else False,
        overwrite_depth=overwrite.depth if overwrite else 1.0,
        overwrite_by_darkness=overwrite.by_darkness if overwrite else False,
        overwrite_darker_by=overwrite.darker_by if overwrite else 1.0,
        rivals=rivals,
        tint=tint,
    )


def figure_alternatives(
    reading: NumberReading, limit: int = 3, floor: float = 0.001
) -> tuple[tuple[int, float], ...]:
    """Other figures the ink could be, likeliest first: each digit in turn read as one of
    its runner-up digits (an unreadable digit as any of its candidates), the rest as read,
    and the figures another cut of the ink reads (`rivals`); (figure, probability) with
    probabilities on the scale of `confidence`."""
    digits = reading.digits
    if not digits or sum(d.digit is None for d in digits) > 1:
        return ()
    found: dict[int, float] = {}
    for position, digit in enumerate(digits):
        others = [d for i, d in enumerate(digits) if i != position]
        if any(d.digit is None for d in others):
            continue
        rest = math.prod(d.probability for d in others)
        for other, probability in digit.alternatives:
            if other == digit.digit:
                continue
            text = "".join(
                str(other) if i == position else str(d.digit) for i, d in enumerate(digits)
            )
            figure, chance = int(text), rest * probability
            if figure != reading.value and chance >= floor:
                found[figure] = max(found.get(figure, 0.0), chance)
    for figure, chance in reading.rivals:
        found[figure] = max(found.get(figure, 0.0), chance)
    ranked = sorted(found.items(), key=lambda item: -item[1])[:limit]
    return tuple((figure, round(chance, 4)) for figure, chance in ranked)


# share of a digit's ink laid twice that marks an overwrite: at 0.05, blur and JPEG of
# poor captures made 7 of 120 clean figures look overwritten (tests/numbers/test_overwrite).
# At 0.09, 65 of 6,735 figure cells of 90 seed-9002 files (33 files) were accused wrongly
# while the 21 overwrites seen sat at 0.138-0.388; at 0.12, 25 cells (16 files), all 21
# still seen, and 25 of 40 overwrites in 150-dpi phone captures (29 at 0.09; 23 at 0.13).
# With the per-height rules below, 0.10: the unseen seed 9004's overwrites seen 14 -> 16 of
# 20, no clean cell more accused on its 620 pages; on seed 9002 0.10 alone accused one more
# clean cell, which THIN_DOUBLE_SHARE clears (benchmarks/RESULTS.md, Marks)
DOUBLE_INK_SHARE = 0.10
# ... but under this share, twice the laid ink per pixel of height (below): a pen pressed
# on a clean figure lays a compact spot twice (tests/numbers/test_overwrite: 0.118 of the
# digit, 1.5 pixels per pixel of height), two digits crossing a stroke's length (seed
# 9004's two overwrites first seen at 0.10: 0.102 and 0.115, 4.8 and 4.2 per pixel)
THIN_DOUBLE_SHARE = 0.12
# ... and ink laid twice comes out nearly black: the darkest 2% of the digit under this
# share of the paper's level. A thin pen's single stroke, darker at its core than at its
# soft edge, passes the share above but not this: of the cells so accused on 42 seed-9002
# pages (at 50ce557), the 21 overwrites reached 0.000-0.090 and the 26 clean figures
# 0.079-0.208 (two under 0.095); on seed 9003, 7 clean figures 0.054-0.138 (three under).
DOUBLE_INK_DEPTH = 0.095
# ... and two digits crossing lay a stroke's length of ink twice, in proportion to the
# digit's height (a pen's width does not shrink with the writing), where a clean digit's
# darker spots (a loop closed, the pen pressed) lay only a few: at least this many pixels
# per pixel of the digit's height, unless the ink is laid quite black. On 136 c10001 files
# (11,494 figure cells) the 21 clean cells accused had 0.6-2.1 per pixel, the 77 overwrites
# seen 1.96 upward or black; 1.2 left 5 of the 21 and kept all 77; on synthetic figures
# written at half and 0.6 of the cell's size (tests/numbers/test_overwrite) no overwrite
# is lost at 1.2 (1.5 lost 4 of 60 at half size).
DOUBLE_INK_PER_HEIGHT = 1.2
DOUBLE_INK_BLACK = 0.045  # a darkest 2% under this share of the paper's level
# One digit laying ink twice where the figure's other digits lay none: one pen at one
# pressure writes a figure's digits alike, so a digit far darker than its neighbours was
# written twice, from this share of its ink up (under DOUBLE_INK_SHARE, at the plain per
# height bar) when its neighbours lay at most LONE_NEIGHBOURS and the network is less sure
# than LONE_UNSURE of it (a digit written over another seldom reads cleanly as either).
# The overwrites missed on seeds 9004 and 9006 (notes in benchmarks/RESULTS.md, Marks):
# shares 0.065-0.119 with the other digits at 0.000, network 0.77-0.95; no clean cell of
# the 66,000 figure cells of those seeds so accused (a lone "0" at 0.064 is sure, 0.999).
LONE_DOUBLE_SHARE = 0.05
LONE_NEIGHBOURS = 0.02
LONE_UNSURE = 0.99
# ... and a lone digit the network reads surely all the same (a "4" written over a "1" may
# read as a clean "4") when it lays a stroke's length twice: this many pixels per pixel of
# its height. On seeds 9013-9015 (83 overwrites, 110,640 other figure cells; RESULTS.md,
# Marks, `benchmarks.overwrite_cells`) 21 clean lone digits were as dark as DOUBLE_INK_DEPTH:
# two accused already (6.35, 3.34), the others 1.46 per pixel at most (a pen pressed:
# tests/numbers/test_overwrite, 1.5); 75 of the 77 lone overwrites 1.8 or more. Such a
# digit is `alone` all the same: bold type, which lays every digit alike, does not clear
# it (seed 9019's PP-71_ps210, a "2" written over a "7" laying 2.10 per pixel, Tesseract
# reading "27" surely; on seeds 9013-9015 no clean cell so kept). A coarse JPEG's ringing
# still does, below stages/read.py's COARSE_LONE_LAID_TWICE, as it darkens one digit as
# readily as all: seed 9020's PK-13_ps109 at JPEG 35, two clean figures with one digit
# each at 2.18 and 1.91 per pixel, read at 0.995 and more.
SURE_LONE_PER_HEIGHT = 1.8
# ... and a digit the network is unsure of, its neighbours laying no ink twice, is an
# overwrite from a stroke's length laid twice at this many pixels per pixel of its height,
# however small a share of its ink that is: the box may hold the digit written over with
# a neighbour it touches (seed 9018's PP-163_ps079, "5" over "1" read as one box beside the
# "6": 0.032 of its ink, 1.18 per pixel, the network 0.44), if the ink laid twice spans
# UNSURE_LONE_SPAN of the digit's height: two strokes running along each other, not a
# spot where the pen was pressed (tests/numbers/test_overwrite: a 7 x 7 spot, 0.16-0.23
# of the height; on PP-163_ps079, 0.66). On seeds 9013-9015 the clean digits so placed
# laid 0.84 per pixel at most; on seeds 9016-9020 one, on a Form 47 at JPEG 49, 1.04
# (benchmarks/RESULTS.md, Marks): so weak a sign, a coarse JPEG's ringing clears it, even
# where the digit lays LONE_DOUBLE_SHARE of its ink twice, short of the plain per-height
# bar (seed 9029's PP-76_ps199 at JPEG 43, a clean "11": its second "1" 0.15 of its ink,
# 1.05 pixels per pixel of height, the network 0.958).
UNSURE_LONE = 0.98
UNSURE_LONE_PER_HEIGHT = 1.0
UNSURE_LONE_SPAN = 0.4
# A coloured pen's translucent ink, blurred or compressed, may never lay ink twice as dark
# as DOUBLE_INK_DEPTH: four overwrites missed on seeds 9024-9028, all in blue ink
# (benchmarks/RESULTS.md, Marks), reached 0.099-0.111 of the paper where their figures'
# other digits reached 0.186-0.297 (seed 9028's PP-171_ps197, "260" -> "220": 0.099
# against 0.189 and 0.186). A coloured digit alone of its figure in laying a stroke's
# length twice (SURE_LONE_PER_HEIGHT, or UNSURE_LONE_PER_HEIGHT along UNSURE_LONE_SPAN
# unsure to the network) is an overwrite up to PALE_LONE_DEPTH when its darkest strokes
# are this much darker than every other digit's: a pen pressed on one digit darkens a
# spot, not a stroke's length. On seeds 9013-9016's 156,000 figure cells
# (`benchmarks.overwrite_cells --json`) the rule without the colour accused four clean
# cells, each in black (a typed "99", a black pen's "204", "11" and "51"); on seed 9027's
# 44,536, none with it or without.
DARKER_THAN_NEIGHBOURS = 0.55
PALE_LONE_DEPTH = 0.115
# ... and in any ink, a digit alone of its figure in laying ink twice, its darkest strokes
# as dark as DOUBLE_INK_DEPTH and DARKER_THAN_NEIGHBOURS of every other digit's, is an
# overwrite from this many pixels laid twice per pixel of its height (short of
# SURE_LONE_PER_HEIGHT), if they span UNSURE_LONE_SPAN of its height: a stroke's length,
# not a spot where the pen was pressed (tests/numbers/test_overwrite). Seed 9031's
# NA-116_ps139: a black "3" written over a "1" in a 150-dpi scan, 1.67 per pixel at 0.069
# of the paper, its neighbours at 0.198 and 0.222, read 0.995 surely. On the stored cells
# of seeds 9013-9016 and 9027 (200,000 figure cells; RESULTS.md, Marks) no clean cell is
# so accused; at 1.2, three, each in a JPEG saved under quality 50. But a JPEG's ringing
# round a black pen's bold strokes at 150 dpi can so darken one digit at any quality (seed
# 9030's PP-120_ps142 agent copy at 54: a "7" and a "2" at 1.57 and 1.50 per pixel, 0.39
# and 0.53 of their neighbours' darkness): in a JPEG the rule accuses nothing
# (stages/read.py, `_ringing`).
DARK_LONE_PER_HEIGHT = 1.5


def _span(mask: np.ndarray) -> int:
    """How far the set pixels of `mask` reach, along the longer of its two axes."""
    ys, xs = np.nonzero(mask)
    if not ys.size:
        return 0
    return int(max(ys.max() - ys.min(), xs.max() - xs.min())) + 1


def percentile(values: np.ndarray, q: float) -> float:
    """`np.percentile(values, q)` (linear between ranks) of a non-empty uint8 array, read off
    its histogram: no sort, as a cell's overwrite test asks it of every figure."""
    if values.dtype != np.uint8:
        return float(np.percentile(values, q))
    below = np.bincount(values, minlength=256).cumsum()  # below[v]: how many are <= v
    rank = q / 100 * (values.size - 1)
    low = int(rank)
    at_low = int(np.searchsorted(below, low, side="right"))
    if rank == low:
        return float(at_low)
    at_high = int(np.searchsorted(below, low + 1, side="right"))
    return at_low + (rank - low) * (at_high - at_low)


@dataclass(frozen=True)
class DoubleInk:
    """The digit written over another: its box in the cell, its pixels laid twice per
    pixel of its height, whether it alone of the figure lays ink twice (unsure to the
    network, or laying a stroke's length twice), whether it does so unsure to the
    network from LONE_DOUBLE_SHARE of its ink (at the plain per-height bar, or far
    darker than its neighbours in a coloured pen), its darkest strokes' level over the
    paper's, and whether only its darkness beside its neighbours' told it
    (DARK_LONE_PER_HEIGHT)."""

    box: BBox
    per_height: float
    alone: bool
    unsure: bool
    depth: float
    by_darkness: bool = False  # found by DARK_LONE_PER_HEIGHT's rule alone
    darker_by: float = 1.0  # `depth` over the other digits' darkest (1.0: none)


def _darkest(
    gray: np.ndarray, core: np.ndarray, box: tuple[int, int, int, int], paper: float
) -> float:
    """A digit's darkest strokes (their darkest 2%) over the paper's level (1.0: no ink)."""
    x, y, w, h = box
    inside = core[y : y + h, x : x + w]
    if not inside.any():
        return 1.0
    return percentile(gray[y : y + h, x : x + w][inside], 2) / max(paper, 1.0)


def _darker_by(
    depth: float,
    gray: np.ndarray,
    core: np.ndarray,
    others: list[tuple[int, int, int, int]],
    paper: float,
) -> float:
    """A digit's darkest strokes (`depth`) over the darkest of its figure's other digits
    (1.0 where it has none)."""
    if not others:
        return 1.0
    return depth / max(min(_darkest(gray, core, o, paper) for o in others), 1e-3)


def _cores(gray: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The figure's stroke cores (not their soft edges) and, of them, the ink laid twice:
    darker than 0.6 of a single layer fully laid (the cores' 25th percentile). None when
    the figure has too little stroke to tell."""
    core = cv2.erode(ink, np.ones((2, 2), np.uint8)) > 0
    if np.count_nonzero(core) < 40:
        return None
    full_ink = percentile(gray[core], 25)
    return core, core & (gray < 0.6 * full_ink)


def _paper(gray: np.ndarray, ink: np.ndarray) -> float:
    blank = gray[ink == 0]
    return percentile(blank, 50) if blank.size else 255.0


def laid_twice(
    gray: np.ndarray, ink: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[float, float]:
    """One digit's pixels of ink laid twice per pixel of its height, and its darkest
    strokes' level over the paper's, as `double_ink` measures them ((0.0, 1.0): too little
    stroke to tell)."""
    return laid_twice_each(gray, ink, [box])[0]


def laid_twice_each(
    gray: np.ndarray, ink: np.ndarray, boxes: list[tuple[int, int, int, int]]
) -> tuple[tuple[float, float], ...]:
    """`laid_twice` for each of a figure's digits, its stroke cores found once."""
    cores = _cores(gray, ink)
    if cores is None:
        return tuple((0.0, 1.0) for _ in boxes)
    core, dark = cores
    paper = _paper(gray, ink)
    return tuple(
        (
            round(np.count_nonzero(dark[y : y + h, x : x + w]) / max(h, 1), 2),
            round(_darkest(gray, core, (x, y, w, h), paper), 3),
        )
        for x, y, w, h in boxes
    )


def double_ink(
    gray: np.ndarray,
    ink: np.ndarray,
    boxes: list[tuple[int, int, int, int]],
    sureness: tuple[float, ...] | None = None,
    *,
    coloured: bool = False,
) -> DoubleInk | None:
    """A digit written over another: where two strokes cross the ink is laid twice and
    comes out far darker than the figure's ordinary strokes (None: no digit is).
    `sureness`: the network's probability of each box's digit (a lone dark digit,
    LONE_DOUBLE_SHARE, is judged only with it); `coloured`: the figure is written in a
    coloured pen, whose ink laid twice may stay paler than DOUBLE_INK_DEPTH
    (PALE_LONE_DEPTH)."""
    if cv2.minMaxLoc(gray)[0] >= (PALE_LONE_DEPTH if coloured else DOUBLE_INK_DEPTH) * 255:
        return None  # nothing as dark as ink laid twice on even white paper
    cores = _cores(gray, ink)
    if cores is None:
        return None
    core, dark = cores
    laid = [
        (
            int(np.count_nonzero(dark[y : y + h, x : x + w])),
            int(np.count_nonzero(core[y : y + h, x : x + w])),
        )
        for x, y, w, h in boxes
    ]
    shares = [twice / max(stroke, 1) for twice, stroke in laid]
    paper = None
    for i, ((x, y, w, h), (laid_twice, stroke), share) in enumerate(
        zip(boxes, laid, shares, strict=True)
    ):
        if stroke < 40 or laid_twice < 25:
            continue
        neighbours = shares[:i] + shares[i + 1 :]
        quiet = sureness is not None and bool(neighbours) and max(neighbours) <= LONE_NEIGHBOURS
        alone = quiet and share > LONE_DOUBLE_SHARE
        lone = alone and sureness is not None and sureness[i] < LONE_UNSURE
        doubted = (
            quiet
            and sureness is not None
            and sureness[i] < UNSURE_LONE
            and laid_twice >= UNSURE_LONE_PER_HEIGHT * h
            and _span(dark[y : y + h, x : x + w]) >= UNSURE_LONE_SPAN * h
        )
        if share <= DOUBLE_INK_SHARE and not alone and not doubted:
            continue
        if paper is None:
            paper = _paper(gray, ink)
        depth = _darkest(gray, core, (x, y, w, h), paper)
        thin = share < THIN_DOUBLE_SHARE and not lone
        per_height = DOUBLE_INK_PER_HEIGHT * (2 if thin else 1)
        plain = (share > DOUBLE_INK_SHARE or lone) and (
            laid_twice >= per_height * h or depth < DOUBLE_INK_BLACK
        )
        sure_lone = alone and laid_twice >= SURE_LONE_PER_HEIGHT * h
        darker_by = _darker_by(depth, gray, core, boxes[:i] + boxes[i + 1 :], paper)
        pale = (
            coloured
            and (sure_lone or doubted)
            and DOUBLE_INK_DEPTH <= depth < PALE_LONE_DEPTH
            and darker_by <= DARKER_THAN_NEIGHBOURS
        )
        dark_lone = (
            alone
            and depth < DOUBLE_INK_DEPTH
            and laid_twice >= DARK_LONE_PER_HEIGHT * h
            and not (plain or sure_lone or doubted)
            and _span(dark[y : y + h, x : x + w]) >= UNSURE_LONE_SPAN * h
            and darker_by <= DARKER_THAN_NEIGHBOURS
        )
        if (depth < DOUBLE_INK_DEPTH and (plain or sure_lone or doubted)) or pale or dark_lone:
            box = BBox(x0=x, y0=y, x1=x + w, y1=y + h)
            return DoubleInk(
                box,
                round(laid_twice / h, 2),
                alone=lone or sure_lone or doubted or dark_lone,
                unsure=lone and (plain or pale),
                depth=round(depth, 3),
                by_darkness=dark_lone and not pale,
                darker_by=round(darker_by, 3),
            )
    return None
