"""Overwritten figures cell by cell: what the digit reader's double-ink test sees.

    .venv/bin/python -m benchmarks.overwrite_cells CORPUS [CORPUS ...] [--workers 2]
        [--json OUT]

CORPUS is a synthetic corpus's folder (`python -m pipeline.synth` or the pipeline
benchmark writes one from a seed). Every page is normalised, located and read (the
marks and tamper stages are skipped: about a second a page), and for every figure cell
the measures `numbers.double_ink` weighs are kept, digit by digit: its stroke pixels,
the pixels laid twice, its height, its darkest strokes' level over the paper's and the
network's probability. The truth's overwrites ("candidate N: 104 overwritten to read
404") are matched to the cells by name.

Printed: the overwrites found and missed and the clean cells accused, cell by cell (the
page-level figures are the pipeline benchmark's); and, for the digits alone of their
figure in laying ink twice (LONE_DOUBLE_SHARE, LONE_NEIGHBOURS) and as dark as
DOUBLE_INK_DEPTH, the pixels laid twice per pixel of height of the clean ones and of the
overwrites: the margin SURE_LONE_PER_HEIGHT sits in. With `--json` every measured cell
that lays any ink twice is written out, to try other bars on without reading again.
With `--views OUT.npz` every digit the overwrite network weighed is kept as it saw it
(`strokes.digit_views`) with its ink laid twice, and its cell's truth, for
`benchmarks.overwrite_views` to score any network and bars on without reading again.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

import cv2
import numpy as np

import pipeline.numbers as numbers
import pipeline.stages.read as read
from pipeline.codes import FindingCode
from pipeline.evaluate import load_truth
from pipeline.inspect import locate_page
from pipeline.layout import LocatedForm
from pipeline.model import BBox
from pipeline.options import Options
from pipeline.pages import NormalisedPage
from pipeline.stages.load import load_pages
from pipeline.stages.normalise import normalise_page
from pipeline.strokes import digit_views
from pipeline.templates import Template, bundled_templates

OVERWRITE = re.compile(r"^candidate (\d+):")  # the truth's detail of an overwrite


@dataclass(frozen=True)
class DigitInk:
    stroke: int  # stroke-core pixels
    twice: int  # of them, laid twice (darker than 0.6 of a single layer)
    height: int
    depth: float  # darkest 2% over the paper's level
    sureness: float | None  # the network's probability of the digit

    @property
    def share(self) -> float:
        return self.twice / max(1, self.stroke)

    @property
    def per_height(self) -> float:
        return self.twice / max(1, self.height)


@dataclass(frozen=True)
class FigureCell:
    file: str
    page: int
    field: str
    text: str
    found: bool  # FIGURE_OVERWRITTEN on this cell, with the code as it is
    jpeg: float | None  # the page's JPEG quality (a coarse one's ringing clears)
    digits: tuple[DigitInk, ...]
    seen_by: str | None = None  # the finding's cue: ink laid twice, or a pen's colour over type
    coloured: bool = False  # the figure written in a coloured pen (PALE_LONE_DEPTH)
    # the overwrite network's likeliest box's probability of two digits' strokes (None:
    # not asked, the double-ink test having suspected the figure)
    strokes: float | None = None
    strokes_digit: int | None = None  # ... and which digit of the figure it weighed so
    # of a figure the double-ink test suspected: the network's probability of the digit it
    # names holding two digits' strokes
    suspect_strokes: float | None = None


def _digit_inks(
    gray: np.ndarray,
    ink: np.ndarray,
    boxes: Sequence[tuple[int, int, int, int]],
    sureness: Sequence[float] | None,
) -> tuple[DigitInk, ...]:
    """The measures `numbers.double_ink` weighs, for every digit box."""
    core = cv2.erode(ink, np.ones((2, 2), np.uint8)) > 0
    if np.count_nonzero(core) < 40:
        return ()
    dark = core & (gray < 0.6 * numbers.percentile(gray[core], 25))
    blank = gray[ink == 0]
    paper = numbers.percentile(blank, 50) if blank.size else 255.0
    out = []
    for i, (x, y, w, h) in enumerate(boxes):
        inside = core[y : y + h, x : x + w]
        depth = (
            numbers.percentile(gray[y : y + h, x : x + w][inside], 2) / max(paper, 1.0)
            if inside.any()
            else 1.0
        )
        out.append(
            DigitInk(
                stroke=int(np.count_nonzero(inside)),
                twice=int(np.count_nonzero(dark[y : y + h, x : x + w])),
                height=h,
                depth=round(float(depth), 3),
                sureness=None if sureness is None else round(float(sureness[i]), 4),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class CellViews:
    """A figure cell's digits as the overwrite network saw them, each with its ink laid
    twice (pixels per pixel of height, darkest strokes over the paper)."""

    file: str
    page: int
    field: str
    views: np.ndarray  # (N, 28, 28) uint8
    laid_twice: tuple[tuple[float, float], ...]
    suspect: bool = False  # the one digit the double-ink test named (the veto weighs it)


def _drawn(cell: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> CellViews:
    gray = cell if cell.ndim == 2 else cv2.cvtColor(cell, cv2.COLOR_BGR2GRAY)
    ink = numbers.cell_ink(gray)
    twice = tuple(numbers.laid_twice(gray, ink, box) for box in boxes)
    return CellViews("", 0, "", digit_views(gray, ink, boxes), twice)


@contextmanager
def _watching(
    cells: list[FigureCell],
    file: str,
    page: NormalisedPage,
    kept: list[CellViews] | None = None,
) -> Iterator[None]:
    """Wrap the digit reader's double-ink test and the figure reader for one page: each
    figure cell read leaves its digits' measures in `cells` (and, given `kept`, the views
    the overwrite network weighed there)."""
    seen: list[tuple[DigitInk, ...]] = []
    inked: list[bool] = []  # ... and whether its figure is in a coloured pen
    asked: list[tuple[float, int]] = []  # ... and the overwrite network's probability
    drawn: list[CellViews] = []
    test, reader, network = numbers.double_ink, read._Figures.read, read.overwritten_strokes

    def strokes(cell: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> object:
        found = network(cell, boxes)
        if found is not None:
            asked.append((found.probability, found.index))
            if kept is not None:
                drawn.append(_drawn(cell, boxes))
        return found

    def double_ink(
        gray: np.ndarray,
        ink: np.ndarray,
        boxes: list[tuple[int, int, int, int]],
        sureness: tuple[float, ...] | None = None,
        *,
        coloured: bool = False,
    ) -> numbers.DoubleInk | None:
        seen.append(_digit_inks(gray, ink, boxes, sureness))
        inked.append(coloured)
        return test(gray, ink, boxes, sureness, coloured=coloured)

    def figure(figures: read._Figures, name: str, box: BBox) -> object:
        seen.clear()
        inked.clear()
        asked.clear()
        drawn.clear()
        suspected = len(figures.suspects)
        field = reader(figures, name, box)
        suspect = None
        if len(figures.suspects) > suspected:  # the digit the double-ink test names
            named = figures.suspects[-1][2].overwrite_box
            if named is not None:
                cell = page.image[box.y0 : box.y1, box.x0 : box.x1]
                said = network(cell, [read._xywh(named)])
                suspect = None if said is None else round(said.probability, 5)
                if kept is not None:
                    views = _drawn(cell, [read._xywh(named)])
                    where = {"file": file, "page": page.source.index, "field": name}
                    kept.append(replace(views, suspect=True, **where))
        if seen and seen[-1]:
            jpeg = page.source.jpeg
            quality = None if jpeg is None else round(jpeg.quality, 1)
            cells.append(
                FigureCell(
                    file,
                    page.source.index,
                    name,
                    field.text,
                    False,
                    quality,
                    seen[-1],
                    coloured=inked[-1],
                    strokes=round(asked[-1][0], 5) if asked else None,
                    strokes_digit=asked[-1][1] if asked else None,
                    suspect_strokes=suspect,
                )
            )
            if kept is not None and drawn:
                kept.append(replace(drawn[-1], file=file, page=page.source.index, field=name))
        return field

    numbers.double_ink = double_ink  # type: ignore[assignment]
    read._Figures.read = figure  # type: ignore[assignment, method-assign]
    read.overwritten_strokes = strokes  # type: ignore[assignment]
    try:
        yield
    finally:
        numbers.double_ink = test  # type: ignore[assignment]
        read._Figures.read = reader  # type: ignore[method-assign]
        read.overwritten_strokes = network


def located_pages(path: Path) -> Iterator[tuple[NormalisedPage, LocatedForm, Template | None]]:
    """Each page of a file normalised and located as `inspect` does: a continuation page
    takes its form's earlier pages' template."""
    templates = bundled_templates()
    follows: Template | None = None
    for page in load_pages(path, limits=Options().limits):
        normalised = normalise_page(page)
        located, follows = locate_page(normalised, templates, None, follows)
        yield normalised, located, follows


def measure_file(path: Path, keep_views: bool = False) -> tuple[list[FigureCell], list[CellViews]]:
    cells: list[FigureCell] = []
    kept: list[CellViews] = []
    for normalised, located, follows in located_pages(path):
        first = len(cells)
        with _watching(cells, path.name, normalised, kept if keep_views else None):
            readings = read.read_form(normalised, located, follows)
        accused = {
            finding.evidence.values.get("field"): str(finding.evidence.values.get("seen_by"))
            for finding in readings.findings
            if finding.code is FindingCode.FIGURE_OVERWRITTEN
        }
        cells[first:] = [
            replace(c, found=c.field in accused, seen_by=accused.get(c.field))
            for c in cells[first:]
        ]
    return cells, kept


def save_views(
    out: Path,
    kept: list[CellViews],
    cells: list[FigureCell],
    overwrites: set[tuple[str, int, str]],
) -> None:
    """Every weighed digit's view and ink laid twice, with its cell's truth and verdict."""
    found = {(c.file, c.page, c.field) for c in cells if c.found}
    keys = [(v.file, v.page, v.field) for v in kept]
    np.savez_compressed(
        out,
        views=np.concatenate([v.views for v in kept]),
        cell=np.concatenate([np.full(len(v.views), i) for i, v in enumerate(kept)]),
        per_height=np.array([t[0] for v in kept for t in v.laid_twice], np.float32),
        depth=np.array([t[1] for v in kept for t in v.laid_twice], np.float32),
        overwritten=np.array([k in overwrites for k in keys]),
        found=np.array([k in found for k in keys]),
        names=np.array([f"{f}:{p}:{n}" for f, p, n in keys]),
        suspect=np.array([v.suspect for v in kept]),
    )


def _alone(cell: FigureCell) -> DigitInk | None:
    """The digit alone of its figure in laying ink twice, as dark as ink laid twice."""
    shares = [d.share for d in cell.digits]
    for i, digit in enumerate(cell.digits):
        others = shares[:i] + shares[i + 1 :]
        if (
            digit.stroke >= 40
            and digit.twice >= 25
            and digit.share > numbers.LONE_DOUBLE_SHARE
            and others
            and max(others) <= numbers.LONE_NEIGHBOURS
            and digit.depth < numbers.DOUBLE_INK_DEPTH
        ):
            return digit
    return None


STROKES_BARS = (0.9, 0.97, 0.99, 0.995, 0.998, 0.999)
STROKES_KEPT = 0.5  # cells the overwrite network gives this much are written out


def _strokes_bars(cells: list[FigureCell], overwrites: set[tuple[str, int, str]]) -> None:
    """What the overwrite network adds at each bar: of the cells the double-ink test passed
    (`strokes` asked), the overwrites it would find and the clean cells it would accuse."""
    asked = [c for c in cells if c.strokes is not None]
    print(f"cells the overwrite network weighed: {len(asked)}")
    for bar in STROKES_BARS:
        over = [c for c in asked if c.strokes >= bar]  # type: ignore[operator]
        true = sum((c.file, c.page, c.field) in overwrites for c in over)
        print(f"  at {bar}: overwrites {true}, clean cells {len(over) - true}")
    for c in sorted(asked, key=lambda c: -(c.strokes or 0.0))[:12]:
        kind = "overwrite" if (c.file, c.page, c.field) in overwrites else "clean"
        print(f"    {c.strokes:.4f} {kind}: {c.file} p{c.page} {c.field} read {c.text!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the cells laying ink twice here")
    parser.add_argument("--views", type=Path, help="write the weighed digits' views here (.npz)")
    args = parser.parse_args()
    cells: list[FigureCell] = []
    kept: list[CellViews] = []
    overwrites: set[tuple[str, int, str]] = set()
    for corpus in args.corpora:
        truth = load_truth(corpus)
        for page in truth:
            for anomaly in page.anomalies:
                match = OVERWRITE.match(anomaly.detail)
                if anomaly.code is FindingCode.FIGURE_OVERWRITTEN and match:
                    overwrites.add((page.file, page.page, f"candidates[{match[1]}].votes"))
        files = sorted({corpus / page.file for page in truth})
        with ProcessPoolExecutor(args.workers) as pool:
            measure = partial(measure_file, keep_views=args.views is not None)
            for done, views in pool.map(measure, files, chunksize=4):
                cells += done
                kept += views
    seen = {(c.file, c.page, c.field) for c in cells}
    found = sum(c.found for c in cells if (c.file, c.page, c.field) in overwrites)
    false = [c for c in cells if c.found and (c.file, c.page, c.field) not in overwrites]
    print(
        f"figure cells read: {len(cells)}; overwrites in the truth: {len(overwrites)} "
        f"(cells read: {len(overwrites & seen)}); found: {found}; clean cells accused: "
        f"{len(false)}"
    )
    for cell in false:
        print(
            f"  accused: {cell.file} p{cell.page} {cell.field} read {cell.text!r} ({cell.seen_by})"
        )
    bar = numbers.SURE_LONE_PER_HEIGHT
    for kind, want in (("clean", False), ("overwritten", True)):
        heights = sorted(
            (
                round(digit.per_height, 2)
                for cell in cells
                if ((cell.file, cell.page, cell.field) in overwrites) is want
                and (digit := _alone(cell)) is not None
            ),
            reverse=True,
        )
        if not want:
            for cell in cells:
                digit = _alone(cell)
                if (
                    digit
                    and digit.per_height >= bar
                    and (cell.file, cell.page, cell.field) not in overwrites
                ):
                    verdict = "accused" if cell.found else "cleared (ringing or type)"
                    print(
                        f"  clean at {digit.per_height:.2f}: {cell.file} p{cell.page} "
                        f"{cell.field} read {cell.text!r}, JPEG {cell.jpeg}: {verdict}"
                    )
        print(
            f"{kind} cells with a digit alone laying ink twice: {len(heights)}, "
            f"{sum(h >= bar for h in heights)} at {bar} per pixel of height or more; "
            f"the highest: {heights[:8]}"
        )
    _strokes_bars(cells, overwrites)
    if args.json:
        lines = [
            json.dumps({**asdict(c), "overwritten": (c.file, c.page, c.field) in overwrites})
            for c in cells
            if any(d.twice for d in c.digits) or (c.strokes or 0.0) >= STROKES_KEPT
        ]
        args.json.write_text("\n".join(lines) + "\n")
    if args.views:
        save_views(args.views, kept, cells, overwrites)


if __name__ == "__main__":
    main()
