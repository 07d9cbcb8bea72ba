"""`evaluate`: a perfect result scores perfectly; damaged ones are scored correctly."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.evaluate import evaluate, load_results, load_truth, result_from_truth
from pipeline.model import BBox, Evidence, FieldReading, Finding, FormResult
from pipeline.truth import Capture, FileTruth, PageTruth, TruthAnomaly, TruthCandidate, TruthValue


def tv(value: int | str, x: int = 10) -> TruthValue:
    return TruthValue(value=value, bbox=BBox(x0=x, y0=10, x1=x + 50, y1=40), handwritten=True)


def page(
    name: str, *, votes: tuple[int, ...], anomalies: tuple[FindingCode, ...] = ()
) -> PageTruth:
    candidates = tuple(
        TruthCandidate(
            serial=tv(i + 1),
            name=tv(f"Candidate {i + 1}"),
            party=tv("IND"),
            votes=tv(v),
            total_valid_votes=tv(v),
        )
        for i, v in enumerate(votes)
    )
    return PageTruth(
        file=name,
        width=2480,
        height=3508,
        form_id=name,
        type="form45",
        template="pk-form45",
        constituency="NA-1",
        polling_station_number=1,
        capture=Capture(kind="flatbed"),
        header={"constituency": tv("NA-1"), "polling_station_number": tv(1)},
        candidates=candidates,
        totals={"total_valid_votes": tv(sum(votes)), "rejected_votes": tv(3)},
        anomalies=tuple(TruthAnomaly(code=c) for c in anomalies),
    )


TRUTH = [
    page("a.png", votes=(10, 20, 30)),
    page("b.png", votes=(5, 6), anomalies=(FindingCode.STAMP_MISSING,)),
    page("c.png", votes=(7, 8, 9)),
]


def damage(result: FormResult, serial: int, value: int, confidence: float) -> FormResult:
    rows = tuple(
        row.model_copy(update={"votes": FieldReading(value=value, confidence=confidence)})
        if row.serial.value == serial
        else row
        for row in result.candidates
    )
    return result.model_copy(update={"candidates": rows, "needs_review": False, "findings": ()})


def test_perfect_results_score_perfectly() -> None:
    metrics = evaluate([result_from_truth(p) for p in TRUTH], TRUTH)
    assert metrics.pages_scored == 3
    assert metrics.forms_fully_correct == 1.0
    assert metrics.vote_fields.rate == 1.0 and metrics.vote_fields.total == 16
    assert metrics.header_fields.rate == 1.0
    assert metrics.form_type_accuracy == 1.0
    assert metrics.silent_errors == 0
    assert metrics.anomalies["STAMP_MISSING"].precision == 1.0
    assert metrics.anomalies["STAMP_MISSING"].recall == 1.0
    assert metrics.false_finding_rate == 0.0


def test_damaged_results_are_scored_as_damaged() -> None:
    results = [result_from_truth(p) for p in TRUTH]
    results[0] = damage(results[0], serial=2, value=70, confidence=0.99)  # silent error
    results[2] = damage(results[2], serial=1, value=1, confidence=0.2)  # flagged error
    results[1] = results[1].model_copy(update={"findings": ()})  # missed anomaly
    results[2] = results[2].model_copy(update={"findings": result_from_truth(TRUTH[1]).findings})
    metrics = evaluate(results, TRUTH)
    assert metrics.vote_fields.exact == 14
    assert metrics.vote_fields_handwritten.exact == 14  # every figure here is handwritten
    assert metrics.vote_fields_printed.total == 0 and metrics.vote_fields_printed.rate is None
    assert metrics.forms_fully_correct == 1 / 3
    assert metrics.wrong_fields == 2 and metrics.wrong_fields_flagged == 1
    assert metrics.silent_errors == 1
    stamp = metrics.anomalies["STAMP_MISSING"]
    assert (stamp.true_positives, stamp.false_positives, stamp.false_negatives) == (0, 1, 1)
    assert metrics.clean_pages_with_false_findings == 1


def test_missing_pages_are_reported() -> None:
    metrics = evaluate([result_from_truth(TRUTH[0])], TRUTH)
    assert metrics.pages_scored == 1
    assert metrics.pages_missing == ["b.png#0", "c.png#0"]
    assert metrics.anomalies["STAMP_MISSING"].false_negatives == 1


def test_eval_command_reads_jsonl_and_truth_folder(tmp_path: Path) -> None:
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    for p in TRUTH:
        (truth_dir / f"{Path(p.file).stem}.truth.json").write_text(
            FileTruth(file=p.file, pages=(p,)).model_dump_json()
        )
    jsonl = tmp_path / "forms.jsonl"
    jsonl.write_text("".join(result_from_truth(p).model_dump_json() + "\n" for p in TRUTH))
    assert len(load_results(jsonl)) == 3 and len(load_truth(truth_dir)) == 3
    out = tmp_path / "metrics.json"
    run = CliRunner().invoke(app, ["eval", str(jsonl), str(truth_dir), "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "vote fields exact     100.00%" in run.output
    assert '"forms_fully_correct": 1.0' in out.read_text()


def test_figures_the_sums_hold_are_counted_with_the_wrong_ones() -> None:
    results = [result_from_truth(p) for p in TRUTH]
    rows = results[0].candidates
    sure = rows[0].votes.model_copy(update={"confirmed_by": ("candidate_sum",)})
    wrong = FieldReading(value=999, confidence=0.9, confirmed_by=("candidate_sum",))
    rows = (
        rows[0].model_copy(update={"votes": sure}),
        rows[1].model_copy(update={"votes": wrong}),
        *rows[2:],
    )
    results[0] = results[0].model_copy(update={"candidates": rows})
    metrics = evaluate(results, TRUTH)
    assert (metrics.confirmed_fields, metrics.confirmed_wrong) == (2, 1)


def _with_codes(result: FormResult, *codes: FindingCode) -> FormResult:
    findings = tuple(
        Finding(code=c, severity=FINDING_DOCS[c][0], message=c.value, evidence=Evidence())
        for c in codes
    )
    return result.model_copy(update={"findings": findings})


def test_form_level_truth_is_scored_per_file_and_pairs_and_figures_count() -> None:
    divergent = TruthAnomaly(code=FindingCode.COPY_DIVERGENCE, related=("copy",))
    swapped = TruthAnomaly(code=FindingCode.FIGURES_SWAPPED, related=("orig",))
    truth = [
        # a two-page original whose second page holds the diverging figure
        page("orig.pdf", votes=(10, 20)).model_copy(update={"form_id": "orig"}),
        page("orig.pdf", votes=(30,)).model_copy(
            update={"form_id": "orig", "page": 1, "anomalies": (divergent,)}
        ),
        # its agent copy, on which the generator wrote the swap
        page("copy.pdf", votes=(20, 10)).model_copy(
            update={"form_id": "copy", "anomalies": (divergent, swapped)}
        ),
        # a Form 47 whose true figures have 6 rejected votes over a margin of 5
        page("f47.png", votes=(100, 95)).model_copy(
            update={"type": "form47", "totals": {"rejected_votes": tv(6)}}
        ),
    ]
    results = [result_from_truth(p) for p in truth]
    pair = (FindingCode.COPY_DIVERGENCE, FindingCode.FIGURES_SWAPPED)
    results[0] = _with_codes(results[0], *pair)  # the batch names the form's first page
    results[1] = _with_codes(results[1])
    results[2] = _with_codes(results[2], *pair)
    results[3] = _with_codes(results[3], FindingCode.REJECTED_EXCEEDS_MARGIN)
    metrics = evaluate(results, truth)
    for code, tp in (
        ("COPY_DIVERGENCE", 2),
        ("FIGURES_SWAPPED", 2),
        ("REJECTED_EXCEEDS_MARGIN", 1),
    ):
        score = metrics.anomalies[code]
        assert (score.true_positives, score.false_positives, score.false_negatives) == (tp, 0, 0)
    # the original's first page has no anomaly of its own; what it carries is true of its file
    assert metrics.clean_pages == 2 and metrics.clean_pages_with_false_findings == 0
    # the same findings on a file whose truth has none are false
    results[3] = _with_codes(results[3], FindingCode.COPY_DIVERGENCE)
    assert evaluate(results, truth).clean_pages_with_false_findings == 1


def test_turnout_over_registered_in_the_true_figures_is_truth() -> None:
    inflated = page("f47.png", votes=(100, 95)).model_copy(
        update={
            "type": "form47",
            "header": {"constituency": tv("NA-1"), "registered_voters": tv(150)},
            "totals": {"total_votes_polled": tv(195)},
        }
    )
    found = _with_codes(result_from_truth(inflated), FindingCode.TURNOUT_OVER_100)
    metrics = evaluate([found], [inflated])
    score = metrics.anomalies["TURNOUT_OVER_100"]
    assert (score.true_positives, score.false_positives) == (1, 0)
    assert metrics.clean_pages == 0


def test_a_scan_submitted_twice_is_found_for_both_names() -> None:
    """The batch processes a file submitted again byte for byte once: the second name's
    page is the first's, scored with its findings (its own missing stamp too)."""
    twice = TruthAnomaly(code=FindingCode.DUPLICATE_FORM)
    unstamped = TruthAnomaly(code=FindingCode.STAMP_MISSING)
    truth = [
        page("orig.png", votes=(1, 2)).model_copy(update={"anomalies": (twice, unstamped)}),
        page("again.png", votes=(1, 2)).model_copy(update={"anomalies": (twice, unstamped)}),
    ]
    kept = result_from_truth(truth[0]).model_copy(
        update={
            "findings": (
                Finding(
                    code=FindingCode.DUPLICATE_FORM,
                    severity=FINDING_DOCS[FindingCode.DUPLICATE_FORM][0],
                    message="the same file was also submitted as again.png (processed once)",
                    evidence=Evidence(related=("/archive/again.png",)),
                ),
                Finding(
                    code=FindingCode.STAMP_MISSING,
                    severity=FINDING_DOCS[FindingCode.STAMP_MISSING][0],
                    message="no stamp",
                    evidence=Evidence(),
                ),
            )
        }
    )
    metrics = evaluate([kept], truth)  # the second name is processed once: no result of its own
    for code in ("DUPLICATE_FORM", "STAMP_MISSING"):
        score = metrics.anomalies[code]
        assert (score.true_positives, score.false_positives, score.false_negatives) == (2, 0, 0)
    assert metrics.pages_missing == []
    assert metrics.pages_scored == 2


def test_a_stamp_duplicate_label_on_a_page_stamped_afresh_is_not_truth() -> None:
    from pipeline.evaluate import unfounded_stamp_duplicates
    from pipeline.model import StampShape
    from pipeline.truth import TruthStamp

    def stamped(name: str, impression: str, *codes: FindingCode) -> PageTruth:
        stamp = TruthStamp(
            bbox=BBox(x0=1, y0=1, x1=50, y1=50),
            color="blue",
            shape=StampShape.ROUND,
            physical_stamp_id="ro-1",
            impression_id=impression,
        )
        return page(name, votes=(1,), anomalies=codes).model_copy(
            update={"form_id": name, "stamps": (stamp,)}
        )

    pasted = FindingCode.STAMP_DUPLICATE
    truth = [
        stamped("a.png", "imp-a", pasted),
        stamped("b.png", "imp-a", pasted),  # the same impression pasted: true
        stamped("b_copy.png", "imp-b-copy", pasted),  # stamped afresh: not a paste
    ]
    assert unfounded_stamp_duplicates(truth) == {("b_copy.png", 0)}


def test_signature_boxes_are_scored_per_role_by_overlap() -> None:
    from pipeline.model import Signature, SignatureRole, SignatureStatus
    from pipeline.truth import TruthSignature

    def box(x: int) -> BBox:
        return BBox(x0=x, y0=3000, x1=x + 300, y1=3100)

    truth = page("a.png", votes=(5, 7)).model_copy(
        update={
            "signatures": (
                TruthSignature(
                    role=SignatureRole.PRESIDING_OFFICER,
                    status=SignatureStatus.PRESENT,
                    bbox=box(100),
                ),
                *(
                    TruthSignature(
                        role=SignatureRole.POLLING_AGENT, status=SignatureStatus.ABSENT, bbox=box(x)
                    )
                    for x in (500, 900)
                ),
            )
        }
    )
    found = (  # the officer's box and one agent's, a little off; the other agent's missed
        Signature(
            role=SignatureRole.PRESIDING_OFFICER,
            status=SignatureStatus.PRESENT,
            bbox=box(130),
            confidence=0.9,
        ),
        Signature(
            role=SignatureRole.POLLING_AGENT,
            status=SignatureStatus.ABSENT,
            bbox=box(520),
            confidence=0.9,
        ),
        # the right place under the wrong role does not count
        Signature(
            role=SignatureRole.PRESIDING_OFFICER,
            status=SignatureStatus.ABSENT,
            bbox=box(900),
            confidence=0.9,
        ),
    )
    result = result_from_truth(truth).model_copy(update={"signatures": found})
    scores = evaluate([result], [truth]).signature_boxes
    assert (scores["presiding_officer"].exact, scores["presiding_officer"].total) == (1, 1)
    assert (scores["polling_agent"].exact, scores["polling_agent"].total) == (1, 2)
