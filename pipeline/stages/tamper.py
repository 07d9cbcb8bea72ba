"""Tamper evidence on one page: correction fluid over figures.

Dried correction fluid is whiter and flatter than the off-white paper around it. Each
figure cell's paper (its pixels away from ink) is compared with what its neighbouring
figure cells predict for it: a plane fitted through the paper levels of the nearest cells,
so that the broad light gradient and the phone's shadow of a photo cancel out, while a
patch, brighter than the paper on every side of it, stands out. A cell whose paper is
markedly brighter than that over most of its area, flat, brighter than each cell next to
it (above, below, left, right), and ending in a step at the cell's edge (`rim_steps`)
carries a patch: where a phone photo's shadow ends, a run of lit cells is brighter than
the plane but not than one another, and a pool of light brightens a cell smoothly, with no
step where a patch would end. Where paper near white or a phone's grey light leaves a
patch no whiter to see, the shadow its raised edge throws inside the cell along a
horizontal and a vertical side tells it (`edge_shadows`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.layout import LocatedForm
from pipeline.model import VOTE_COLUMNS, BBox, Evidence, Finding
from pipeline.pages import NormalisedPage

BRIGHTER_BY = 5.0  # grey levels above the neighbouring cells' paper
# ... but on paper near white a patch cannot be that much whiter before the scan runs out
# of levels (255): there it need only be this share of the levels left above the paper,
# and at least BRIGHTER_AT_LEAST. Seed 9005's patches missed at 5 lay on paper at
# 247-249, 252-255 on it, each neighbour 4-5 lower. On every fluid file and 60-160 clean
# ones of seeds 9005, 9004 and 9002 (RESULTS.md, Marks): pages with a patch found 26, 13,
# 22 of 28, 15, 23 (20, 13, 21 at 5), none of 455 clean pages accused (a flat 4: one)
HEADROOM_SHARE = 0.5
BRIGHTER_AT_LEAST = 3.0
# share of the cell's paper that must be that bright. A patch covers much of the cell's
# paper; light falling off across a phone photo brightens part of it, but then not more
# than every cell next to it (the steps below). Seed 9002 at 4a7e3ca, before the steps:
# of cells found at 0.45-0.55, 8 were phone photos' light and 2 patches; at f09bb28, with
# them, no cell of a sixth of the clean pages at 0.3 or more passes the steps, and 2 of
# the 5 patches missed were covered 0.52 or uneven outside the patch. (Steps of 5 exactly
# also pass a phone's lit top row of a one-column Form 47: one neighbour only.)
MIN_COVER = 0.4
PATCH_FLAT = 6.0  # the patch's own grey levels vary less than this (std): dried fluid
NEIGHBOURS = 8  # cells whose paper predicts a cell's own
AGREEING_NEIGHBOURS = 3  # adjacent cells that may all be exactly BRIGHTER_BY darker
# a step of whole grey levels less the light's slope, fitted from the cells around: 4.9 is
# 5 (0.01 until seed 9035's NA-246_ps099, a phone photo's patch 4.91, 5.09 and 5.38 above
# its three neighbours; over all 1,117 pages of seed 9035, one patch more found at 0.1,
# none at 0.2 more, no clean cell accused at either)
LEVEL_ROUNDING = 0.1


# Dried correction fluid stands a little proud of the paper: its raised edge throws a thin
# grey shadow inside the cell along two of the patch's sides, parallel to the cell's ruling
# with bare paper between them, where the patch's whiteness alone may not tell it on white
# paper or under a phone's uneven light. A line this many grey levels under the cell's
# paper, its outer side back within SHADOW_PAPER of the paper and its inner side
# SHADOW_RISE brighter than it, SHADOW_REACH pixels at most inside the cell's edge, along a
# horizontal side and a vertical one. The patches of seeds 9005 and 9006 the whiteness
# missed (3 of 60: phone photos, paper at 253-255): 16-20 levels on both; of 12,800 clean
# cells of 172 of their files, none over 7 on both; the real Kenya Form 34's crossed-out
# digit boxes on hatched grey paper, 10 (benchmarks/RESULTS.md, Marks).
SHADOW_DEPTH = 12.0
SHADOW_PAPER = 6.0
SHADOW_RISE = 8.0
SHADOW_REACH = 16
SHADOW_BEYOND = 2  # the profile starts this many pixels outside the cell's edge

# A patch ends in a step: the paper just inside the cell's edge stands above the paper just
# beyond its ruling on at least one side by more than this many grey levels, where light
# falling across a page or a photo changes by a few levels at most over those pixels.
# Every patch of seeds 9005 and 9006 the whiteness test found (57): 4 to 12 levels on its
# highest side (medians of whole levels); the lit cells it accused on seeds 9006 and 9007
# (benchmarks/RESULTS.md, Marks): 1, 2 and 3.
RIM_STEP = 3.5
# A patch under a phone's uneven light may stand less than BRIGHTER_BY above a neighbour
# or cover less of the cell, yet end in a step at the cell's edge as high as the clearest
# patches': a step of RIM_SURE or more, over each of AGREEING_NEIGHBOURS or more cells
# next to it by EDGED_STEP (a one-column table's lit rows have two), over EDGED_COVER of
# its paper, flat, is a patch. Of 115 patches on seeds 9018-9022 (the files with one, and
# 220 clean files: 23,071 cells), whiteness found 110; this finds 3 of the other 5 (steps
# 4.8-5.5 with one of 3.4-4.9, rims 6-7) and accuses no clean cell, nor at steps of 2
# (benchmarks/RESULTS.md, Marks).
RIM_SURE = 6.0
EDGED_STEP = 3.0
EDGED_COVER = 0.2
# ... and a cell with two neighbours (where `_stands_out` asks more than `by` of both) so
# edged over more than this share of its paper. Seed 9028's NA-23_ps079, a phone photo's
# first row: 4.98 and 8.87 above its two, over 0.64, rim 6.0. On seeds 9018-9022 the 25
# patches of two neighbours EDGED_STEP above both with such a rim covered 0.61-0.99, and
# no clean cell was so edged (rims of 5.0 and less); a light lifting three fifths of a
# cell, as sharply, covers under half (tests/marks/test_tamper).
EDGED_TWO_COVER = 0.5
# ... or this share of it EDGED_STEP above: a patch whose levels a GIF's palette gathered
# just under `brighter_by` (seed 9041's PP-112_ps015: one level, 4.1 above, over 0.96 of
# the cell; 0.40 at 5), where a light lifting three fifths of a cell lifts three fifths.
# On every page of seeds 9039-9041 (3,263) it finds that patch and no other cell
EDGED_WHOLE = 0.8
# ... and a patch covering a cell ends in a step on its sides all round, a shadow's edge
# across it on one: an edged cell must step up EDGED_STEP on this many sides. Seed 9049's
# PS-171_ps046, a shadowed 150-dpi photo: a last row's cell 3.3, 5.6 and 8.1 above its
# three neighbours, its sides 1, 1, 6 and 0. The 25 patches found on that seed step up
# 3 or more on 3 sides or 4; seed 9045's PS-167_ps117 p1, edged, 6, 3, 3 and 2.5. On the
# 134 pages of seeds 9045-9049 with a patch or a cell found, every patch page is still found
RIM_SIDES = 2
RIM_INSIDE = (2, 12)  # pixels inside the cell's edge: the patch
RIM_OUTSIDE = (6, 12)  # pixels beyond the cell's edge, past its ruling: the paper
RIM_PAPER = 20  # bare paper pixels a band needs to be measured


def shadow_depth(levels: np.ndarray, paper: float) -> float:
    """The deepest thin shadow line in a profile of paper levels (median grey level of a
    row or column, NaN where all ink) running inward from SHADOW_BEYOND pixels outside a
    cell's edge: 0 when there is none. (Some twenty values: plain Python.)"""
    values = [float(v) for v in levels.tolist()]
    first, stop = SHADOW_BEYOND + 2, SHADOW_BEYOND + 1 + SHADOW_REACH
    deepest, bare = 0.0, -np.inf  # bare: the brightest paper outside the line so far
    for k, level in enumerate(values[: stop + 1]):
        if first <= k < min(stop, len(values) - 1) and not math.isnan(level):
            inside = [v for v in values[k + 1 : k + 5] if not math.isnan(v)]
            if bare >= paper - SHADOW_PAPER and inside and max(inside) >= level + SHADOW_RISE:
                deepest = max(deepest, min(paper, bare) - level)
        if not math.isnan(level):
            bare = max(bare, level)
    return deepest


def paper_medians(levels: np.ndarray, inked: np.ndarray) -> np.ndarray:
    """Each row's median grey level over its pixels not inked (NaN for a row all ink):
    `np.nanmedian` with ink as NaN, by one sort, a tenth of its time."""
    count = levels.shape[1] - np.count_nonzero(inked, axis=1)
    ordered = np.sort(np.where(inked, np.inf, levels.astype(np.float32)), axis=1)
    rows = np.arange(len(levels))
    low = ordered[rows, np.maximum(count - 1, 0) // 2]
    high = ordered[rows, np.minimum(count // 2, levels.shape[1] - 1)]
    return np.where(count > 0, (low + high) / 2, np.nan)


def edge_shadows(gray: np.ndarray, binary: np.ndarray, box: BBox, paper: float) -> float:
    """The shallower of the deepest shadow lines (`shadow_depth`, grey levels under the
    cell's `paper`) along the cell's top or bottom side and along its left or right side:
    a patch's shadow runs along both. Only the bands along the sides are profiled, a
    vertical side only when a horizontal one shows a line."""
    h, w = box.height, box.width
    reach = SHADOW_BEYOND + SHADOW_REACH + 5
    sides = (
        (box.y0, box.y1, gray.shape[0], slice(box.x0 + w // 10, box.x1 - w // 10), 0),
        (box.x0, box.x1, gray.shape[1], slice(box.y0 + h // 5, box.y1 - h // 5), 1),
    )
    shallower = np.inf
    for start, end, size, across, axis in sides:
        deepest = 0.0
        for lo, hi, flip in (
            (start - SHADOW_BEYOND, start + reach, False),
            (end - reach, end + SHADOW_BEYOND + 1, True),
        ):
            band = slice(max(0, lo), min(size, hi))
            levels = gray[band, across] if axis == 0 else gray[across, band].T
            inked = binary[band, across] if axis == 0 else binary[across, band].T
            profile = paper_medians(levels, inked > 0)
            deepest = max(deepest, shadow_depth(profile[::-1] if flip else profile, paper))
        shallower = min(shallower, deepest)
        if shallower < SHADOW_DEPTH:
            break
    return float(shallower)


def _band_level(gray: np.ndarray, bare: np.ndarray, rows: slice, cols: slice) -> float:
    """The median grey level of a band's bare paper (NaN: too little of it to tell)."""
    levels = gray[rows, cols][bare[rows, cols]]
    return float(np.median(levels)) if levels.size >= RIM_PAPER else math.nan


def rim_steps(gray: np.ndarray, binary: np.ndarray, box: BBox) -> list[float]:
    """How far the paper just inside the cell's edge stands above the paper just beyond
    its ruling, on each side where that can be measured (not ink or the page's edge)."""
    (i0, i1), (o0, o1) = RIM_INSIDE, RIM_OUTSIDE
    page_h, page_w = gray.shape
    top, left = max(0, box.y0 - o1 - 2), max(0, box.x0 - o1 - 2)
    bottom, right = min(page_h, box.y1 + o1 + 2), min(page_w, box.x1 + o1 + 2)
    gray = gray[top:bottom, left:right]
    bare = cv2.dilate(binary[top:bottom, left:right], np.ones((5, 5), np.uint8)) == 0
    box = BBox(x0=box.x0 - left, y0=box.y0 - top, x1=box.x1 - left, y1=box.y1 - top)
    h, w = gray.shape
    along_x = slice(box.x0 + o1, box.x1 - o1)
    along_y = slice(box.y0 + o1, box.y1 - o1)
    pairs = (
        (
            (slice(box.y0 + i0, box.y0 + i1), along_x),
            (slice(max(0, box.y0 - o1), max(0, box.y0 - o0)), along_x),
        ),
        (
            (slice(box.y1 - i1, box.y1 - i0), along_x),
            (slice(min(h, box.y1 + o0), min(h, box.y1 + o1)), along_x),
        ),
        (
            (along_y, slice(box.x0 + i0, box.x0 + i1)),
            (along_y, slice(max(0, box.x0 - o1), max(0, box.x0 - o0))),
        ),
        (
            (along_y, slice(box.x1 - i1, box.x1 - i0)),
            (along_y, slice(min(w, box.x1 + o0), min(w, box.x1 + o1))),
        ),
    )
    return [
        step
        for inside, outside in pairs
        if not math.isnan(
            step := _band_level(gray, bare, *inside) - _band_level(gray, bare, *outside)
        )
    ]


def paper_levels(gray: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """Grey levels of a cell's paper: pixels at least 3 px away from any ink."""
    away = cv2.dilate(ink, np.ones((7, 7), np.uint8)) == 0
    inner = np.zeros_like(away)
    inner[4:-4, 4:-4] = True
    return gray[away & inner].astype(np.float32)


def _near(centres: np.ndarray, index: int, count: int) -> np.ndarray:
    distance = np.hypot(*(centres - centres[index]).T)
    distance[index] = np.inf
    return np.argsort(distance)[: min(NEIGHBOURS, count - 1)]


def paper_plane(centres: np.ndarray, paper: np.ndarray, index: int) -> np.ndarray | None:
    """The plane (level = a + b x + c y) through the paper of the cells nearest to cell
    `index`, leaving it out; None when they do not span one (a single column)."""
    near = _near(centres, index, len(paper))
    design = np.column_stack([np.ones(len(near)), centres[near]])
    if len(near) < 4 or np.linalg.matrix_rank(design) < 3:
        return None
    coefficients, *_ = np.linalg.lstsq(design, paper[near], rcond=None)
    return np.asarray(coefficients)


def local_paper_level(
    centres: np.ndarray, paper: np.ndarray, index: int, plane: np.ndarray | None
) -> float:
    """The paper level the nearest other cells predict at cell `index`: their `plane`
    (`paper_plane`), or their median where they span none."""
    near = _near(centres, index, len(paper))
    if plane is None:
        return float(np.median(paper[near]))
    predicted = float(plane @ np.array([1.0, *centres[index]]))
    # not far beyond the neighbours' own range: a plane extrapolates wildly off an edge
    low, high = float(paper[near].min()), float(paper[near].max())
    slack = 0.5 * (high - low)
    return float(np.clip(predicted, low - slack, high + slack))


def _overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    return min(a1, b1) - max(a0, b0) > 0.5 * min(a1 - a0, b1 - b0)


def adjacent_cells(boxes: Sequence[BBox], index: int) -> list[int]:
    """The nearest cell above, below, left and right of cell `index` (those there are)."""
    box = boxes[index]
    found: list[int] = []
    for after, across in ((False, False), (True, False), (False, True), (True, True)):
        best: tuple[float, int] | None = None
        for j, other in enumerate(boxes):
            if j == index:
                continue
            if across:  # left or right: the same row
                ok = _overlap(box.y0, box.y1, other.y0, other.y1)
                gap = other.x0 - box.x1 if after else box.x0 - other.x1
            else:  # above or below: the same column
                ok = _overlap(box.x0, box.x1, other.x0, other.x1)
                gap = other.y0 - box.y1 if after else box.y0 - other.y1
            if ok and gap > -8 and (best is None or gap < best[0]):
                best = (gap, j)
        if best is not None:
            found.append(best[1])
    return found


def steps_up(
    centres: np.ndarray,
    paper: np.ndarray,
    index: int,
    adjacent: Sequence[int],
    plane: np.ndarray | None,
) -> list[float]:
    """How much brighter cell `index`'s paper is than each adjacent cell's, beyond what
    the light's slope across the table (the `plane` of its neighbours) accounts for."""
    slope = np.zeros(2) if plane is None else plane[1:]
    return [
        float(paper[index] - paper[j] - slope @ (centres[index] - centres[j])) for j in adjacent
    ]


def brighter_by(paper: float) -> float:
    """How many grey levels above paper at this level a patch must stand."""
    return min(BRIGHTER_BY, max(BRIGHTER_AT_LEAST, HEADROOM_SHARE * (255.0 - paper)))


def _stands_out(steps: Sequence[float], by: float = BRIGHTER_BY) -> bool:
    """Whether a cell's paper is brighter than that of each cell next to it: by more than
    `by` (`brighter_by`; BRIGHTER_BY with one neighbour), or by `by` itself where three or
    more neighbours agree. Paper
    levels are whole grey levels (medians), and on white paper a patch can be no more
    than a few levels whiter (seed 9002's PS-231_ps046: 252 against 247 on three sides,
    missed at exactly 5); a lone neighbour's step of 5 is a phone's lit top row."""
    if len(steps) < 2:  # near white paper too: a lone neighbour's step is the light's
        by = BRIGHTER_BY
    if len(steps) >= AGREEING_NEIGHBOURS:
        return all(step >= by - LEVEL_ROUNDING for step in steps)
    return all(step > by for step in steps)


def _edged(steps: Sequence[float], cover: float, whole: bool) -> bool:
    """Whether a flat bright cell may be a patch if it ends in a step as high as the
    clearest patches' (RIM_SURE): it stands EDGED_STEP above each of AGREEING_NEIGHBOURS
    or more cells next to it or, with two (a cell of the table's first or last row, or of
    a one-column table), above both over EDGED_TWO_COVER of its paper (`cover`, as bright
    as `brighter_by` asks), or over EDGED_WHOLE of it EDGED_STEP above, flat (`whole`)."""
    if len(steps) >= AGREEING_NEIGHBOURS:
        return min(steps) >= EDGED_STEP
    return len(steps) == 2 and (cover > EDGED_TWO_COVER or whole) and min(steps) >= EDGED_STEP


def tamper_findings(
    page: NormalisedPage, located: LocatedForm, *, evidence_dir: Path | None
) -> tuple[Finding, ...]:
    """CORRECTION_FLUID findings for figure cells whiter than their neighbours, or edged
    inside by a patch's shadow."""
    del evidence_dir  # crops are written by the orchestrator from each finding's box
    gray = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    cells: list[tuple[str, BBox]] = [
        (f"candidates[{row.row_index}].{key}", row.cells[key])
        for row in located.candidate_rows
        for key in VOTE_COLUMNS
        if key in row.cells
    ] + [(f"totals.{f.key}", f.value_box) for f in located.totals]
    measured: list[tuple[str, BBox, np.ndarray]] = []
    for name, box in cells:
        if box.width < 20 or box.height < 20:
            continue
        levels = paper_levels(
            gray[box.y0 : box.y1, box.x0 : box.x1], page.binary[box.y0 : box.y1, box.x0 : box.x1]
        )
        if levels.size > 50:
            measured.append((name, box, levels))
    if len(measured) < 4:
        return ()
    centres = np.array([((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2) for _, b, _ in measured])
    paper = np.array([float(np.median(levels)) for _, _, levels in measured])
    boxes = [box for _, box, _ in measured]
    findings = []
    for index, (name, box, levels) in enumerate(measured):
        plane = paper_plane(centres, paper, index)
        reference = local_paper_level(centres, paper, index, plane)
        by = brighter_by(reference)
        bright = levels[levels > reference + by]
        cover = bright.size / levels.size
        # flat where it is bright: the paper the patch leaves bare does not count.
        # seed 9002 at ef8c302: the 18 patches found were 6-11 levels above every cell
        # next to them; the 10 lit cells of shadowed photos within 5 of one of theirs
        flat = cover > EDGED_COVER and float(bright.std()) < PATCH_FLAT
        raised = levels[levels > reference + EDGED_STEP]  # ... or, less bright, all over
        whole = raised.size > EDGED_WHOLE * levels.size and float(raised.std()) < PATCH_FLAT
        near = adjacent_cells(boxes, index) if flat or whole else []
        steps = steps_up(centres, paper, index, near, plane) if near else []
        # a lone neighbour (the totals' two cells) is one comparison, and a phone's light
        # falling across the page lifts a cell as much: there the cell's paper as a whole
        # (its median) must stand `by` above the level the cells around it predict. Seed
        # 9049's PP-177_ps064 and GBA-14_ps087, female votes polled 5.7 and 5.1 above the
        # male's, their medians 4.3 and 4.8 above the cells around (the generator puts no
        # fluid on a totals cell: no patch of one to measure)
        looks_whiter = (
            flat
            and cover > MIN_COVER
            and _stands_out(steps, by)
            and (len(steps) > 1 or float(np.median(levels)) > reference + by)
        )
        edged = (flat or whole) and _edged(steps, cover, whole)
        rims = rim_steps(gray, page.binary, box) if looks_whiter or edged else []
        step = max(rims) if rims else math.nan
        # a step too low is lit paper; none measurable (NaN) cannot tell against the patch
        whiter = (looks_whiter and not step < RIM_STEP) or (
            edged and step >= RIM_SURE and sum(r >= EDGED_STEP for r in rims) >= RIM_SIDES
        )
        shadow = 0.0 if whiter else edge_shadows(gray, page.binary, box, float(paper[index]))
        if not whiter and shadow < SHADOW_DEPTH:
            continue
        values: dict[str, str | int | float] = {
            "field": name,
            "patch_level": round(float(np.median(levels)), 1),
            "paper_level": round(reference, 1),
            "cover": round(cover, 3),
        }
        if whiter and not math.isnan(step):
            values["edge_step"] = round(step, 1)
        if shadow:
            values["edge_shadow"] = round(shadow, 1)
        findings.append(
            Finding(
                code=FindingCode.CORRECTION_FLUID,
                severity=FINDING_DOCS[FindingCode.CORRECTION_FLUID][0],
                message=f"{name}: the figure sits on a correction-fluid patch"
                + ("" if whiter else " (the shadow of its raised edge)"),
                evidence=Evidence(bbox=page.to_original(box), values=values),
            )
        )
    return tuple(findings)
