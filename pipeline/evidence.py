"""Evidence crops: a PNG of the original scan around each finding's box.

A finding that compares a few boxes (a signature and the box it was cloned from, polled
against registered) gets one PNG with a crop of each, stacked, so that a person sees
them together; one naming many boxes (every empty agent's box) gets its main box. A
region found by the JPEG's compression is shown over its heat map (`splice.heat_map`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from pipeline.atomic import write_png_atomic
from pipeline.model import BBox, Finding
from pipeline.pages import Page
from pipeline.stages.splice import SPLICE_METHOD, heat_map

CROP_MARGIN = 40  # pixels of context around the evidence box
MAX_STACKED = 4  # boxes of one finding shown together in its evidence PNG


def crop_with_margin(page: Page, box: BBox, margin: int = CROP_MARGIN) -> BBox:
    return BBox(
        x0=max(0, box.x0 - margin),
        y0=max(0, box.y0 - margin),
        x1=min(page.width, box.x1 + margin),
        y1=min(page.height, box.y1 + margin),
    )


def stack_crops(items: Sequence[tuple[Page, BBox]]) -> np.ndarray:
    """Crops around boxes of one or several scans, one under another on white."""
    crops = []
    for page, box in items:
        area = crop_with_margin(page, box)
        crops.append(page.image[area.y0 : area.y1, area.x0 : area.x1])
    width = max(c.shape[1] for c in crops)
    gap = np.full((8, width, 3), 255, np.uint8)
    rows: list[np.ndarray] = []
    for crop in crops:
        padded = np.full((crop.shape[0], width, 3), 255, np.uint8)
        padded[:, : crop.shape[1]] = crop
        rows += [padded, gap]
    return np.vstack(rows[:-1])


def write_evidence_crops(
    page: Page,
    findings: Sequence[Finding],
    evidence_dir: Path,
    form_pages: Mapping[int, Page] | None = None,
) -> tuple[Finding, ...]:
    """Write a crop for every finding that has a box and no crop yet; return updated findings.

    A form-level finding may name boxes on the form's other pages (`evidence.page`,
    `evidence.box_pages`): each is cut from its own page (`form_pages`, by page index)."""
    pages = {page.index: page, **(form_pages or {})}
    out: list[Finding] = []
    for number, finding in enumerate(findings):
        evidence = finding.evidence
        box = evidence.bbox
        if box is None or evidence.crop is not None or box.area == 0:
            out.append(finding)
            continue
        own = pages.get(evidence.page if evidence.page is not None else page.index, page)
        area = crop_with_margin(own, box)
        name = f"{page.sha256[:12]}-p{page.index}-{number:02d}-{finding.code.value.lower()}.png"
        path = evidence_dir / name
        on = evidence.box_pages or (own.index,) * len(evidence.boxes)
        boxes = [
            (pages.get(i, own), b) for b, i in zip(evidence.boxes, on, strict=False) if b.area > 0
        ]
        heat = heat_map(own) if evidence.values.get("method") == SPLICE_METHOD else None
        if heat is not None:
            write_png_atomic(path, stack_crops([(own, box), (replace(own, image=heat), box)]))
        elif 2 <= len(boxes) <= MAX_STACKED:
            write_png_atomic(path, stack_crops(boxes))
        else:
            write_png_atomic(path, own.image[area.y0 : area.y1, area.x0 : area.x1])
        evidence = evidence.model_copy(update={"crop": str(path), "page": own.index})
        out.append(finding.model_copy(update={"evidence": evidence}))
    return tuple(out)
