"""Ruled tables: which strokes are the table's rules."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.stages.grid import (
    find_tables,
    rule_masks,
    without_pen_strokes,
    without_signature_columns,
)


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
    assert without_signature_columns(table, rule_masks(page)) == table
    # a rule under the first box only (the grid's last row holds one agent) stays too
    cv2.line(page, (100, 400), (550, 400), 255, 3)
    (table,) = find_tables(page).tables
    assert len(table.row_edges) == 4
    assert without_pen_strokes(table, rule_masks(page)).row_edges == table.row_edges


def test_a_signatures_tall_stroke_is_no_column_of_the_agents_grid() -> None:
    """Seed 9029's NA-146_ps094: one row of three boxes, 130 px tall; the same signature in
    the first and the last, each with an upright stroke 75 px tall under its label."""
    page = np.zeros((400, 1500), np.uint8)
    cv2.rectangle(page, (100, 100), (1400, 230), 255, 3)
    for x in (533, 966):
        cv2.line(page, (x, 100), (x, 230), 255, 3)
    for x in (220, 1100):
        cv2.line(page, (x, 145), (x + 4, 220), 255, 4)
    (table,) = find_tables(page).tables
    assert len(table.col_edges) == 6  # the strokes pass for column rules
    joined = without_signature_columns(table, rule_masks(page))
    assert [round(x, -1) for x in joined.col_edges] == [100, 530, 970, 1400]
    assert without_signature_columns(joined, rule_masks(page)) == joined


def _officers_row(stroke: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """An officer's row (label | signature | thumb), 900 x 200 px, a long straight stroke
    of `stroke`'s colour (BGR) across the signature's box from wall to wall: the page in
    colour and its binary ink."""
    image = np.full((500, 1100, 3), 245, np.uint8)
    cv2.rectangle(image, (100, 100), (1000, 300), (20, 20, 20), 3)
    for x in (400, 800):
        cv2.line(image, (x, 100), (x, 300), (20, 20, 20), 3)
    cv2.line(image, (402, 200), (798, 200), stroke, 3)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return image, np.asarray(cv2.threshold(gray, 160, 255, cv2.THRESH_BINARY_INV)[1], np.uint8)


def test_a_signatures_stroke_in_a_pens_colour_is_no_rule_however_far_it_runs() -> None:
    image, page = _officers_row((170, 40, 20))  # a ballpoint's blue
    (table,) = find_tables(page).tables
    assert len(table.row_edges) == 3  # the stroke meets both walls: a rule by its shape
    assert without_pen_strokes(table, rule_masks(page)) == table
    joined = without_pen_strokes(table, rule_masks(page), image)
    assert [round(y, -1) for y in joined.row_edges] == [100, 300]
    # the same stroke printed black stays a rule
    image, page = _officers_row((20, 20, 20))
    (table,) = find_tables(page).tables
    assert without_pen_strokes(table, rule_masks(page), image) == table
