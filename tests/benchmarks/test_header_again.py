"""benchmarks.header_again: the pages whose header the truth disagrees with are read
again, and a sample of the rest."""

from __future__ import annotations

import random

from benchmarks.header_again import outcome, pages_to_read
from pipeline.evaluate import result_from_truth
from pipeline.model import FormResult
from tests.test_evaluate import page


def _with(result: FormResult, key: str, value: str | None) -> FormResult:
    header = dict(result.header)
    header[key] = header[key].model_copy(update={"value": value})
    return result.model_copy(update={"header": header})


def test_a_header_read_wrong_or_withheld_is_read_again_and_a_sample_of_the_rest() -> None:
    truth = [page(f"{n}.png", votes=(1, 2)) for n in ("right", "wrong", "withheld")]
    results = [result_from_truth(t, folder=None) for t in truth]
    key = "constituency"
    results[1] = _with(results[1], key, "NA-999")
    results[2] = _with(results[2], key, None)
    assert [outcome(t, r.header[key], key) for t, r in zip(truth, results, strict=True)] == [
        "right",
        "wrong",
        "withheld",
    ]
    assert pages_to_read(results, truth, 0.0, random.Random(0)) == {
        ("wrong.png", 0),
        ("withheld.png", 0),
    }
    assert len(pages_to_read(results, truth, 1.0, random.Random(0))) == 3
