"""benchmarks.seeds: many seeds' scores pooled, the seeds at the target counted, the worst
named."""

from __future__ import annotations

from benchmarks.seeds import SeedScore, table
from pipeline.evaluate import CodeScore


def _score(tp: int, fp: int, fn: int) -> CodeScore:
    return CodeScore(
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        precision=tp / (tp + fp) if tp + fp else None,
        recall=tp / (tp + fn) if tp + fn else None,
    )


def _row(text: str, code: str) -> list[str]:
    line = next(x for x in text.splitlines() if x.startswith(f"| {code} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_seeds_pooled_with_the_worst_named() -> None:
    seeds = [
        SeedScore("9001", {"STAMP_MISSING": _score(30, 0, 0)}, 600, 4, 1),
        SeedScore("9002", {"STAMP_MISSING": _score(19, 1, 2)}, 400, 8, 0),
    ]
    text = table(seeds)
    row = _row(text, "STAMP_MISSING")
    assert row[1:6] == ["49", "1", "2", "98.00%", "96.08%"]
    assert row[6] == "1 / 2"  # 9002 is under 97% on both
    assert row[7] == "9002: 95.00% / 90.48% (19 / 1 / 2)"
    # a code no seed's truth holds nor any run found: nothing to score, nothing missed
    assert _row(text, "STAMP_MISPLACED")[1:8] == ["0", "0", "0", "n/a", "n/a", "2 / 2", "-"]
    assert "these codes: 1 / 1000 (0.10%); worst seed 0.17%; seeds <= 1%: 2 / 2" in text
    assert "any finding: 12 / 1000 (1.20%); worst seed 2.00%; seeds <= 1%: 1 / 2" in text
