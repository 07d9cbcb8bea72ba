"""Tamper evidence from a JPEG's own compression: a region pasted into a saved photo or scan.

A JPEG opened in an editor, changed and saved again carries two compressions on its 8x8
grid: each DCT coefficient was rounded to a step of the first quality's table, then to
the second's. The second rounding of values already on the first lattice leaves the
coefficients' histogram combed: values the first step could not produce are empty (a
coarse first step) or come in alternating heights (a fine one). A region pasted in, from
another file or drawn there, was never on the first lattice: its coefficients fall on
every value. This stage

1. estimates, for each of the lowest AC frequencies, the first step that best explains
   the page's histogram, by quantising the page's own calibrated coefficients (the page
   cropped by four pixels, off the grid, approximates coefficients never compressed) twice
   and comparing (`_estimate`). Only first steps coarser than the last are tried: they
   leave empty values, which nothing else does; a finer first step leaves a ripple that
   any step fits as well as it does (on pages saved once, steps of 2-7 against a last of
   7-11 "fitted" 2-3 times better than one compression);
2. gives every block the log-likelihood that its coefficients were compressed once rather
   than twice: a value the first step reaches `n` times is `q_first * n / q_last` times as
   likely under two compressions (Bianchi and Piva, "Image forgery localization via
   block-grained analysis of JPEG artifacts", 2012), a value it cannot reach is nearly
   impossible there (`block_evidence`);
3. reports a compact cluster of blocks that say "once" where the rest of the page says
   "twice" as TAMPER_SUSPECTED, with the likelihood map as evidence (`splice_findings`).

A file saved once, or twice at one quality, shows no comb and gets no finding: the test
is silent, not clear. Blank paper carries no evidence either way (its AC coefficients are
zero): only blocks with ink or texture vote. Blocks holding clipped pixels (0 or 255) are
left out: clipping moves the coefficients off the lattice without any edit.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from pipeline.codes import FindingCode
from pipeline.model import BBox, Evidence, Finding, finding
from pipeline.pages import JpegLayer, Page

# the lowest AC frequencies (row, column), in zig-zag order: high frequencies are zero on
# most blocks and their steps are large, so they say little
FREQUENCIES = (
    (0, 1), (1, 0), (2, 0), (1, 1), (0, 2), (0, 3), (1, 2),
    (2, 1), (3, 0), (4, 0), (3, 1), (2, 2), (1, 3), (0, 4),
)  # fmt: skip
SPAN = 40  # histogram bins each side of zero; larger values are left out
SAMPLE_VALUES = 30_000  # calibrated values the first steps are estimated on, at most ...
CALIBRATION_BLOCKS = 40_000  # ... taken from about this many blocks (rows of the page)
# a frequency counts as compressed twice when the best first step explains its histogram
# with at most this share of the single-compression model's misfit
DOUBLE_FIT = 0.6
# ... and its comb is real: one compression would put MIN_GAP_SHARE of the non-zero values
# where the first step cannot reach, and the page holds at most MAX_GAP_DEPTH of that
# there. On 40 pages of `benchmarks/jpeg_splice.py --seed 11` saved twice, the second
# quality higher, combed frequencies' shares were 0.13-0.96 and depths 0-0.42; a seed-9005
# page saved once at quality 52 "fitted" first steps a little coarser than its last whose
# unreachable values one compression fills 0-4% (their depths 0-12: nothing to empty)
MIN_GAP_SHARE = 0.1
MAX_GAP_DEPTH = 0.5
MIN_DOUBLE_FREQUENCIES = 4  # fewer combed frequencies: no verdict on the page
EARLY = 7  # ... nor when none of the first EARLY is combed (on pages with a verdict 10-14 are)
UNREACHABLE = 0.05  # the count given to a value the first step cannot produce
VOTE = 4.0  # a block whose log-likelihood is VOTE or more votes "compressed once"
# a finding: at least MIN_FOREIGN blocks voting "once", close together (gaps of 2 * GAP
# blocks at most), whose log-likelihood summed over them and the blocks within GAP is
# MIN_LOG_LIKELIHOOD or more. On seed 7301's pages (`benchmarks/jpeg_splice.py --count 120
# --seed 7301`) saved twice, the second quality higher: pasted regions 215 to 12,854, the
# unedited pages' strongest group 46
MIN_FOREIGN = 8
GAP = 2
MIN_LOG_LIKELIHOOD = 150.0
# ... spanning MIN_SPAN rows and columns of blocks at least: the blocks along a printed rule
# are copies of one another and vote as one (seed 7301's f025: a rule 64 blocks long, one
# high, on a page saved twice unedited, at 430)
MIN_SPAN = 2
MERGE = 8  # regions found this many blocks apart or closer are reported as one
LEANS = 1.0  # a block at -LEANS or less leans to "twice" ...
MIN_NATIVE = 200  # ... and the page needs this many: the comb is the page's, not a corner's
SPLICE_METHOD = "double-quantisation"  # the finding's `method`, for its heat-map evidence


@dataclass(frozen=True)
class StepEstimate:
    """One frequency: the last step (from the file's table) and the first one estimated."""

    row: int
    column: int
    last: int
    first: int
    misfit_once: float  # L1 distance of the histogram from one compression
    misfit_twice: float  # ... and from two, with `first`
    gap_share: float  # share of values one compression puts where `first` cannot reach
    gap_depth: float  # what the page holds there, as a share of what one compression would

    @property
    def combed(self) -> bool:
        return (
            self.first > self.last
            and self.misfit_twice <= DOUBLE_FIT * self.misfit_once
            and self.gap_share >= MIN_GAP_SHARE
            and self.gap_depth <= MAX_GAP_DEPTH
        )


@dataclass(frozen=True)
class BlockEvidence:
    """Per 8x8 block of the file's grid: log-likelihood of one compression over two."""

    steps: tuple[StepEstimate, ...]
    llr: NDArray[np.float64]  # (rows, columns) of blocks; 0 where a block does not vote


def _basis() -> NDArray[np.float64]:
    """Each of FREQUENCIES' orthonormal 8x8 DCT basis images, as rows of 64."""
    k = np.arange(8)
    scale = np.where(k == 0, np.sqrt(1 / 8), np.sqrt(2 / 8))
    cosines = scale[:, None] * np.cos((2 * k[None, :] + 1) * k[:, None] * np.pi / 16)
    return np.stack([np.outer(cosines[u], cosines[v]).ravel() for u, v in FREQUENCIES])


BASIS = _basis().astype(np.float32)


def _coefficients(plane: NDArray[np.uint8], offset: int = 0, every: int = 1) -> NDArray[np.float32]:
    """FREQUENCIES' DCT coefficients of the whole blocks, (rows, columns, frequencies), of
    every `every`-th row of blocks (all by default). Single precision: a coefficient is at
    most 1,024 and is wanted to a hundredth of a step."""
    shifted = plane[offset:, offset:]
    rows, cols = shifted.shape[0] // 8, shifted.shape[1] // 8
    tiles = shifted[: rows * 8, : cols * 8].reshape(rows, 8, cols, 8)[::every]
    flat = tiles.transpose(0, 2, 1, 3).reshape(-1, 64).astype(np.float32) - np.float32(128)
    product = np.asarray(flat @ BASIS.T, dtype=np.float32)
    return product.reshape(tiles.shape[0], cols, len(FREQUENCIES))


def _histogram(
    values: NDArray[np.float64], weights: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    clipped = np.clip(np.asarray(values, dtype=np.int64), -SPAN - 1, SPAN + 1)
    counts = np.bincount(clipped + SPAN + 1, weights=weights, minlength=2 * SPAN + 3)
    out = counts[1:-1].astype(np.float64)
    out[SPAN] = 0.0  # zero says nothing: blank paper is zero under any history
    return out


def _twice(calibrated: NDArray[np.float64], first: int, last: int) -> NDArray[np.float64]:
    """The histogram of `calibrated` rounded to steps of `first`, then of `last`."""
    steps = np.rint(calibrated / first).astype(np.int64)
    low = int(steps.min())
    counts = np.bincount(steps - low).astype(np.float64)
    return _histogram(np.rint((np.arange(counts.size) + low) * first / last), counts)


def _misfit(observed: NDArray[np.float64], model: NDArray[np.float64]) -> float:
    total_o, total_m = observed.sum(), model.sum()
    if total_o == 0 or total_m == 0:
        return 2.0
    return float(np.abs(observed / total_o - model / total_m).sum())


def reachable(values: NDArray[np.int64], first: int, last: int) -> NDArray[np.float64]:
    """How many multiples of `first`, rounded to steps of `last`, land on each value.

    A multiple landing half-way between two values is counted half to each: after the
    decoder's rounding to whole pixels it goes either way."""
    low = (2 * values - 1) * last  # y lands on x when low < 2 * y * first < high
    high = (2 * values + 1) * last
    step = 2 * first
    inside = -((-high) // step) - (low // step) - 1  # ceil(high/step) - floor(low/step) - 1
    ties = (low % step == 0).astype(np.float64) + (high % step == 0)
    return np.asarray(inside + 0.5 * ties, dtype=np.float64)


def _estimate(
    observed: NDArray[np.float64], calibrated: NDArray[np.float64], last: int, u: int, v: int
) -> StepEstimate:
    single = _histogram(np.rint(calibrated / last))
    once = _misfit(observed, single)
    best = (once, last)
    for first in range(last + 1, 3 * last + 20):
        fit = _misfit(observed, _twice(calibrated, first, last))
        if fit < best[0]:
            best = (fit, first)
    unreached = reachable(np.arange(-SPAN, SPAN + 1), best[1], last) == 0
    unreached[SPAN] = False
    expected = single[unreached].sum() / max(single.sum(), 1.0)
    held = observed[unreached].sum() / max(observed.sum(), 1.0)
    return StepEstimate(
        row=u,
        column=v,
        last=last,
        first=best[1],
        misfit_once=round(once, 4),
        misfit_twice=round(best[0], 4),
        gap_share=round(float(expected), 4),
        gap_depth=round(float(held / expected), 4) if expected > 0 else 1.0,
    )


def _clipped(plane: NDArray[np.uint8], offset: int) -> NDArray[np.bool_]:
    """Blocks (on the grid shifted by `offset`) holding a pixel at 0-1 or 254-255."""
    shifted = plane[offset:, offset:]
    rows, cols = shifted.shape[0] // 8, shifted.shape[1] // 8
    bad = (shifted[: rows * 8, : cols * 8] <= 1) | (shifted[: rows * 8, : cols * 8] >= 254)
    # an area mean over whole 8x8 blocks (OpenCV's fast path): one bad pixel of 64 at 255
    # averages to 4, never to 0
    means = cv2.resize(bad.astype(np.uint8) * 255, (cols, rows), interpolation=cv2.INTER_AREA)
    return np.asarray(means > 0)


def _steps(
    plane: NDArray[np.uint8], table: NDArray[np.int64], clipped: NDArray[np.bool_]
) -> list[StepEstimate]:
    """The combed frequencies' first steps, estimated on every `every`-th row of blocks
    (about CALIBRATION_BLOCKS blocks): a histogram needs no more."""
    every = max(1, clipped.size // CALIBRATION_BLOCKS)
    sample = _coefficients(plane, 0, every)[~clipped[::every]]
    calibrated = _coefficients(plane, 4, every)[~_clipped(plane, 4)[::every]]
    steps: list[StepEstimate] = []
    for f, (u, v) in enumerate(FREQUENCIES):
        if f == EARLY and not steps:
            break  # a page saved once (most are): no need to look further
        last = int(table[u, v])
        moving = calibrated[:, f][np.abs(calibrated[:, f]) >= 0.5].astype(np.float64)
        if last < 1 or moving.size == 0:  # a broken table, or nothing but flat paper
            continue
        observed = _histogram(np.rint(sample[:, f] / last))
        estimate = _estimate(observed, moving[:: max(1, moving.size // SAMPLE_VALUES)], last, u, v)
        if estimate.combed:
            steps.append(estimate)
    return steps


def block_evidence(layer: JpegLayer) -> BlockEvidence | None:
    """The per-block likelihood map, or None when the page shows no second compression."""
    plane = layer.luminance
    if plane.shape[0] < 64 or plane.shape[1] < 64:
        return None
    table = np.asarray(layer.quantization, dtype=np.int64).reshape(8, 8)
    clipped = _clipped(plane, 0)
    if int((~clipped).sum()) < MIN_NATIVE:
        return None
    steps = _steps(plane, table, clipped)
    if len(steps) < MIN_DOUBLE_FREQUENCIES:
        return None
    coefficients = _coefficients(plane)
    index = {frequency: f for f, frequency in enumerate(FREQUENCIES)}
    llr = np.zeros(clipped.shape, dtype=np.float64)
    span = np.arange(-SPAN, SPAN + 1)
    for step in steps:
        counts = np.maximum(reachable(span, step.first, step.last), UNREACHABLE)
        per_value = np.log(step.last / (step.first * counts))
        per_value[SPAN] = 0.0
        x = np.rint(coefficients[:, :, index[step.row, step.column]] / step.last).astype(np.int64)
        inside = np.abs(x) <= SPAN
        llr += np.where(inside, per_value[np.clip(x, -SPAN, SPAN) + SPAN], 0.0)
    llr[clipped] = 0.0
    return BlockEvidence(steps=tuple(steps), llr=llr)


def _to_page(mask: NDArray[np.uint8], layer: JpegLayer) -> NDArray[np.uint8]:
    """A map on the file's grid turned as the page was (EXIF orientation)."""
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(layer.orientation)
    if method is None:
        return mask
    return np.asarray(Image.fromarray(mask).transpose(method))


def _pixels(blocks: NDArray[np.uint8], page: Page) -> NDArray[np.uint8]:
    """A block map at pixel resolution on the page: turned as the page was (a JPEG file),
    or scaled into the place the scan lies (a JPEG inside a PDF)."""
    layer = page.jpeg
    if layer is None:
        return np.zeros((page.height, page.width), np.uint8)
    h, w = layer.luminance.shape
    full = np.zeros((h, w), np.uint8)
    grown = np.kron(blocks, np.ones((8, 8), np.uint8))
    full[: grown.shape[0], : grown.shape[1]] = grown
    if layer.placement is None:
        return _to_page(full, layer)
    out = np.zeros((page.height, page.width), np.uint8)
    box = layer.placement
    x1, y1 = min(box.x1, page.width), min(box.y1, page.height)
    if box.width <= 0 or box.height <= 0 or x1 <= box.x0 or y1 <= box.y0:
        return out
    placed = cv2.resize(full, (box.width, box.height), interpolation=cv2.INTER_NEAREST)
    out[box.y0 : y1, box.x0 : x1] = placed[: y1 - box.y0, : x1 - box.x0]
    return out


def heat_map(page: Page) -> NDArray[np.uint8] | None:
    """The page with blocks voting "compressed once" in red, "twice" in blue (BGR)."""
    if page.jpeg is None:
        return None
    evidence = block_evidence(page.jpeg)
    if evidence is None:
        return None
    once = np.clip(evidence.llr / (2 * VOTE), 0, 1)
    twice = np.clip(-evidence.llr / (2 * VOTE), 0, 1)
    red = _pixels((once * 255).astype(np.uint8), page)
    blue = _pixels((twice * 255).astype(np.uint8), page)
    gray = (cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY) // 2 + 64).astype(np.uint8)
    out: NDArray[np.uint8] = np.dstack([gray, gray, gray])
    if red.shape != gray.shape:  # a page size the plane does not match: no overlay
        return out
    out[..., 2] = np.maximum(out[..., 2], red)
    out[..., 0] = np.maximum(out[..., 0], blue)
    return out


def _clusters(evidence: BlockEvidence) -> list[tuple[int, int, int, int, int, float]]:
    """(row0, col0, row1, col1, blocks voting once, log-likelihood) of each group of
    blocks voting "compressed once", joined across gaps of up to 2 * GAP blocks: the hull
    of its voting blocks, and the likelihood summed over the votes and the blocks within
    GAP of them (not over the hull: on a noisy page a stray vote beside a paste stretches
    the hull over paper that votes "twice" hard, seed 7301's f016: -1,027 over the hull,
    +349 so)."""
    once = (evidence.llr >= VOTE).astype(np.uint8)
    kernel = np.ones((2 * GAP + 1, 2 * GAP + 1), np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        cv2.dilate(once, kernel), connectivity=8
    )
    out = []
    for label in range(1, count):
        x, y, w, h = (int(s) for s in stats[label, :4])
        member = labels[y : y + h, x : x + w] == label
        voting = np.nonzero(member & (once[y : y + h, x : x + w] > 0))
        r0, c0 = y + int(voting[0].min()), x + int(voting[1].min())
        r1, c1 = y + int(voting[0].max()) + 1, x + int(voting[1].max()) + 1
        total = float(evidence.llr[y : y + h, x : x + w][member].sum())
        out.append((r0, c0, r1, c1, int(voting[0].size), total))
    return out


def _merged(
    groups: list[tuple[int, int, int, int, int, float]], shape: tuple[int, ...]
) -> list[tuple[int, int, int, int, int, float]]:
    """Groups whose hulls lie MERGE blocks apart or closer made one (a pasted cell whose
    ink is split by blank paper is one region): hulls painted on the block grid, grown by
    half of MERGE each way, and the groups under one connected piece joined."""
    hulls = np.zeros(shape[:2], np.uint8)
    for r0, c0, r1, c1, _, _ in groups:
        hulls[r0:r1, c0:c1] = 1
    grown = cv2.dilate(hulls, np.ones((MERGE + 1, MERGE + 1), np.uint8))
    _, labels = cv2.connectedComponents(grown, connectivity=8)
    joined: dict[int, tuple[int, int, int, int, int, float]] = {}
    for group in groups:
        label = int(labels[group[0], group[1]])
        if label in joined:
            a = joined[label]
            group = (
                min(a[0], group[0]),
                min(a[1], group[1]),
                max(a[2], group[2]),
                max(a[3], group[3]),
                a[4] + group[4],
                a[5] + group[5],
            )
        joined[label] = group
    return list(joined.values())


def splice_findings(page: Page) -> tuple[Finding, ...]:
    """TAMPER_SUSPECTED for each region of a twice-saved JPEG that was compressed once."""
    if page.jpeg is None:
        return ()
    evidence = block_evidence(page.jpeg)
    if evidence is None:
        return ()
    natives = int((evidence.llr <= -LEANS).sum())
    if natives < MIN_NATIVE:
        return ()
    regions = _merged(
        [
            c
            for c in _clusters(evidence)
            if c[4] >= MIN_FOREIGN
            and c[5] >= MIN_LOG_LIKELIHOOD
            and min(c[2] - c[0], c[3] - c[1]) >= MIN_SPAN
        ],
        evidence.llr.shape,
    )
    findings = []
    for r0, c0, r1, c1, once, total in regions:
        region = np.zeros(evidence.llr.shape, np.uint8)
        region[r0:r1, c0:c1] = 1
        ys, xs = np.nonzero(_pixels(region, page))
        if ys.size == 0:
            continue
        box = BBox(x0=int(xs.min()), y0=int(ys.min()), x1=int(xs.max()) + 1, y1=int(ys.max()) + 1)
        firsts = ", ".join(f"{s.first}/{s.last}" for s in evidence.steps[:4])
        findings.append(
            finding(
                FindingCode.TAMPER_SUSPECTED,
                (
                    f"a region of {once} blocks was compressed once where the rest of the "
                    f"JPEG was compressed twice (pasted in before the last save; first/last "
                    f"steps {firsts})"
                ),
                evidence=Evidence(
                    bbox=box,
                    values={
                        "method": SPLICE_METHOD,
                        "blocks_once": once,
                        "blocks_twice_page": natives,
                        "log_likelihood": round(total, 1),
                        "threshold": MIN_LOG_LIKELIHOOD,
                        "frequencies_combed": len(evidence.steps),
                        "first_steps": firsts,
                    },
                ),
            )
        )
    return tuple(findings)
