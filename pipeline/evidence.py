"""Evidence crops: a PNG of the original scan around each finding's box."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.atomic import write_png_atomic
from pipeline.model import BBox, Finding
from pipeline.pages import Page

CROP_MARGIN = 40  # pixels of context around the evidence box


def crop_with_margin(page: Page, box: BBox, margin: int = CROP_MARGIN) -> BBox:
    return BBox(
        x0=max(0, box.x0 - margin),
        y0=max(0, box.y0 - margin),
        x1=min(page.width, box.x1 + margin),
        y1=min(page.height, box.y1 + margin),
    )


def write_evidence_crops(
    page: Page, findings: Sequence[Finding], evidence_dir: Path
) -> tuple[Finding, ...]:
    """Write a crop for every finding that has a box and no crop yet; return updated findings."""
    out: list[Finding] = []
    for number, finding in enumerate(findings):
        box = finding.evidence.bbox
        if box is None or finding.evidence.crop is not None or box.area == 0:
            out.append(finding)
            continue
        area = crop_with_margin(page, box)
        name = f"{page.sha256[:12]}-p{page.index}-{number:02d}-{finding.code.value.lower()}.png"
        path = evidence_dir / name
        write_png_atomic(path, page.image[area.y0 : area.y1, area.x0 : area.x1])
        evidence = finding.evidence.model_copy(update={"crop": str(path), "page": page.index})
        out.append(finding.model_copy(update={"evidence": evidence}))
    return tuple(out)
