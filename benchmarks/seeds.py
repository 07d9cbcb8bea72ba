"""The stamp, signature and tamper codes pooled over the stored runs of many seeds.

    .venv/bin/python -m benchmarks.seeds benchmarks/out/pipeline-seed90{35..54}

Each folder is one `benchmarks.pipeline_run --seed N` output (its `run/forms.jsonl` and
`corpus/`), each seed generated and run before it was looked at. Every seed's stored run
is judged again as `benchmarks.rejudge --all` does (the per-page findings as the run
stored them, with the code of its commit; the stamp-text, cross-form and reconciliation
findings made again by the code as it is now), and scored against its truth. Prints, for
every code of the marks and tamper stages: the pooled TP / FP / FN with precision and
recall, how many seeds reach the target (0.97 each) and the worst seed; then the clean
pages with a false finding of those codes, and with any finding, pooled and worst. One
seed's figure moves by a page; the pool says what a user can expect of the next archive.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.rejudge import page_results, with_batch_findings_again
from pipeline.codes import FindingCode
from pipeline.evaluate import CodeScore, evaluate, load_truth
from pipeline.model import FormResult

CODES = (  # this area's codes (issue 5), in the README's order
    FindingCode.STAMP_MISSING,
    FindingCode.STAMP_MISPLACED,
    FindingCode.STAMP_TEXT_MISMATCH,
    FindingCode.SIGNATURE_MISSING,
    FindingCode.AGENT_SIGNATURES_MISSING,
    FindingCode.FIGURE_OVERWRITTEN,
    FindingCode.CORRECTION_FLUID,
    FindingCode.TAMPER_SUSPECTED,
    FindingCode.STAMP_DUPLICATE,
    FindingCode.SIGNATURE_DUPLICATE,
    FindingCode.DUPLICATE_FORM,
)
TARGET = 0.97  # precision and recall, each
CLEAN_TARGET = 0.01  # clean pages with a false finding


@dataclass(frozen=True)
class SeedScore:
    seed: str
    codes: dict[str, CodeScore]
    clean_pages: int
    clean_false_any: int  # any finding but a review flag
    clean_false_marks: int  # a finding of CODES


def _only(results: Sequence[FormResult], codes: Sequence[FindingCode]) -> list[FormResult]:
    keep = set(codes)
    return [
        r.model_copy(update={"findings": tuple(f for f in r.findings if f.code in keep)})
        for r in results
    ]


def score_seed(folder: Path) -> SeedScore:
    """One seed's stored run judged again and scored against its corpus's truth."""
    run, corpus = folder / "run", folder / "corpus"
    again = with_batch_findings_again(page_results(run), run)
    truth = load_truth(corpus)
    every, marks = evaluate(again, truth), evaluate(_only(again, CODES), truth)
    return SeedScore(
        seed=folder.name.removeprefix("pipeline-seed"),
        codes=every.anomalies,
        clean_pages=every.clean_pages,
        clean_false_any=every.clean_pages_with_false_findings,
        clean_false_marks=marks.clean_pages_with_false_findings,
    )


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2%}" if whole else "n/a"


def _meets(score: CodeScore | None) -> bool:
    if score is None:
        return True
    return all(v is None or v >= TARGET for v in (score.precision, score.recall))


def _worst(scores: Sequence[SeedScore], code: str) -> str:
    def key(s: SeedScore) -> float:
        c = s.codes.get(code)
        return min(v for v in (c.precision, c.recall, 1.0) if v is not None) if c else 1.0

    low = min(scores, key=key)
    c = low.codes.get(code)
    if c is None or key(low) >= 1.0:
        return "-"
    tally = f"{c.true_positives} / {c.false_positives} / {c.false_negatives}"
    return (
        f"{low.seed}: {_ratio(c.true_positives, c.true_positives + c.false_positives)}"
        f" / {_ratio(c.true_positives, c.true_positives + c.false_negatives)} ({tally})"
    )


def table(scores: Sequence[SeedScore]) -> str:
    """The pooled scores as a markdown table, and the clean pages' lines."""
    lines = [
        f"{len(scores)} seeds: {', '.join(s.seed for s in scores)}",
        "",
        "| code | TP | FP | FN | precision | recall | seeds >= 97% each | worst seed (P / R) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for code in CODES:
        found = [s.codes[code.value] for s in scores if code.value in s.codes]
        tp = sum(c.true_positives for c in found)
        fp = sum(c.false_positives for c in found)
        fn = sum(c.false_negatives for c in found)
        met = sum(_meets(s.codes.get(code.value)) for s in scores)
        lines.append(
            f"| {code.value} | {tp} | {fp} | {fn} | {_ratio(tp, tp + fp)} | "
            f"{_ratio(tp, tp + fn)} | {met} / {len(scores)} | {_worst(scores, code.value)} |"
        )
    clean = sum(s.clean_pages for s in scores)
    for label, counts in (
        ("these codes", [s.clean_false_marks for s in scores]),
        ("any finding", [s.clean_false_any for s in scores]),
    ):
        rates = [n / s.clean_pages for n, s in zip(counts, scores, strict=True) if s.clean_pages]
        within = sum(r <= CLEAN_TARGET for r in rates)
        lines.append(
            f"\nclean pages with a false finding, {label}: {sum(counts)} / {clean} "
            f"({_ratio(sum(counts), clean)}); worst seed {max(rates):.2%}; "
            f"seeds <= 1%: {within} / {len(rates)}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="pipeline_run output folders")
    args = parser.parse_args()
    scores = []
    for folder in args.folders:
        if not (folder / "run" / "forms.jsonl").is_file():
            parser.error(f"{folder}: no run/forms.jsonl (not a pipeline_run output folder)")
        scores.append(score_seed(folder))
    print(table(scores))


if __name__ == "__main__":
    main()
