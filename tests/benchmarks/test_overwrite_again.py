"""benchmarks.overwrite_again: only the pages whose overwrite finding the truth disagrees
with are read again."""

from __future__ import annotations

from benchmarks.overwrite_again import wrong_pages
from pipeline.codes import FindingCode
from pipeline.evaluate import result_from_truth
from tests.test_evaluate import page

OVERWRITTEN = (FindingCode.FIGURE_OVERWRITTEN,)


def test_the_pages_a_run_got_wrong() -> None:
    truth = [
        page("found.png", votes=(1, 2), anomalies=OVERWRITTEN),
        page("missed.png", votes=(3, 4), anomalies=OVERWRITTEN),
        page("accused.png", votes=(5, 6)),
        page("clean.png", votes=(7, 8), anomalies=(FindingCode.STAMP_MISSING,)),
    ]
    results = [result_from_truth(t, folder=None) for t in truth]
    accused = result_from_truth(page("accused.png", votes=(5, 6), anomalies=OVERWRITTEN))
    missed = results[1].model_copy(update={"findings": ()})
    results = [results[0], missed, accused, results[3]]
    assert wrong_pages(results, truth) == {("missed.png", 0), ("accused.png", 0)}


def test_only_the_overwrites_and_the_intakes_duplicates_are_scored() -> None:
    from benchmarks.overwrite_again import _only_overwrites

    codes = (FindingCode.FIGURE_OVERWRITTEN, FindingCode.DUPLICATE_FORM, FindingCode.STAMP_MISSING)
    result = result_from_truth(page("a.png", votes=(1,), anomalies=codes))
    (kept,) = _only_overwrites([result])
    assert [f.code for f in kept.findings] == list(codes[:2])
