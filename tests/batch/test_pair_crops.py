"""Cross-form copies carry a PNG of both marks: this form's, then the other's."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pipeline.batch.run import _with_pair_crops
from pipeline.codes import FindingCode, Severity
from pipeline.model import BBox, Evidence, Finding, FormIdentity, FormResult, Source


def _scan(path: Path, seed: int) -> FormResult:
    rng = np.random.default_rng(seed)
    image = np.clip(rng.normal(235, 4, (400, 300, 3)), 0, 255).astype(np.uint8)
    cv2.circle(image, (150, 200), 60, (190, 60, 40), 5)
    cv2.imwrite(str(path), image)
    return FormResult(
        source=Source(path=str(path), sha256=f"{seed:064x}", width=300, height=400),
        form=FormIdentity(type="form45"),
    )


def test_a_stamp_copy_gets_a_crop_of_both_impressions(tmp_path: Path) -> None:
    results = [_scan(tmp_path / "a.png", 1), _scan(tmp_path / "b.png", 2)]
    mine, theirs = BBox(x0=80, y0=130, x1=220, y1=270), BBox(x0=90, y0=140, x1=210, y1=260)
    finding = Finding(
        code=FindingCode.STAMP_DUPLICATE,
        severity=Severity.ERROR,
        message="the same stamp image",
        evidence=Evidence(bbox=mine, boxes=(mine, theirs), related=(f"{tmp_path / 'b.png'}#0",)),
    )
    cross = _with_pair_crops(results, {0: (finding,)}, tmp_path / "evidence")
    crop = cross[0][0].evidence.crop
    assert crop is not None and Path(crop).exists()
    picture = cv2.imread(crop)
    # two crops of 140 and 120 rows plus 40 px of context each, and the gap between them
    assert picture.shape[0] == (140 + 80) + 8 + (120 + 80)


def test_a_copy_whose_other_form_is_unknown_keeps_no_crop(tmp_path: Path) -> None:
    results = [_scan(tmp_path / "a.png", 1)]
    box = BBox(x0=80, y0=130, x1=220, y1=270)
    finding = Finding(
        code=FindingCode.SIGNATURE_DUPLICATE,
        severity=Severity.ERROR,
        message="the same signature image",
        evidence=Evidence(bbox=box, boxes=(box, box), related=("elsewhere.png#0",)),
    )
    cross = _with_pair_crops(results, {0: (finding,)}, tmp_path / "evidence")
    assert cross[0][0].evidence.crop is None
