"""The marks stage: stamp impressions and signatures on one page, and what is missing.

Stamps are found three ways and merged: blobs of saturated ink (blue, violet, red,
orange) of stamp size, rings (Hough circles) in any ink, and elliptic outlines in any ink
(a black oval, a tilted ring), so black stamps and grayscale scans are found too.
Signature boxes come from locate; each is judged present, absent or refused from its ink
once the printed ruling is removed: a scribble is a signature; a line of small, even
letters is a written note ("refused to sign").
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import cv2
import imagehash
import numpy as np
from PIL import Image

from pipeline.codes import FindingCode
from pipeline.components import large_pieces
from pipeline.layout import LocatedForm, SignatureBox
from pipeline.model import (
    VOTE_COLUMNS,
    BBox,
    Evidence,
    Finding,
    Signature,
    SignatureRole,
    SignatureStatus,
    Stamp,
    StampReading,
    StampShape,
    finding,
)
from pipeline.pages import NormalisedPage
from pipeline.rings import Ellipse, outer_ring
from pipeline.stages.grid import pen_ink
from pipeline.stages.stamp_text import StampText, read_stamp_text, readings_mismatch
from pipeline.templates import Template

ABSENT_INK = 0.004  # below this share of ink pixels a box is empty
# a written note ("refused to sign"): its ink under these shares of the box's height and
# width, over NOTE_FLAT times as wide as high in two words or more, or NOTE_FLAT_WORDS in
# three or more (`_judge`)
NOTE_HEIGHT = 0.58
NOTE_WIDTH = 0.52
NOTE_FLAT = 2.4
NOTE_FLAT_WORDS = 2.0
INK_SATURATION = 45  # pale stamp ink (faded pad, JPEG) is far less saturated than a pen
# a second look, on the page that carries the footer when no stamp was found: a faded
# pad leaves an impression of saturation 20-40 (seed 10001's missed stamps: median 29)
PALE_INK_SATURATION = 22
# coloured ink is no brighter (HSV value) than this: brighter is paper
PAPER_BRIGHT = 234
# ... but a pale pad's faded blue on a phone photo's paper may be as bright as the paper
# itself (its blue channel at 238-249), told from it only by its saturation: seed 9049's
# GBA-14_ps118, a paste of 200 dpi on a page a third of the photo, none of it at 234 or
# under. The pale look takes ink up to this bright: of the 141 pages of seeds 9045-9049
# where no stamp was found, that one has one now, and no other
PALE_BRIGHT = 250
# ... and such a find must be mostly pale ink: of its ink, this share at most INK_SATURATION
# (seed 10001's faded impressions 0.65-0.97; a pen's signatures and figures, which the
# paler threshold joins into blobs of stamp size, 0.09-0.42)
PALE_SHARE = 0.5
GREY_INK_SATURATION = 50  # a stamp's ink less saturated than this (median) is named black
# ... where its ink over INK_SATURATION covers this share of its box; else it is named by
# its pale ink's hue where this share of the page's ink there is over PALE_INK_SATURATION
# (`_stamp_colour`). A thin impression of a pale pad covers less: seed 9041's NA-203_ps094,
# violet, 0.019 of its box, was named black, so never matched to its pasted copies (a
# black stamp's darkness and a violet one's saturation are two images). Of the stamps
# named black on seed 9041's pages (at 7d724c6), the 100 black ones had 0.017 of their ink
# over PALE_INK_SATURATION at most, the 10 coloured ones outside GIFs 0.28-0.75
COLOURED_BOX = 0.02
PALE_COLOURED = 0.2
MIN_ELLIPSE_RING = 0.3  # share of the inscribed ellipse a stamp's ring covers at least
RING_SECTORS = 10  # of the 12 sectors of a fitted ellipse, those a ring must reach
# a stamp's short side at least, in pixels of the page at 300 dpi (20 mm; the generator's
# impressions 285 and up, an oval's short axis; a station's stamp is 35-45 mm across):
# asked of a candidate lying mostly in the signature boxes, where one signature's zigzag
# reaches round the ellipse fitted to it (seed 9016's PS-239_ps075, 125 x 182 pixels,
# and NA-249_ps141's agent's box, 169 x 369: STAMP_MISSING missed on both)
SIGNED_STAMP_SIDE = 240
WRITTEN_SHARE = 0.5  # of a candidate's ink inside written cells: handwriting, no stamp
# an outline in any ink taken for a stamp's outer ring (quarter scale): ink along 70% of
# the ellipse fitted to it and in all 12 sectors, paper along 65% of an ellipse 1.2x its
# size. On 191 seed-9002 pages it found 6 of the 7 impressions the colour and circle
# passes missed (black ovals, faint violet ones) and nothing else; at 0.5 / 10 sectors /
# 0.5 it took 11 other outlines.
OUTLINE_RING = 0.7
OUTLINE_OUTSIDE = 0.35
# a third look, on the page that carries the footer when neither found a stamp: a faint
# ring at 150-200 dpi (a phone photo, a GIF's palette) breaks into arcs that the 3x3
# closing leaves apart (seed 9035's NA-246_ps102, a black oval, and PB-67_ps230, a grey
# one; seed 9032's PP-161_ps170). A 5x5 closing joins them, and also joins a block of
# printed or handwritten text into an outline (four Indonesian C1 photos of
# ../shared/realdata): so such an outline must also have paper all round it (at 1.2x, at
# most WIDE_OUTSIDE of ink: the two rings 0.0 and 0.07, the text blocks 0.12-0.26) and
# cover at most WIDE_FILL of its box (rings 0.34-0.39 with their text, blocks 0.48-0.51).
WIDE_CLOSING = 5
QUARTER = 0.25  # the scale at which rings and outlines are sought
WIDE_OUTSIDE = 0.1
WIDE_FILL = 0.44
INK_HUES = {"red": (0, 10), "orange": (10, 25), "blue": (95, 130), "violet": (130, 165)}
STAMP_DESCRIPTOR = 64  # side of a stamp's ink descriptor, in pixels
# a signature's fingerprint: the rules removed from its shape run this share of the box
# across (as printed); a pen's long straight stroke, half the box high (a "p" drawn down
# through the flourish), was taken for a rule on one copy of a paste and not, or only in
# part, on another, so the two shapes' extents differed: seed 9012's NA-212 pasted
# signature on ps163 was 0.39 from its copies on ps026 and ps209 (at 3/5 of the width and
# half the height). At 0.85 the pastes among 116 files of seed 9012 all came within
# 0.077 (40 pairs; 38 found before) and two signings by one hand 0.099 or more (455)
RULE_ACROSS = 0.85
# a signature that is one straight stroke (its ink spread across its own axis,
# `stroke_spread`, under this, in page pixels: a pen's width) carries too little of a
# hand to tell a paste from a second signing, and is not fingerprinted: seed 9035's
# PP-155_ps031 and its agent's copy, a line signed in one agent's box on each, 2.5 pixels
# across, 0.058 apart (a paste under 0.065); every signature of seed 9035's 35 pages
# bearing a pasted one 4.3 or more, a flat signature of short strokes in a row
# (`tests/marks`) 3.3
LINE_SPREAD = 3.0
# ... nor is one smooth stroke: one piece of ink (ONE_PIECE of it) lying within
# ONE_STROKE_SPREAD of a cubic along its long axis (`curve_spread`). Seed 9040's
# NA-55_ps188 and its agent's copy: agent 31 signed each with one gentle curve, 3.32 and
# 2.69 off its cubic (7.19 and 6.43 off a line), 0.045 apart (a paste under 0.065). The
# 480 pasted signatures of seeds 9035-9040: 9.8 or more.
ONE_STROKE_SPREAD = 3.5
ONE_PIECE = 0.95


def fingerprint(crop: np.ndarray) -> tuple[str, str]:
    """Perceptual hash (hex) and a 32x32 grey descriptor (base64) of an ink crop."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    phash = str(imagehash.phash(Image.fromarray(gray), hash_size=16))
    small = cv2.resize(gray, (32, 32), interpolation=cv2.INTER_AREA)
    return phash, base64.b64encode(small.tobytes()).decode("ascii")


def _ink_darkness(crop: np.ndarray, colour: str) -> np.ndarray:
    """Each pixel's share of the stamp's ink (uint8): its saturation for a coloured
    stamp, its darkness for a black one."""
    if colour == "black":
        return np.asarray(255 - cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), np.uint8)
    return np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)[:, :, 1], np.uint8)


def stamp_ink(crop: np.ndarray, colour: str) -> np.ndarray:
    """The impression's ink alone (0 paper .. ink), the paper's tone and its light
    gradient removed: saturation for a coloured stamp, darkness for a black one, each
    measured against the paper level around it."""
    tone = 255 - _ink_darkness(crop, colour)
    paper = cv2.GaussianBlur(cv2.dilate(tone, np.ones((15, 15), np.uint8)), (0, 0), 8)
    return np.clip(paper.astype(np.float32) - tone, 0, 255)


def stamp_fingerprint(crop: np.ndarray, colour: str) -> tuple[str, str]:
    """Perceptual hash (hex) and a 64x64 ink descriptor (base64) of a stamp impression.

    Finer than a signature's: every stamp carries two rings and a ring of text, so at
    32x32 a pasted copy is no nearer its original than another station's stamp is."""
    ink = cv2.resize(
        stamp_ink(crop, colour), (STAMP_DESCRIPTOR, STAMP_DESCRIPTOR), interpolation=cv2.INTER_AREA
    )
    small = np.clip(ink * (255.0 / max(float(ink.max()), 1.0)), 0, 255).astype(np.uint8)
    phash = str(imagehash.phash(Image.fromarray(255 - small), hash_size=8))
    return phash, base64.b64encode(small.tobytes()).decode("ascii")


def _colour_name(pixels: np.ndarray, grey_below: int = GREY_INK_SATURATION) -> str:
    """Name of the dominant ink colour of BGR pixels ("black" when their median
    saturation is under `grey_below`)."""
    if len(pixels) == 0:
        return "unknown"
    hsv = cv2.cvtColor(pixels.reshape(-1, 1, 3), cv2.COLOR_BGR2HSV).reshape(-1, 3)
    if np.median(hsv[:, 1]) < grey_below:
        return "black"
    hue = float(np.median(hsv[:, 0]))
    for name, (lo, hi) in INK_HUES.items():
        if lo <= hue < hi:
            return name
    return "red" if hue >= 165 else "unknown"


def _brightest(saturation: int) -> int:
    """The brightest (HSV value) a stamp's ink sought over `saturation` may be:
    PAPER_BRIGHT, or in the pale look (under INK_SATURATION) PALE_BRIGHT."""
    return PAPER_BRIGHT if saturation >= INK_SATURATION else PALE_BRIGHT


def _coloured_ink(
    image: np.ndarray, saturation: int = INK_SATURATION, brightest: int = PAPER_BRIGHT
) -> np.ndarray:
    """255 where the ink is saturated (above `saturation`) and not paper-bright (over
    `brightest`)."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    return cv2.inRange(hsv, (0, saturation + 1, 0), (255, 255, brightest))


def _ring_score(ink: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Share of a thin ring around (cx, cy, r) that carries ink."""
    angles = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    hits = 0
    for dr in (-3, 0, 3):
        xs = np.clip((cx + (r + dr) * np.cos(angles)).astype(int), 0, ink.shape[1] - 1)
        ys = np.clip((cy + (r + dr) * np.sin(angles)).astype(int), 0, ink.shape[0] - 1)
        hits = np.maximum(hits, ink[ys, xs] > 0)
    return float(np.mean(hits))


# The circle search's radius is off by a few pixels on a blurred or slightly oval ring; the
# ring is scored at the radius nearby that carries the most ink, within this share (seed
# 9029's PB-12_ps198, a faint black stamp in a blurred phone photo: found at radius 47,
# its ring 0.62 of ink, short of the bar; at 49, 0.87)
RADIUS_SLACK = 0.06


def _fitted_radius(ink: np.ndarray, cx: float, cy: float, r: float) -> float:
    """The radius within RADIUS_SLACK of `r` whose thin ring (`_ring_score`) carries the
    most ink (`r` itself on a tie)."""
    radii = [r, *(r * (1 + k * RADIUS_SLACK / 3) for k in (-3, -2, -1, 1, 2, 3))]
    return max(radii, key=lambda radius: _ring_score(ink, cx, cy, radius))


def _balanced(ink: np.ndarray) -> bool:
    """Some ink in all four quadrants of the box, as in an impression (not a frame's
    corner); a stamp pressed unevenly is faint on one side, so only a little."""
    h, w = ink.shape
    quads = [ink[a : a + h // 2, b : b + w // 2].mean() for a in (0, h // 2) for b in (0, w // 2)]
    return min(quads) > 0.05 * max(quads)


def _on_ellipse(
    ink: np.ndarray,
    centre: tuple[float, float],
    axes: tuple[float, float],
    angle: float,
    *,
    points: int = 120,
    clip: bool = False,
) -> np.ndarray:
    """Whether each of `points` points along the ellipse (full axes, degrees) lies on ink.
    A point off the image counts as paper, or with `clip` as the nearest edge pixel."""
    t = np.linspace(0, 2 * np.pi, points, endpoint=False)
    cos_a, sin_a = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    ex, ey = axes[0] / 2 * np.cos(t), axes[1] / 2 * np.sin(t)
    xs = (centre[0] + ex * cos_a - ey * sin_a).astype(int)
    ys = (centre[1] + ex * sin_a + ey * cos_a).astype(int)
    h, w = ink.shape
    if clip:
        return ink[np.clip(ys, 0, h - 1), np.clip(xs, 0, w - 1)] > 0
    inside = (xs >= 0) & (ys >= 0) & (xs < w) & (ys < h)
    hits = np.zeros(points, bool)
    hits[inside] = ink[ys[inside], xs[inside]] > 0
    return hits


def _ellipse_ring(ink: np.ndarray) -> float:
    """Share of the ellipse inscribed in the box (at its best of a few sizes) that
    carries ink: a stamp's outer ring, round or oval; a column of handwritten figures or
    a signature of the same size leaves most of that ellipse bare."""
    h, w = ink.shape
    ink = cv2.dilate(ink, np.ones((5, 5), np.uint8))
    return max(
        float(_on_ellipse(ink, (w / 2, h / 2), (f * w, f * h), 0.0, points=180, clip=True).mean())
        for f in (0.86, 0.9, 0.94, 0.98)
    )


def _all_round(ink: np.ndarray) -> bool:
    """Whether ink (a mask) reaches round the ellipse fitted to its closed outline, in
    RING_SECTORS of twelve sectors: a stamp pressed over a signature box does, the
    signatures in it, closed into a blob of a stamp's size, do not (seed 9014's phone
    photos: an officer's blue signature, or two, taken for a stamp on three pages that
    bore none)."""
    mask = ink.astype(np.uint8) * 255
    blob = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8)) > 0
    return _ring_sectors(mask, blob) >= RING_SECTORS


def _ring_sectors(ink: np.ndarray, blob: np.ndarray) -> int:
    """In how many of twelve sectors the ellipse fitted to the blob's outline (at its
    best of a few sizes) carries ink: a ring reaches all round, a scribble does not."""
    contours, _ = cv2.findContours(blob.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return 0
    outline = max(contours, key=cv2.contourArea)
    if len(outline) < 5:
        return 0
    (cx, cy), (major, minor), angle = cv2.fitEllipse(outline)
    ink = cv2.dilate(ink, np.ones((5, 5), np.uint8))
    return max(
        int(
            _on_ellipse(ink, (cx, cy), (f * major, f * minor), angle, points=180, clip=True)
            .reshape(12, -1)
            .any(axis=1)
            .sum()
        )
        for f in (0.86, 0.9, 0.94, 0.98)
    )


def _ink_outlines(
    small_ink: np.ndarray, scale: float, size: tuple[int, int], closing: int = 3
) -> list[tuple[BBox, float, StampShape]]:
    """Elliptic outlines of stamp size in any ink (black ovals, faint or tilted rings that
    the circle search does not fit), ruling removed first; boxes in page pixels. Closed
    wider than 3x3, an outline must also be paper all round and sparse inside
    (WIDE_OUTSIDE, WIDE_FILL)."""
    ink = (small_ink > 40).astype(np.uint8) * 255
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, 40), np.uint8))
    lines |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((40, 1), np.uint8))
    ink = cv2.subtract(ink, cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    near = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((closing, closing), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed)
    wide = closing > 3
    found: list[tuple[BBox, float, StampShape]] = []
    for i in range(1, count):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        if not (40 <= bw <= 210 and 30 <= bh <= 210 and 0.4 < bw / bh < 2.5):
            continue
        blob = (labels[y : y + bh, x : x + bw] == i).astype(np.uint8)
        contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        outline = max(contours, key=cv2.contourArea)
        if len(outline) < 20:
            continue
        (cx, cy), (major, minor), angle = cv2.fitEllipse(outline)
        if (
            min(major, minor) < 28
            or max(major, minor) > 230
            or min(major, minor) < 0.4 * max(major, minor)
        ):
            continue
        centre = (cx + x, cy + y)
        ring = max(
            (_on_ellipse(near, centre, (f * major, f * minor), angle) for f in (0.9, 0.95, 1.0)),
            key=lambda hits: float(hits.mean()),
        )
        outside = _on_ellipse(near, centre, (1.2 * major, 1.2 * minor), angle).mean()
        if (
            ring.mean() < OUTLINE_RING
            or not ring.reshape(12, -1).any(axis=1).all()
            or outside > OUTLINE_OUTSIDE
            or (wide and (outside > WIDE_OUTSIDE or blob.mean() > WIDE_FILL))
        ):
            continue
        fitted = Ellipse(centre[0] / scale, centre[1] / scale, major / scale, minor / scale, angle)
        box = fitted.bbox(*size)
        shape = StampShape.ROUND if min(major, minor) > 0.8 * max(major, minor) else StampShape.OVAL
        found.append((box, float(ring.mean()), shape))
    return found


def _stamp_candidates(
    page: NormalisedPage, saturation: int = INK_SATURATION
) -> list[tuple[BBox, float, StampShape]]:
    """Boxes of stamp impressions: coloured ink blobs (above `saturation`), then rings
    and elliptic outlines in any ink, unless only the pale coloured ink is sought."""
    h, w = page.gray.shape
    found: list[tuple[BBox, float, StampShape]] = []
    # 1. saturated ink blobs of stamp size
    raw = _coloured_ink(page.image, saturation, _brightest(saturation))
    # a faint impression falls apart under the first closing; a wider one joins it, and
    # then, as it joins more of what lies near (a signature, a thumb impression), its
    # ring must also carry ink in ten of twelve sectors of the ellipse fitted to its
    # outline (the fitted ellipse alone follows any outline: a filled scribble passes)
    for size, score, sectors_needed in ((25, 0.8, 0), (51, 0.75, RING_SECTORS)):
        colour = cv2.morphologyEx(raw, cv2.MORPH_CLOSE, np.ones((size, size), np.uint8))
        stamp_sized = large_pieces(
            colour, min_width=180, min_height=120, max_width=800, max_height=800
        )
        for piece in stamp_sized:
            x, y, bw, bh = piece.x, piece.y, piece.width, piece.height
            if not (
                0.45 < bw / bh < 2.2
                and piece.area > 0.15 * bw * bh
                and _balanced(raw[y : y + bh, x : x + bw])
            ):
                continue
            ink = raw[y : y + bh, x : x + bw]
            if _ellipse_ring(ink) >= MIN_ELLIPSE_RING and (
                sectors_needed == 0 or _ring_sectors(ink, piece.pixels) >= sectors_needed
            ):
                shape = StampShape.ROUND if 0.8 < bw / bh < 1.25 else StampShape.OVAL
                found.append((BBox(x0=x, y0=y, x1=x + bw, y1=y + bh), score, shape))
    if saturation != INK_SATURATION:  # a second look for pale ink: the rest was seen
        return _merged([f for f in found if _pale(page.image, f[0], saturation)])
    # 2. rings in any ink (black stamps, grayscale scans)
    scale = QUARTER
    small = cv2.resize(page.gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small_ink = _quarter_ink(page)
    # the "ALT" gradient method scores each circle by its edge support (param2: 0..1
    # perfectness): on 25 seed-9001 pages it found one more stamp than the classic
    # accumulator, with 22 candidates instead of 35, in a quarter of the time
    circles = cv2.HoughCircles(
        cv2.GaussianBlur(small, (5, 5), 1.5),
        cv2.HOUGH_GRADIENT_ALT,
        dp=1.5,
        minDist=60,
        param1=300,
        param2=0.8,
        minRadius=30,
        maxRadius=110,
    )
    if circles is not None:
        for cx, cy, found_r in np.asarray(circles).reshape(-1, 3):
            r = _fitted_radius(small_ink, cx, cy, found_r)
            score = _ring_score(small_ink, cx, cy, r)
            # a stamp's outer ring has paper just outside it (inside, stamps carry ring
            # text and often a second ring); dense text or a table has ink everywhere
            outside = _ring_score(small_ink, cx, cy, r * 1.25)
            if score > 0.62 and outside < 0.4 and score - outside > 0.3:
                box = BBox(
                    x0=int(max(0, (cx - r) / scale)),
                    y0=int(max(0, (cy - r) / scale)),
                    x1=int(min(w, (cx + r) / scale)),
                    y1=int(min(h, (cy + r) / scale)),
                )
                found.append((box, min(1.0, score), StampShape.ROUND))
    # 3. elliptic outlines in any ink (black ovals, tilted or faint rings)
    found.extend(_ink_outlines(small_ink, scale, (w, h)))
    return _merged(found)


def _quarter_ink(page: NormalisedPage) -> np.ndarray:
    """The page's ink at QUARTER scale, where rings and outlines are sought."""
    return cv2.resize(page.binary, None, fx=QUARTER, fy=QUARTER, interpolation=cv2.INTER_AREA)


def _wide_outlines(page: NormalisedPage) -> list[tuple[BBox, float, StampShape]]:
    """Elliptic outlines whose faint ring only a wider closing joins (WIDE_CLOSING)."""
    h, w = page.gray.shape
    return _merged(_ink_outlines(_quarter_ink(page), QUARTER, (w, h), WIDE_CLOSING))


def _pale(image: np.ndarray, box: BBox, saturation: int) -> bool:
    """Whether PALE_SHARE or more of the box's coloured ink (above `saturation`) is pale,
    at most INK_SATURATION: a faded impression, not a pen's ink."""
    hsv = cv2.cvtColor(image[box.y0 : box.y1, box.x0 : box.x1], cv2.COLOR_BGR2HSV)
    ink = (hsv[:, :, 1] > saturation) & (hsv[:, :, 2] <= _brightest(saturation))
    return bool(ink.any()) and float((hsv[:, :, 1][ink] <= INK_SATURATION).mean()) >= PALE_SHARE


def _merged(found: list[tuple[BBox, float, StampShape]]) -> list[tuple[BBox, float, StampShape]]:
    """The candidates, best first, each box once (overlaps dropped)."""
    merged: list[tuple[BBox, float, StampShape]] = []
    for box, score, shape in sorted(found, key=lambda f: -f[1]):
        if all(box.iou(m[0]) < 0.3 for m in merged):
            merged.append((box, score, shape))
    return merged


def _ink_strength(crop: np.ndarray, colour: str) -> np.ndarray:
    """How strongly each pixel carries the stamp's ink (0 paper .. 255 full ink): its
    saturation for a coloured stamp, its darkness for a black one. Graded, not a mask:
    an impression's ink is patchy, and Tesseract reads the graded image far better."""
    return cv2.normalize(_ink_darkness(crop, colour), None, 0, 255, cv2.NORM_MINMAX)


def written_cells(located: LocatedForm) -> list[BBox]:
    """Where figures and words are written by hand: the vote cells and the value boxes
    of the header and the totals."""
    votes = [
        row.cells[key] for row in located.candidate_rows for key in VOTE_COLUMNS if key in row.cells
    ]
    return votes + [f.value_box for f in (*located.header, *located.totals)]


def in_written_cells(ink: np.ndarray, box: BBox, cells: Sequence[BBox]) -> float:
    """Share of the ink in `box` (a mask of the box's size) that lies inside the cells."""
    total = int(np.count_nonzero(ink))
    if total == 0:
        return 0.0
    inside = np.zeros(ink.shape, bool)
    for cell in cells:
        x0, y0 = max(cell.x0, box.x0) - box.x0, max(cell.y0, box.y0) - box.y0
        x1, y1 = min(cell.x1, box.x1) - box.x0, min(cell.y1, box.y1) - box.y0
        if x1 > x0 and y1 > y0:
            inside[y0:y1, x0:x1] = True
    return int(np.count_nonzero(ink & inside)) / total


def find_stamps(
    page: NormalisedPage, located: LocatedForm, template: Template | None
) -> tuple[Stamp, ...]:
    """Stamp impressions on the page, with colour, shape and fingerprints. Ink half or
    more inside the cells where figures are written is those figures (a column of them
    closes into a blob of stamp size); a stamp pressed on a table crosses its rules and
    labels. On the page that carries the footer, where the stamp belongs, none found
    asks for a second look at paler coloured ink (PALE_INK_SATURATION), then a third at
    outlines closed wider (WIDE_CLOSING)."""
    stamps = _stamps(page, located, template, _stamp_candidates(page), INK_SATURATION)
    if stamps or not _carries_footer(located):
        return stamps
    pale = _stamp_candidates(page, PALE_INK_SATURATION)
    stamps = _stamps(page, located, template, pale, PALE_INK_SATURATION)
    return stamps or _stamps(page, located, template, _wide_outlines(page), INK_SATURATION)


def _stamp_colour(
    crop: np.ndarray, ink: np.ndarray, inked: np.ndarray, saturation: int, *, palette: bool
) -> tuple[str, np.ndarray]:
    """A stamp's ink colour, and the mask of its ink: `ink`, its pixels over `saturation`
    where they cover COLOURED_BOX of the crop (a faded pad's, over PALE_INK_SATURATION,
    named by their hue); else, where PALE_COLOURED of the page's ink there (`inked`) is
    over PALE_INK_SATURATION, those pixels, named by their hue (a thin impression of a
    pale pad), unless the page is a palette's (a GIF's: its few entries gather the dark
    pixels of ink and type alike, their hue no ink's; seed 9041's PP-112_ps015, a blue
    stamp's ink at hue 22, orange); else black, and all the page's ink there."""
    faded = saturation != INK_SATURATION
    if ink.mean() > COLOURED_BOX:
        return _colour_name(crop[ink], saturation if faded else GREY_INK_SATURATION), ink
    pale = inked & (_coloured_ink(crop, PALE_INK_SATURATION) > 0)
    thin = np.count_nonzero(pale) >= PALE_COLOURED * max(1, int(np.count_nonzero(inked)))
    if thin and not faded and not palette:
        return _colour_name(crop[pale], PALE_INK_SATURATION), pale
    return "black", inked


def _stamps(
    page: NormalisedPage,
    located: LocatedForm,
    template: Template | None,
    candidates: Sequence[tuple[BBox, float, StampShape]],
    saturation: int,
) -> tuple[Stamp, ...]:
    stamps = []
    cells = written_cells(located)
    signed = [b.bbox for b in located.signature_boxes if b.kind == "signature"]
    for box, score, shape in candidates:
        crop = page.image[box.y0 : box.y1, box.x0 : box.x1]
        ink = _coloured_ink(crop, saturation, _brightest(saturation)) > 0
        seen = ink if ink.any() else page.binary[box.y0 : box.y1, box.x0 : box.x1] > 0
        if in_written_cells(seen, box, cells) > WRITTEN_SHARE:
            continue
        if in_written_cells(seen, box, signed) > WRITTEN_SHARE and not (
            min(box.width, box.height) >= SIGNED_STAMP_SIDE and _all_round(seen)
        ):
            continue  # the signatures in a pen of a stamp's colour
        whole = _whole_impression(page.binary, box)
        if whole != box:
            box, crop = whole, page.image[whole.y0 : whole.y1, whole.x0 : whole.x1]
            ink = _coloured_ink(crop, saturation, _brightest(saturation)) > 0
        inked = page.binary[box.y0 : box.y1, box.x0 : box.x1] > 0
        colour, stamp_ink = _stamp_colour(crop, ink, inked, saturation, palette=page.source.palette)
        ys, xs = np.nonzero(stamp_ink)
        if len(xs):  # fingerprint the impression itself, not the box around it
            crop = crop[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        phash, descriptor = stamp_fingerprint(crop, colour)
        said, again = StampText(ring="", centre=""), None
        if template is not None and template.stamp is not None and template.stamp.ring_text_fields:
            said = read_stamp_text(_ink_strength(crop, colour))
            if colour != "black":
                dark = read_stamp_text(_ink_strength(crop, "black"))
                again = StampReading(ring_text=dark.ring or None, centre_text=dark.centre or None)
        inside = None
        if located.stamp_area is not None:
            inside = box.iou(located.stamp_area) > 0 and located.stamp_area.contains(box, slack=200)
        stamps.append(
            Stamp(
                bbox=page.to_original(box),
                confidence=round(score, 3),
                color=colour,
                shape=shape,
                fingerprint=phash,
                descriptor=descriptor,
                in_expected_area=inside,
                ring_text=said.ring or None,
                centre_text=said.centre or None,
                darkness_reading=again,
            )
        )
    return tuple(stamps)


def _whole_impression(ink: np.ndarray, box: BBox) -> BBox:
    """The box grown to the impression's outer ring (`rings.outer_ring`) where a pass
    boxed less of it; unchanged where no ring is found or the ring lies inside."""
    ring = outer_ring(ink, box)
    if ring is None:
        return box
    height, width = ink.shape
    whole = ring.bbox(width, height)
    return BBox(
        x0=min(box.x0, whole.x0),
        y0=min(box.y0, whole.y0),
        x1=max(box.x1, whole.x1),
        y1=max(box.y1, whole.y1),
    )


def box_ink(page: NormalisedPage, box: BBox, *, keep_pen: bool = True) -> np.ndarray:
    """The box's ink, its printed rules removed and its edges cut off. With `keep_pen`,
    not where the ink is a pen's colour; without (the hand's shape that a signature's
    fingerprint is made of), only rules that run across the box (RULE_ACROSS)."""
    ink = page.binary[box.y0 : box.y1, box.x0 : box.x1].copy()
    if ink.size == 0:
        return ink
    h, w = ink.shape
    # a printed rule runs most of the box's width; a signature's flat stroke may run a third
    wide, high = (w * 3 // 5, h // 2) if keep_pen else (int(w * RULE_ACROSS), int(h * RULE_ACROSS))
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(20, wide)), np.uint8))
    lines |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(20, high), 1), np.uint8))
    # ... but rules are printed black: a stroke in a pen's colour is no rule, however long
    # and straight (a flat signature, one drawn along a turned page's box)
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    if keep_pen:
        lines[pen_ink(page.image[box.y0 : box.y1, box.x0 : box.x1]) > 0] = 0
    ink = cv2.subtract(ink, lines)
    m = 6
    ink[:m], ink[-m:], ink[:, :m], ink[:, -m:] = 0, 0, 0, 0
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def ink_extent(ink: np.ndarray, margin: int = 4) -> tuple[int, int, int, int] | None:
    """The ink's bounding box plus a margin, as (y0, x0, y1, x1) in the crop; None if
    there is no ink."""
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return None
    return (
        max(0, int(ys.min()) - margin),
        max(0, int(xs.min()) - margin),
        min(ink.shape[0], int(ys.max()) + margin + 1),
        min(ink.shape[1], int(xs.max()) + margin + 1),
    )


def tight(ink: np.ndarray, margin: int = 4) -> np.ndarray:
    """The ink's bounding box (plus a margin): what a copy would repeat exactly."""
    extent = ink_extent(ink, margin)
    if extent is None:
        return ink
    y0, x0, y1, x1 = extent
    return ink[y0:y1, x0:x1]


def stroke_spread(ink: np.ndarray) -> float:
    """How far a mark's ink lies off its long axis: the standard deviation of its pixels'
    places across it (the smaller principal axis). 0 for fewer than three pixels."""
    ys, xs = np.nonzero(ink)
    if len(xs) < 3:
        return 0.0
    return float(np.sqrt(max(0.0, float(np.linalg.eigvalsh(np.cov(np.vstack([xs, ys])))[0]))))


def curve_spread(ink: np.ndarray) -> float:
    """How far a mark's ink lies off one smooth stroke: the standard deviation of its
    pixels' places across its long axis about a cubic fitted along it. 0 for fewer than
    ten pixels."""
    ys, xs = np.nonzero(ink)
    if len(xs) < 10:
        return 0.0
    places = np.vstack([xs, ys]).astype(np.float64)
    places -= places.mean(axis=1, keepdims=True)
    axes = np.linalg.eigh(np.cov(places))[1]
    along, across = axes[:, 1] @ places, axes[:, 0] @ places
    return float(np.std(across - np.polyval(np.polyfit(along, across, 3), along)))


def _one_stroke(ink: np.ndarray) -> bool:
    """Whether a signature's ink is one straight stroke (LINE_SPREAD) or one smooth one,
    in one piece (ONE_STROKE_SPREAD, ONE_PIECE): too little of a hand to fingerprint."""
    if stroke_spread(ink) < LINE_SPREAD:
        return True
    _count, _, stats, _ = cv2.connectedComponentsWithStats((ink > 0).astype(np.uint8))
    areas = stats[1:, cv2.CC_STAT_AREA]
    return (
        areas.size > 0
        and areas.max() >= ONE_PIECE * areas.sum()
        and curve_spread(ink) < ONE_STROKE_SPREAD
    )


def _words_side_by_side(ink: np.ndarray) -> int:
    """How many runs of ink follow one another left to right without overlapping."""
    _count, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    pieces = sorted((int(x), int(x + w)) for x, _y, w, _h, area in stats[1:] if area > 15)
    runs, right = 0, -1
    for x0, x1 in pieces:  # a dot or an accent over a letter joins its word's run
        if x0 > right - 3:  # slanted writing: one word's tail may reach over the next
            runs += 1
        right = max(right, x1)
    return runs


def _judge(ink: np.ndarray) -> tuple[SignatureStatus, float, float]:
    """Status, ink ratio and confidence of one signature box's ink."""
    if ink.size == 0:
        return SignatureStatus.UNKNOWN, 0.0, 0.0
    ratio = float((ink > 0).mean())
    if ratio < ABSENT_INK:
        return SignatureStatus.ABSENT, ratio, round(1.0 - ratio / ABSENT_INK * 0.5, 3)
    ys, xs = np.nonzero(ink)
    ink_h, ink_w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    # a written note ("refused to sign", "did not sign") is a short line of words: flat
    # (over NOTE_FLAT times as wide as high), low and short in its box (NOTE_HEIGHT,
    # NOTE_WIDTH; 2.5 and half each until 5 Dec 2026),
    # in 2+ pieces side by side; a signature is a taller or a longer scribble. Boxes cut
    # by the pipeline from 30 seed-9002 pages: 53 of 53 notes so judged, 2 of 498
    # signatures; on 30 unseen seed-9003 pages 107 of 115 and 10 of 885 (the rule before,
    # under 40% high and 3+ pieces at any width: 73 of 115, and 27 signatures).
    # A short note of three words or more ("did not sign" in a slanted hand, 86 x 35
    # pixels) may be only 2.0 times as wide as high: on seed 10001's 10,082-page run 65 of
    # the 69 false SIGNATURE_DUPLICATE findings were such notes at 2.46-2.5, taken for
    # signatures and alike from form to form.
    # Bounds widened on 5 Dec 2026: of the notes of 60 files each of seeds 9008 and 9009
    # judged signatures, 7 of 317, every one at 0.54-0.56 of the box high, 0.50 wide or
    # 2.48 times as wide as high; so widened, 317 of 317 notes, and of the 2,348
    # signatures of those files 2 judged notes, as before. Checked on 80 files of seed
    # 9006: notes 175 -> 178 of 178, signatures judged notes 1 -> 1 of 1,435.
    if ink_h < NOTE_HEIGHT * ink.shape[0] and ink_w < NOTE_WIDTH * ink.shape[1]:
        words = _words_side_by_side(ink)
        flat = ink_w / ink_h
        if (flat > NOTE_FLAT and words >= 2) or (flat > NOTE_FLAT_WORDS and words >= 3):
            return SignatureStatus.REFUSED, ratio, 0.7
    return SignatureStatus.PRESENT, ratio, round(min(1.0, 0.6 + ratio * 10), 3)


def assess_signatures(
    page: NormalisedPage, located: LocatedForm, template: Template | None
) -> tuple[Signature, ...]:
    """Present / absent / refused for every box the template says must be signed."""
    out = []
    for box in located.signature_boxes:
        ink = box_ink(page, box.bbox)
        status, ratio, confidence = _judge(ink)
        phash, descriptor = ("", "")
        if status is SignatureStatus.PRESENT and box.kind == "signature":
            # the hand's shape without the rules, pen-coloured ink on them too (a stamp's
            # ring crossing a rule differs from form to form; a paste's strokes do not):
            # with it, one pasted pair of seed 9002 went from under 0.065 to 0.098 apart
            shape = box_ink(page, box.bbox, keep_pen=False)
            hand = shape if shape.any() else ink
            if not _one_stroke(hand):  # one straight or smooth stroke: no fingerprint
                phash, descriptor = fingerprint(255 - tight(hand))
        out.append(
            Signature(
                role=box.role,
                label=box.label,
                status=status,
                bbox=page.to_original(box.bbox),
                confidence=confidence,
                ink_ratio=round(ratio, 4),
                fingerprint=phash,
                descriptor=descriptor,
                kind="thumb_impression" if box.kind == "thumb_impression" else "signature",
            )
        )
    return tuple(out)


def _carries_footer(located: LocatedForm) -> bool:
    """Whether the page carries the form's footer, where the stamp belongs: the officers'
    boxes found, or the agents' grid printed under them (seed 9035's NA-176_ps200, a
    150-dpi phone photo: the officers' boxes, a thumb impression in each, not found, the
    agents' grid found, and the missing stamp went unreported)."""
    return bool(located.signature_boxes)


def _boxes_not_found(located: LocatedForm, template: Template) -> tuple[Finding, ...]:
    """REQUIRED_FIELD_MISSING for the required signature boxes (not the agents') not found
    on a page where the footer's other boxes were: whether the officer signed is unknown,
    and the page goes to review rather than passing unchecked (seed 9010's NA-232_ps083 and
    PP-109_ps135, 150-dpi phone photos: the agents' grid found, the officers' boxes not,
    their missing signatures unreported)."""
    if not located.signature_boxes:
        return ()
    found = {b.role for b in located.signature_boxes}
    missing = [
        s.role.value
        for s in template.signatures
        if s.required and not s.per_candidate and s.role not in found
    ]
    if not missing:
        return ()
    names = ", ".join(dict.fromkeys(m.replace("_", " ") for m in missing))
    return (
        finding(
            FindingCode.REQUIRED_FIELD_MISSING,
            f"required signature boxes not found: {names}",
            Evidence(values={"missing": ", ".join(f"signature.{m}" for m in missing)}),
        ),
    )


def mark_findings(
    stamps: Sequence[Stamp],
    signatures: Sequence[Signature],
    located: LocatedForm,
    template: Template | None,
    expected_area: BBox | None = None,
) -> tuple[Finding, ...]:
    """STAMP_MISSING / _MISPLACED, SIGNATURE_MISSING, AGENT_SIGNATURES_MISSING.

    `expected_area` is where the stamp belongs, in the original scan's pixels: a missing
    stamp's evidence points there, so a reader can look for a faint impression."""
    if template is None:
        return ()
    unfound = _boxes_not_found(located, template)
    if not _carries_footer(located):
        return unfound
    findings: list[Finding] = list(unfound)
    if template.stamp is not None and template.stamp.required:
        if not stamps:
            findings.append(
                finding(
                    FindingCode.STAMP_MISSING,
                    "no stamp impression found on the page",
                    Evidence(bbox=expected_area, values={"stamps_found": 0}),
                )
            )
        elif all(s.in_expected_area is False for s in stamps):
            findings.append(
                finding(
                    FindingCode.STAMP_MISPLACED,
                    "the stamp is away from the presiding officer's signature",
                    Evidence(bbox=stamps[0].bbox),
                )
            )
    required = {s.role for s in template.signatures if s.required and not s.per_candidate}
    for signature in signatures:
        if (
            signature.role in required
            and signature.kind == "signature"
            and signature.status is SignatureStatus.ABSENT
        ):
            findings.append(
                finding(
                    FindingCode.SIGNATURE_MISSING,
                    f"{signature.role.value.replace('_', ' ')} has not signed",
                    Evidence(
                        bbox=signature.bbox,
                        values={"role": signature.role.value, "ink_ratio": signature.ink_ratio},
                    ),
                )
            )
    agents = [s for s in signatures if s.role is SignatureRole.POLLING_AGENT]
    empty = [s for s in agents if s.status is SignatureStatus.ABSENT]
    if empty:
        findings.append(
            finding(
                FindingCode.AGENT_SIGNATURES_MISSING,
                f"{len(empty)} of {len(agents)} agents' boxes are empty, no refusal noted",
                Evidence(
                    bbox=empty[0].bbox,
                    boxes=tuple(s.bbox for s in empty),
                    values={
                        "missing": len(empty),
                        "agents": len(agents),
                        "refused": sum(s.status is SignatureStatus.REFUSED for s in agents),
                    },
                ),
            )
        )
    return tuple(findings)


def stamp_readings(stamp: Stamp) -> dict[str, StampText]:
    """A stamp's text as read from each image of its ink, by name: its colour, and for a
    coloured stamp its darkness too (a black stamp's one image is its darkness)."""
    first = StampText(ring=stamp.ring_text or "", centre=stamp.centre_text or "")
    again = stamp.darkness_reading
    if again is None:
        return {"ink darkness" if stamp.color == "black" else "ink colour": first}
    return {
        "ink colour": first,
        "ink darkness": StampText(ring=again.ring_text or "", centre=again.centre_text or ""),
    }


def stamp_text_findings(stamps: Sequence[Stamp], header: Mapping[str, str]) -> tuple[Finding, ...]:
    """STAMP_TEXT_MISMATCH for stamps naming another station than the form's header
    (the header is on the form's first page; the stamp is often on its last)."""
    findings = []
    for stamp in stamps:
        other = readings_mismatch(stamp_readings(stamp), dict(header))
        if other is not None:
            findings.append(
                finding(
                    FindingCode.STAMP_TEXT_MISMATCH,
                    "the stamp names another polling station or constituency than the header",
                    Evidence(bbox=stamp.bbox, values=other),
                )
            )
    return tuple(findings)


__all__ = [
    "SignatureBox",
    "assess_signatures",
    "find_stamps",
    "fingerprint",
    "mark_findings",
    "stamp_readings",
    "stamp_text_findings",
    "stroke_spread",
]
