"""Ruled tables from a binary page: line masks -> rules -> cells (pdfplumber's chain).

Every intermediate is kept in `RuledPage` so an overlay or a debug image can draw it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.components import piece_boxes
from pipeline.layout import GridTable
from pipeline.model import BBox

RuleMasks = tuple[np.ndarray, np.ndarray]  # horizontal and vertical rules (255)


@dataclass(frozen=True)
class RuledPage:
    horizontal: np.ndarray  # mask of horizontal rules (255)
    vertical: np.ndarray  # mask of vertical rules (255)
    text: np.ndarray  # the binary page with the rules removed (ink = 255)
    tables: tuple[GridTable, ...]


def _groups(indices: np.ndarray, gap: int = 4) -> list[int]:
    """Centres of runs of consecutive indices."""
    if len(indices) == 0:
        return []
    runs, start, prev = [], int(indices[0]), int(indices[0])
    for i in indices[1:]:
        i = int(i)
        if i - prev > gap:
            runs.append((start + prev) // 2)
            start = i
        prev = i
    runs.append((start + prev) // 2)
    return runs


def rule_masks(binary: np.ndarray) -> RuleMasks:
    """Masks of long horizontal and vertical strokes (the printed ruling)."""
    h, w = binary.shape
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((1, max(40, w // 30)), np.uint8))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((max(40, h // 60), 1), np.uint8))
    # bridge small breaks in faint or broken rules
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, np.ones((1, 15), np.uint8))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, np.ones((15, 1), np.uint8))
    return horizontal, vertical


def _partial_last_row(hs: np.ndarray, last: int, cols: list[int]) -> list[int]:
    """The bottom rule of a last row that fills only the first cells of the grid (the
    agents' boxes of a form, 6 to a row: 8 agents leave 2 boxes under the first 6), too
    short to count as a row of the whole table: a rule below the last one that starts at
    the grid's left edge and ends on one of its column rules, at least one cell on."""
    slack = 12
    for y in range(hs.shape[0] - 1, last + 2 * slack, -1):
        ink = np.flatnonzero(hs[y])
        if ink.size == 0 or ink[0] > cols[0] + slack:
            continue
        end = int(ink[-1])
        reached = [c for c in cols[1:-1] if abs(end - c) <= slack]
        # the rule runs unbroken (bar gaps of a few pixels) to that column rule
        if reached and ink.size >= 0.9 * (end - int(ink[0])):
            top = y
            while top > last + 2 * slack and hs[top - 1, int(ink[0])]:
                top -= 1
            return [(top + y) // 2]
    return []


CELL_PAD = 4  # pixels between a rule's centre line and the cell inside it


def _grid(row_edges: tuple[int, ...], col_edges: tuple[int, ...]) -> GridTable:
    pad = CELL_PAD
    cells = tuple(
        tuple(
            BBox(
                x0=col_edges[j] + pad,
                y0=row_edges[i] + pad,
                x1=col_edges[j + 1] - pad,
                y1=row_edges[i + 1] - pad,
            )
            for j in range(len(col_edges) - 1)
        )
        for i in range(len(row_edges) - 1)
    )
    outline = BBox(x0=col_edges[0], y0=row_edges[0], x1=col_edges[-1], y1=row_edges[-1])
    return GridTable(bbox=outline, row_edges=row_edges, col_edges=col_edges, cells=cells)


def _table(box: BBox, horizontal: np.ndarray, vertical: np.ndarray) -> GridTable | None:
    hs = horizontal[box.y0 : box.y1, box.x0 : box.x1] > 0
    vs = vertical[box.y0 : box.y1, box.x0 : box.x1] > 0
    rows = _groups(np.nonzero(hs.sum(axis=1) > 0.35 * box.width)[0])
    cols = _groups(np.nonzero(vs.sum(axis=0) > 0.35 * box.height)[0])
    if len(rows) < 2 or len(cols) < 2:
        return None
    rows += _partial_last_row(hs, rows[-1], cols)
    return _grid(tuple(box.y0 + r for r in rows), tuple(box.x0 + c for c in cols))


RULE_REACH = 4  # pixels above and below a rule's centre line that its ink may stray
RULE_CELL = 0.9  # of a cell's width: a printed rule crosses at least one cell this fully
RULE_END = 10  # pixels from a stroke's end within which a vertical rule meets it
PEN_SATURATION, PEN_VALUE = 80, 60  # a ballpoint's blue or violet, not a dark rule's noise
PEN_STROKE_SHARE = 0.5  # of a row edge's strokes in a pen's colour: a pen's, not printed


def _crosses_a_cell(band: np.ndarray, edges: tuple[int, ...]) -> bool:
    """Whether strokes along a table's edge (`band`: inked or not, from `edges[0]` on)
    cross at least one cell between `edges` from wall to wall (RULE_CELL of it, its ends
    inset): a printed rule. True where no cell is wide enough to tell."""
    inset = 2 * RULE_REACH
    shares = [
        float(band[a - edges[0] + inset : b - edges[0] - inset].mean())
        for a, b in itertools.pairwise(edges)
        if b - a > 4 * inset
    ]
    return not shares or max(shares) >= RULE_CELL


def _printed_rule(horizontal: np.ndarray, vertical: np.ndarray, table: GridTable, y: int) -> bool:
    """Whether the horizontal strokes along row edge `y` of `table` are a printed rule:
    they cross at least one cell from wall to wall, or one of them meets a vertical rule
    at an end."""
    x0, x1 = table.col_edges[0], table.col_edges[-1]
    band: np.ndarray = np.any(
        horizontal[max(0, y - RULE_REACH) : y + RULE_REACH + 1, x0:x1] > 0, axis=0
    )
    if _crosses_a_cell(band, table.col_edges):
        return True
    reach = 3 * RULE_END
    walls: np.ndarray = np.any(vertical[max(0, y - reach) : y + reach + 1, x0:x1] > 0, axis=0)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], band.astype(np.int8), [0]])))
    return any(
        walls[max(0, start - RULE_END) : start + RULE_END + 1].any()
        or walls[max(0, stop - 1 - RULE_END) : stop + RULE_END].any()
        for start, stop in zip(edges[::2], edges[1::2], strict=True)
    )


def pen_ink(image: np.ndarray) -> np.ndarray:
    """255 where a pen's coloured ink is (saturation over PEN_SATURATION, not dark): a
    black rule's pixels, dark, take any hue from noise, so darkness is left out."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    return cv2.inRange(hsv, (0, PEN_SATURATION + 1, PEN_VALUE), (255, 255, 255))


def _pen_drawn(horizontal: np.ndarray, image: np.ndarray, table: GridTable, y: int) -> bool:
    """Whether PEN_STROKE_SHARE or more of the horizontal strokes along row edge `y` of
    `table` are in a pen's colour (`image`: the page in colour): a signature, not print."""
    x0, x1 = table.col_edges[0], table.col_edges[-1]
    y0, y1 = max(0, y - RULE_REACH), y + RULE_REACH + 1
    strokes = horizontal[y0:y1, x0:x1] > 0
    total = int(np.count_nonzero(strokes))
    pen = cv2.dilate(pen_ink(image[y0:y1, x0:x1]), np.ones((3, 3), np.uint8)) > 0
    return total > 0 and int(np.count_nonzero(strokes & pen)) >= PEN_STROKE_SHARE * total


def without_pen_strokes(
    table: GridTable, masks: RuleMasks, image: np.ndarray | None = None
) -> GridTable:
    """`table` with each inner row edge that is no printed rule taken out, the cells
    above and below it joined: in a grid of boxes to sign (the agents'), long flat
    signatures side by side add up to a rule's length, but each stays inside its box
    and ends on paper. Only for such a grid: elsewhere a real form's rules may be broken
    or left open at their ends (the Kenya Form 34's, Indonesia's C1). With the page in
    colour (`image`), an edge drawn in a pen's colour is no printed rule either, however
    far it runs (`_pen_drawn`): seed 9026's PS-72_ps154, a presiding officer's signature
    of two long strokes from wall to wall of its box, cut the officer's row in three."""
    horizontal, vertical = masks
    inner = table.row_edges[1:-1]
    kept = [
        y
        for y in inner
        if _printed_rule(horizontal, vertical, table, y)
        and (image is None or not _pen_drawn(horizontal, image, table, y))
    ]
    if len(kept) == len(inner):
        return table
    return _grid((table.row_edges[0], *kept, table.row_edges[-1]), table.col_edges)


def _printed_column(vertical: np.ndarray, table: GridTable, x: int) -> bool:
    """Whether the vertical strokes along column edge `x` of `table` are a printed rule:
    they run down at least one row from its top rule to its bottom one (RULE_CELL of it)."""
    y0, y1 = table.row_edges[0], table.row_edges[-1]
    band: np.ndarray = np.any(
        vertical[y0:y1, max(0, x - RULE_REACH) : x + RULE_REACH + 1] > 0, axis=1
    )
    return _crosses_a_cell(band, table.row_edges)


def without_signature_columns(table: GridTable, masks: RuleMasks) -> GridTable:
    """`table` with each inner column edge that is no printed rule taken out, the cells
    left and right of it joined: in the agents' grid a signature's tall upright stroke
    is long enough to pass for a column rule, but it starts under the box's printed
    label, not at the rule above (seed 9029's NA-146_ps094: two copies of one signature,
    their strokes at x 268 and 1144, cut agent 1's box and agent 3's, which was lost)."""
    vertical = masks[1]
    inner = table.col_edges[1:-1]
    kept = [x for x in inner if _printed_column(vertical, table, x)]
    if len(kept) == len(inner):
        return table
    return _grid(table.row_edges, (table.col_edges[0], *kept, table.col_edges[-1]))


def _without(binary: np.ndarray, ruling: np.ndarray) -> np.ndarray:
    return cv2.bitwise_and(binary, cv2.bitwise_not(cv2.dilate(ruling, np.ones((5, 5), np.uint8))))


def text_ink(binary: np.ndarray, masks: RuleMasks | None = None) -> np.ndarray:
    """The binary page with its printed ruling removed: what OCR should see."""
    horizontal, vertical = rule_masks(binary) if masks is None else masks
    return _without(binary, cv2.bitwise_or(horizontal, vertical))


def shaded_text(gray: np.ndarray, ruled: RuledPage) -> np.ndarray:
    """The page's grey levels as ink (ink bright, paper dark), its ruling painted over
    with paper: for reading again small or blurred print (150-dpi phone captures) that
    the binary page's fixed threshold thickens into blobs."""
    ink = 255 - gray
    ruling = cv2.dilate(cv2.bitwise_or(ruled.horizontal, ruled.vertical), np.ones((5, 5), np.uint8))
    out = ink.copy()
    out[ruling > 0] = int(np.median(ink[::8, ::8]))
    return out


def find_tables(binary: np.ndarray, masks: RuleMasks | None = None) -> RuledPage:
    """All ruled tables on the page, top to bottom (`masks`: its `rule_masks` if known)."""
    horizontal, vertical = rule_masks(binary) if masks is None else masks
    ruling = cv2.bitwise_or(horizontal, vertical)
    joined = cv2.dilate(ruling, np.ones((5, 5), np.uint8))
    tables = []
    for x, y, w, h in piece_boxes(joined):
        if w < 150 or h < 60:
            continue
        table = _table(BBox(x0=x, y0=y, x1=x + w, y1=y + h), horizontal, vertical)
        if table is not None and all(len(r) for r in table.cells):
            tables.append(table)
    tables.sort(key=lambda t: (t.bbox.y0, t.bbox.x0))
    return RuledPage(
        horizontal=horizontal,
        vertical=vertical,
        text=_without(binary, ruling),
        tables=tuple(tables),
    )
