"""Copy-move inside one page: a signature cloned from one box into another.

Two signatures by two people, or by one person twice, never match pixel for pixel; a
region cloned in an image editor does, paper grain and pen texture included. Each signed
box's ink (tight, in grey, with its paper) is slid over every other signed box of the
page: a normalised cross-correlation near 1 is a clone. Printed glyphs never take part:
only the ink of boxes the template says must be signed, with ruling and border removed,
is compared, so repeated printed text ("0" in every row, a label in every box) cannot
fire. Every pair is first slid at a quarter of the resolution; only the pairs that match
there are slid again at full resolution, and those that slide short of a clone there are
registered by an affine map (a clone pasted into a photo is warped unlike its original
when the page's perspective is undone) and compared again.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from pipeline.codes import FindingCode
from pipeline.layout import LocatedForm
from pipeline.model import BBox, Evidence, Finding, Signature, SignatureStatus, finding
from pipeline.pages import NormalisedPage
from pipeline.stages.marks import box_ink, ink_extent, stroke_spread

# at or above: one image. On 144 seed-9002 files (/work/notes/cm_dist.py) the 18 clones
# correlate 0.895-0.999 (but a JPEG's 0.60), every other pair of signed boxes 0.72 at most,
# but for a flat mark (a line drawn in a box, 12 pixels tall) slid along other boxes' strokes
# at 0.82-0.85: such marks take no part (MIN_MARK_HEIGHT). 0.95 until 2026-12-04 (refusal
# notes in the generator's one hand face then correlated 0.95-0.98; they vary now).
CLONE_CORRELATION = 0.88
COARSE = 0.25  # scale of the first, cheap pass
COARSE_CORRELATION = 0.6  # pairs below this at the coarse scale are not slid again
# ... unless from this, their marks alike in size (within SIZE_RATIO each way): a clone
# pasted into a phone photo, warped unlike its original when the perspective is undone,
# may slide no better than another's signature at a quarter of the size. Seed 9047's
# NA-76_ps071 p2 (a shadow over the page): 0.49 there, 0.997 registered, its mark 1.08
# times as wide and 1.05 as tall as its original's. On the clone pages of seeds 9046 and
# 9047 (50 files), the pairs the coarse pass dropped at 0.40-0.60 (1,576), registered:
# every other pair 0.79 at most (`CLONE_REGISTERED`: 0.95). 203 of them are registered
# now: four a page on these pages of many agents.
COARSE_SIZED = 0.45
SIZE_RATIO = 1.15
MIN_INK_PIXELS = 250  # a mark smaller than this is too plain to call a copy
MIN_MARK_HEIGHT = 20  # pixels: a flatter mark (a line) matches any long stroke
SLACK = 12  # pixels the clone may sit off the box's position, each way
# A clone pasted into a phone photo is warped again, unlike its original, when the page's
# perspective is undone: seed 9013's three missed clones (TIFF photos) slid at 0.69-0.88
# and every other pair of their pages' signed boxes at 0.55 at most; once mapped onto
# the other by the affine map that best correlates them (cv2.findTransformECC, from the
# best shift), the clones came 0.996-0.999 and the other pairs 0.71 at most. A pair that
# slides under CLONE_CORRELATION is so registered, and at CLONE_REGISTERED is one image.
CLONE_REGISTERED = 0.95
# ... compared as their strokes' darkness over the paper round them (a black-hat of this
# many pixels, wider than any stroke): a clone pasted with a piece of paper unlike the
# page's carries the patch's own grey and its edge. Seed 9051's PB-215_ps074 p1 (a
# shadowed 150-dpi phone photo at JPEG 63): 0.934 registered on the grey levels, 0.993 so.
# On the 123 pages of seeds 9048-9051 with a clone and 60 others (803 pairs registered),
# every other pair 0.859 at most so (`benchmarks.clone_pairs`; 0.861 on the grey levels)
STROKE_CLOSING = 25
REGISTER_STEPS = 50  # the affine search's iterations
REGISTER_MARGIN = 4  # pixels of the crop's edge left out of the registered correlation
# A clone and its original are one image: their ink lies as far off its long axis
# (`stroke_spread`). A lone straight line slides along a signature's own straight stroke
# (an underline, a long flourish) as well as a clone does: seeds 9017 and 9018's two false
# clones, lines of spread 4.0 and 2.0 pixels against signatures of 11.7 and 14.9. Marks
# whose spreads differ more than this many times are not compared; the clones of seeds
# 9012-9016 found (136 pages) differed 1.45 times at most, those of 9017 and 9018 (59
# pages) 1.57 (benchmarks/RESULTS.md, Marks).
SPREAD_RATIO = 2.0
# ... unless the two slide together as one image does, to this correlation, and differ
# less than SURE_CLONE_RATIO times: a clone pasted with a wider piece of the box's paper
# than its original's (seed 9035's PP-37_ps183, a 150-dpi phone photo: a piece of the
# patch's edge left in a corner, spread 9.5 against 4.6, 2.07 times, correlating 0.990
# slid and 0.997 registered) is still one image; the lines of seeds 9017 and 9018 were
# 2.9 and 7.5 times their signatures'
SURE_CLONE = 0.98
SURE_CLONE_RATIO = 2.5
# ... or, sliding short of that, registered as one image (CLONE_REGISTERED): a clone in a
# phone photo is warped unlike its original, and its patch's edge, where a shadow darkens
# the patch's paper, is thresholded as ink round it. Seed 9048's NA-181_ps025 p1: spread
# 2.15 times its original's, 0.856 slid, 0.995 registered. Of the 2,367 pairs of marks
# 2.0-2.5 times unlike on 317 pages of seeds 9045-9048 (117 with a clone), the next
# registers at 0.816 (benchmarks/RESULTS.md, Marks)
# ... measured on the mark's strokes, its pieces under this many pixels left out: specks
# lie anywhere in the box. Seed 9027's PS-229_ps162: a clone pasted with the paper around
# it, the patch's edge left as specks along the box's sides, spread 20.2 against its
# original's 9.6 (2.11 times), so never compared, though the two correlate 0.917; 18.5
# without its specks (1.93 times). Its original's box was located short of its top.
MIN_STROKE_PIXELS = 40


def strokes_of(ink: np.ndarray) -> np.ndarray:
    """The mark's ink (non-zero) without its pieces under MIN_STROKE_PIXELS."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (ink > 0).astype(np.uint8), connectivity=8
    )
    keep = np.zeros(count, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= MIN_STROKE_PIXELS
    return keep[labels]


def _slide(template: np.ndarray, region: np.ndarray) -> float:
    """Best normalised cross-correlation of `template` anywhere inside `region`."""
    if template.shape[0] > region.shape[0] or template.shape[1] > region.shape[1]:
        return 0.0
    if float(template.std()) < 1.0:
        return 0.0
    return float(cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED).max())


def _both_ways(
    gray: np.ndarray, a: BBox, b: BBox, slack: int
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """a's crop with the region around b's place (`slack` each way), and b's with a's."""
    h, w = gray.shape
    return tuple(
        (
            gray[mine.y0 : mine.y1, mine.x0 : mine.x1],
            gray[
                max(0, other.y0 - slack) : min(h, other.y1 + slack),
                max(0, other.x0 - slack) : min(w, other.x1 + slack),
            ],
        )
        for mine, other in ((a, b), (b, a))
    )


def _best_match(gray: np.ndarray, a: BBox, b: BBox, slack: int) -> float:
    """The better of a's crop slid around b's place and b's crop slid around a's."""
    return max(_slide(template, region) for template, region in _both_ways(gray, a, b, slack))


def _registered(gray: np.ndarray, a: BBox, b: BBox, slack: int) -> float:
    """The better of a's crop and b's, each mapped onto the other's place by the affine
    map that best correlates them (searched from the best shift within `slack`): the
    correlation of the two, their edges aside, as strokes' darkness (STROKE_CLOSING).
    0 where no map is found."""
    best = 0.0
    steps = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, REGISTER_STEPS, 1e-5)
    closing = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (STROKE_CLOSING, STROKE_CLOSING))
    for crop, around in _both_ways(gray, a, b, slack):
        template, region = (
            cv2.morphologyEx(image, cv2.MORPH_BLACKHAT, closing).astype(np.float32)
            for image in (crop, around)
        )
        th, tw = template.shape
        if th > region.shape[0] or tw > region.shape[1] or float(template.std()) < 1.0:
            continue
        _, _, _, (x, y) = cv2.minMaxLoc(cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED))
        there = region[y : y + th, x : x + tw]
        try:
            _, warp = cv2.findTransformECC(
                there, template, np.eye(2, 3, dtype=np.float32), cv2.MOTION_AFFINE, steps, None, 3
            )
        except cv2.error:  # the search diverged: no map brings them together
            continue
        mapped = cv2.warpAffine(
            template, warp, (tw, th), flags=cv2.INTER_LINEAR + cv2.WARP_INVERSE_MAP
        )
        m = REGISTER_MARGIN
        u, v = there[m:-m, m:-m].ravel(), mapped[m:-m, m:-m].ravel()
        u, v = u - u.mean(), v - v.mean()
        spread = float(np.sqrt((u * u).sum() * (v * v).sum()))
        if spread > 1e-6:
            best = max(best, float((u * v).sum()) / spread)
    return best


def _alike_in_size(a: BBox, b: BBox) -> bool:
    """Whether two marks' boxes are within SIZE_RATIO of each other, wide and tall."""
    return all(
        max(u, v) <= SIZE_RATIO * min(u, v) for u, v in ((a.width, b.width), (a.height, b.height))
    )


def _scaled(box: BBox, scale: float) -> BBox:
    return BBox(
        x0=int(box.x0 * scale),
        y0=int(box.y0 * scale),
        x1=max(int(box.x0 * scale) + 1, int(box.x1 * scale)),
        y1=max(int(box.y0 * scale) + 1, int(box.y1 * scale)),
    )


def copy_move_findings(
    page: NormalisedPage, located: LocatedForm, signatures: Sequence[Signature]
) -> tuple[Finding, ...]:
    """TAMPER_SUSPECTED for every signed box whose ink is a copy of another box's."""
    gray = page.gray
    marks: list[tuple[Signature, BBox, float]] = []  # ... and its stroke_spread
    for box, signature in zip(located.signature_boxes, signatures, strict=True):
        if signature.status is not SignatureStatus.PRESENT or signature.kind != "signature":
            continue
        ink = box_ink(page, box.bbox)
        extent = ink_extent(ink, margin=3)
        if extent is None or np.count_nonzero(ink) < MIN_INK_PIXELS:
            continue
        y0, x0, y1, x1 = extent
        if y1 - y0 < MIN_MARK_HEIGHT:
            continue
        placed = BBox(
            x0=box.bbox.x0 + x0, y0=box.bbox.y0 + y0, x1=box.bbox.x0 + x1, y1=box.bbox.y0 + y1
        )
        marks.append((signature, placed, stroke_spread(strokes_of(ink))))
    if len(marks) < 2:
        return ()
    coarse = cv2.resize(gray, None, fx=COARSE, fy=COARSE, interpolation=cv2.INTER_AREA)
    findings: list[Finding] = []
    flagged: set[int] = set()
    for i, (sig_a, box_a, spread_a) in enumerate(marks):
        for j in range(i + 1, len(marks)):
            sig_b, box_b, spread_b = marks[j]
            # a line slides along a signature's own straight stroke
            ratio = max(spread_a, spread_b) / max(min(spread_a, spread_b), 1e-6)
            unlike = ratio > SPREAD_RATIO
            if unlike and ratio > SURE_CLONE_RATIO:
                continue
            rough = _best_match(
                coarse, _scaled(box_a, COARSE), _scaled(box_b, COARSE), int(SLACK * COARSE) + 1
            )
            if rough < COARSE_CORRELATION and not (
                rough >= COARSE_SIZED and _alike_in_size(box_a, box_b)
            ):
                continue
            best = _best_match(gray, box_a, box_b, SLACK)
            again: dict[str, float] = {}  # the registered comparison, where one was made
            if best < (SURE_CLONE if unlike else CLONE_CORRELATION):
                registered = _registered(gray, box_a, box_b, SLACK)
                if registered < CLONE_REGISTERED:
                    continue
                again = {
                    "registered_correlation": round(registered, 4),
                    "registered_threshold": CLONE_REGISTERED,
                }
            for index, mine, other_sig, my_box, other_box, spreads in (
                (j, sig_b, sig_a, box_b, box_a, (spread_b, spread_a)),
                (i, sig_a, sig_b, box_a, box_b, (spread_a, spread_b)),
            ):
                if index in flagged:
                    continue
                flagged.add(index)
                findings.append(
                    finding(
                        FindingCode.TAMPER_SUSPECTED,
                        (
                            f"{mine.label or mine.role.value}: the signature is the same "
                            f"image as in {other_sig.label or other_sig.role.value}'s box "
                            "(cloned inside the scan)"
                        ),
                        evidence=Evidence(
                            bbox=page.to_original(my_box),
                            boxes=(page.to_original(my_box), page.to_original(other_box)),
                            values={
                                "method": "copy-move",
                                "correlation": round(best, 4),
                                "coarse_correlation": round(rough, 4),
                                "threshold": CLONE_CORRELATION,
                                **again,
                                "box": mine.label or mine.role.value,
                                "same_as": other_sig.label or other_sig.role.value,
                                "stroke_spread": round(spreads[0], 2),
                                "other_stroke_spread": round(spreads[1], 2),
                                "spread_ratio": SPREAD_RATIO,
                            },
                        ),
                    )
                )
    return tuple(findings)
