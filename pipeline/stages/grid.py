"""Ruled tables from a binary page: line masks -> rules -> cells (pdfplumber's chain).

Every intermediate is kept in `RuledPage` so an overlay or a debug image can draw it.
"""

from __future__ import annotations

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


def _table(box: BBox, horizontal: np.ndarray, vertical: np.ndarray) -> GridTable | None:
    hs = horizontal[box.y0 : box.y1, box.x0 : box.x1] > 0
    vs = vertical[box.y0 : box.y1, box.x0 : box.x1] > 0
    rows = _groups(np.nonzero(hs.sum(axis=1) > 0.35 * box.width)[0])
    cols = _groups(np.nonzero(vs.sum(axis=0) > 0.35 * box.height)[0])
    if len(rows) < 2 or len(cols) < 2:
        return None
    rows += _partial_last_row(hs, rows[-1], cols)
    row_edges = tuple(box.y0 + r for r in rows)
    col_edges = tuple(box.x0 + c for c in cols)
    pad = 4
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
