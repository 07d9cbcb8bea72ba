"""benchmarks.rejudge --all: a stored run's batch-level findings made again by the code as
it is now, the intake's DUPLICATE_FORM kept, a stale stamp-text finding judged again."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.rejudge import page_results, with_batch_findings_again
from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.model import Evidence, FieldReading, Finding
from tests.marks.test_crossform import _form, _pressed, _recaptured


def _finding(code: FindingCode, message: str) -> Finding:
    return Finding(code=code, severity=FINDING_DOCS[code][0], message=message, evidence=Evidence())


def test_a_stored_run_judged_again(tmp_path: Path) -> None:
    original = _pressed(3)
    na57 = {"header": {"constituency": FieldReading(value="NA-57", confidence=0.99)}}
    stale = _finding(FindingCode.STAMP_TEXT_MISMATCH, "judged by older rules")
    first = _form("a.png", _recaptured(original, 1)).model_copy(
        update={**na57, "findings": (stale,)}
    )
    second = _form("b.png", _recaptured(original, 2)).model_copy(update=na57)
    (tmp_path / "forms.jsonl").write_text(
        "".join(r.model_dump_json() + "\n" for r in (first, second)), encoding="utf-8"
    )
    duplicate = _finding(FindingCode.DUPLICATE_FORM, "also submitted as c.png")
    stored = [{"form": "b.png", "page": 0, "findings": [duplicate.model_dump(mode="json")]}]
    (tmp_path / "crossform.json").write_text(json.dumps(stored), encoding="utf-8")
    results = page_results(tmp_path)
    assert [r.findings for r in results] == [(stale,), ()]  # as the per-form pass wrote them
    again = with_batch_findings_again(results, tmp_path)
    codes = [sorted(f.code.value for f in r.findings) for r in again]
    assert codes == [["STAMP_DUPLICATE"], ["DUPLICATE_FORM", "STAMP_DUPLICATE"]]
