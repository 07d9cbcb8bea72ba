"""Ruled tables: which strokes are the table's rules."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.stages.grid import find_tables, rule_masks, without_pen_strokes


def _agents_grid(flat_signatures: bool) -> np.ndarray:
    """A binary page holding an agents' grid of two rows of two boxes, 900 x 400 px."""
    page = np.zeros((700, 1200), np.uint8)
    cv2.rectangle(page, (100, 100), (1000, 500), 255, 3)
    cv2.line(page, (550, 100), (550, 500), 255, 3)
    cv2.line(page, (100, 300), (1000, 300), 255, 3)
    if flat_signatures:  # signed with long, nearly flat strokes, as agents often sign
        for x0, y0 in ((140, 230), (590, 232), (140, 430), (590, 428)):
            xs = np.arange(x0, x0 + 370)
            ys = y0 + np.round(2 * np.sin(xs / 40)).astype(int)
            cv2.polylines(page, [np.column_stack([xs, ys]).astype(np.int32)], False, 255, 3)
    return page


def test_flat_signatures_side_by_side_are_no_rule_of_the_agents_grid() -> None:
    page = _agents_grid(flat_signatures=True)
    (table,) = find_tables(page).tables
    assert len(table.row_edges) == 5  # the signatures' strokes add up to a rule's length
    joined = without_pen_strokes(table, rule_masks(page))
    assert [round(y, -1) for y in joined.row_edges] == [100, 300, 500]
    assert [c.height for row in joined.cells for c in row] == [192] * 4


def test_the_agents_grids_printed_rules_stay() -> None:
    page = _agents_grid(flat_signatures=False)
    (table,) = find_tables(page).tables
    assert without_pen_strokes(table, rule_masks(page)) == table
    # a rule under the first box only (the grid's last row holds one agent) stays too
    cv2.line(page, (100, 400), (550, 400), 255, 3)
    (table,) = find_tables(page).tables
    assert len(table.row_edges) == 4
    assert without_pen_strokes(table, rule_masks(page)).row_edges == table.row_edges
