"""Ruled tables: which strokes are the table's rules."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.stages.grid import find_tables


def _grid(inner_rule: str | None, flat_signatures: bool) -> np.ndarray:
    """A binary page holding an agents' grid of two boxes, 900 x 200 pixels."""
    page = np.zeros((600, 1200), np.uint8)
    cv2.rectangle(page, (100, 100), (1000, 300), 255, 3)
    cv2.line(page, (550, 100), (550, 300), 255, 3)
    if inner_rule == "across":
        cv2.line(page, (100, 200), (1000, 200), 255, 3)
    elif inner_rule == "left box":  # the right box spans both rows
        cv2.line(page, (100, 200), (550, 200), 255, 3)
    if flat_signatures:  # signed with a long, nearly flat stroke, as agents often sign
        for x0 in (140, 590):
            xs = np.arange(x0, x0 + 370)
            ys = 230 + np.round(2 * np.sin(xs / 40)).astype(int)
            cv2.polylines(page, [np.column_stack([xs, ys]).astype(np.int32)], False, 255, 3)
    return page


def _row_edges(page: np.ndarray) -> list[int]:
    (table,) = find_tables(page).tables
    return list(table.row_edges)


def test_flat_signatures_side_by_side_are_no_rule() -> None:
    # their strokes add up to 0.8 of the grid's width, but none crosses its box
    assert len(_row_edges(_grid(None, flat_signatures=True))) == 2
    assert len(_row_edges(_grid("across", flat_signatures=True))) == 3


def test_a_rule_under_some_boxes_only_is_a_rule() -> None:
    edges = _row_edges(_grid("left box", flat_signatures=False))
    assert len(edges) == 3 and abs(edges[1] - 200) <= 2
