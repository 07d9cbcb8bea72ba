"""Tamper evidence on one page: correction fluid over figures.

Dried correction fluid leaves a patch brighter and flatter than the paper around it, with
a faint raised edge that a scanner lights from one side (a thin grey line that is neither
paper nor ink). We look for that edge inside figure cells.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.layout import LocatedForm
from pipeline.model import BBox, Evidence, Finding
from pipeline.pages import NormalisedPage

FIGURE_KEYS = ("votes", "tendered_votes", "challenged_votes", "total_valid_votes")


def fluid_edge_score(cell: np.ndarray) -> float:
    """Longest run of faint-grey (edge) pixels along a row or column, as a share of the cell."""
    gray = cell if cell.ndim == 2 else cv2.cvtColor(cell, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    if h < 20 or w < 20:
        return 0.0
    inner = gray[4:-4, 4:-4]
    faint = ((inner > 200) & (inner < 238)).astype(np.uint8)
    rows = cv2.morphologyEx(faint, cv2.MORPH_OPEN, np.ones((1, max(8, w // 3)), np.uint8))
    cols = cv2.morphologyEx(faint, cv2.MORPH_OPEN, np.ones((max(8, h // 3), 1), np.uint8))
    return float(
        max(
            rows.sum(axis=1).max(initial=0) / inner.shape[1],
            cols.sum(axis=0).max(initial=0) / inner.shape[0],
        )
    )


def tamper_findings(
    page: NormalisedPage, located: LocatedForm, *, evidence_dir: Path | None
) -> tuple[Finding, ...]:
    """CORRECTION_FLUID findings for figure cells that show a fluid patch's edge."""
    del evidence_dir  # crops are written by the orchestrator from each finding's box
    findings = []
    cells: list[tuple[str, BBox]] = [
        (f"candidates[{row.row_index}].{key}", row.cells[key])
        for row in located.candidate_rows
        for key in FIGURE_KEYS
        if key in row.cells
    ] + [(f"totals.{f.key}", f.value_box) for f in located.totals]
    for name, box in cells:
        score = fluid_edge_score(page.image[box.y0 : box.y1, box.x0 : box.x1])
        if score > 0.6:
            findings.append(
                Finding(
                    code=FindingCode.CORRECTION_FLUID,
                    severity=FINDING_DOCS[FindingCode.CORRECTION_FLUID][0],
                    message=f"{name}: a correction-fluid patch under the figure",
                    evidence=Evidence(
                        bbox=page.to_original(box),
                        values={"field": name, "edge_score": round(score, 3)},
                    ),
                )
            )
    return tuple(findings)
