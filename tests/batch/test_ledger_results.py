"""The ledger's recovery, read line by line, and the lean results of the passes over all
forms: what they keep, what they drop, and that reconciliation finds the same on them."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.batch.ledger import Ledger
from pipeline.batch.results import LeanResults, lean
from pipeline.cli import main
from pipeline.emit import dumps_line
from pipeline.errors import ExitCode
from pipeline.evaluate import result_from_truth
from pipeline.model import BBox, FieldReading, FormResult, Source
from pipeline.reconcile import Reconciliation, reconcile
from pipeline.truth import FileTruth

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
_BOX = BBox(x0=1, y0=1, x1=9, y1=9)


def _sample_results() -> list[FormResult]:
    """The samples' truth as results, each file its own hash, its pages adjacent."""
    results = []
    for n, truth_path in enumerate(sorted(SAMPLES.glob("*.truth.json"))):
        truth = FileTruth.model_validate_json(truth_path.read_bytes())
        for page in truth.pages:
            source = Source(
                path=truth_path.name.replace(".truth.json", ""),
                sha256=f"{n:064x}",
                page=page.page,
                page_count=len(truth.pages),
                width=page.width,
                height=page.height,
            )
            results.append(result_from_truth(page).model_copy(update={"source": source}))
    return results


def _ledger(folder: Path, results: list[FormResult]) -> Path:
    """The results as a batch writes them, one line each."""
    path = folder / "forms.jsonl"
    path.write_text("".join(dumps_line(r) + "\n" for r in results), encoding="utf-8")
    return path


def _page_lines(sha: str, pages: int, path: str) -> list[bytes]:
    return [
        json.dumps(
            {"source": {"sha256": sha, "page": p, "page_count": pages, "path": path}}
        ).encode()
        + b"\n"
        for p in range(pages)
    ]


def test_recovery_drops_damaged_incomplete_and_torn_lines_only(tmp_path: Path) -> None:
    whole = _page_lines("a" * 64, 2, "a.pdf") + _page_lines("b" * 64, 1, "b.png")
    incomplete = _page_lines("c" * 64, 3, "c.tif")[:2]  # killed before its third page
    path = tmp_path / "forms.jsonl"
    path.write_bytes(
        whole[0]
        + b"{not json\n"
        + incomplete[0]
        + whole[1]
        + incomplete[1]
        + whole[2]
        + b'{"source": {"sha256": "torn'
    )
    ledger = Ledger(path)
    assert ledger.done == {"a" * 64: "a.pdf", "b" * 64: "b.png"}
    assert path.read_bytes() == b"".join(whole)


def test_a_sound_ledger_is_read_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "forms.jsonl"
    path.write_bytes(b"".join(_page_lines("a" * 64, 2, "a.pdf")) + b"\n")
    inode = path.stat().st_ino
    assert Ledger(path).done == {"a" * 64: "a.pdf"}
    assert path.stat().st_ino == inode  # not rewritten


def test_lean_results_keep_what_the_passes_use_and_find_the_full_result_again(
    tmp_path: Path,
) -> None:
    results = _sample_results()
    path = _ledger(tmp_path, results)
    kept = LeanResults(path)
    assert len(kept) == 0  # until read
    streamed = list(kept.reading())
    assert streamed == results
    assert len(kept) == len(results)
    assert kept[1:3] == [kept[1], kept[2]] and kept[-1] == lean(results[-1])
    for i, (full, slim) in enumerate(zip(results, kept, strict=True)):
        assert slim == lean(full)
        assert kept.full(i) == full
        assert slim.source == full.source and slim.form == full.form
        assert slim.findings == full.findings and slim.needs_review == full.needs_review
        assert not slim.tables and not slim.stamps and not slim.signatures and not slim.checks
        for name, reading in full.header.items():
            mine = slim.header[name]
            assert mine is not None and reading is not None
            assert mine.value == reading.value and mine.bbox is None
        votes = [row.votes.value if row.votes else None for row in full.candidates]
        assert [row.votes.value if row.votes else None for row in slim.candidates] == votes
    assert any(r.header for r in results) and any(r.candidates for r in results)


def test_reconciliation_of_lean_results_is_that_of_the_full_ones(tmp_path: Path) -> None:
    results = _sample_results()
    full = reconcile(results)
    assert full.findings  # the samples hold Form 47 mismatches and diverging copies
    assert reconcile([lean(r) for r in results]) == full
    # a withheld constituency code keeps its raw text lean: reconcile places the form by
    # its number where the name is two seats' (seed 9004's NA-130 Form 47, "NAC130")
    withheld = FieldReading(value=None, confidence=0.2, text="NAC130", bbox=_BOX)
    slim = lean(results[0].model_copy(update={"header": {"constituency": withheld}}))
    kept = slim.header["constituency"]
    assert kept is not None and (kept.value, kept.text, kept.bbox) == (None, "NAC130", None)
    path = _ledger(tmp_path, results)
    assert reconcile(LeanResults.read(path)) == full


def test_the_reconcile_command_reads_a_batch_ledger_lean_and_refuses_a_damaged_one(
    tmp_path: Path,
) -> None:
    results = _sample_results()
    path = _ledger(tmp_path, results)
    out = tmp_path / "reconcile.json"
    assert main(["reconcile", str(path), "-o", str(out)]) == ExitCode.OK
    assert Reconciliation.model_validate_json(out.read_text()) == reconcile(results)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text(dumps_line(results[0]) + '\n{"source": 1}\n', encoding="utf-8")
    assert main(["reconcile", str(damaged)]) == ExitCode.INPUT_CORRUPT
