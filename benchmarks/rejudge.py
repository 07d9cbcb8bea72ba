"""Re-judge a stored run's stamp findings without reading a page again.

    .venv/bin/python -m benchmarks.rejudge RUN CORPUS

RUN is a batch's output folder (its forms.jsonl), CORPUS the synthetic forms' folder with
their `.truth.json` (or a folder of such folders: pages are matched by their path below
it, since two corpora repeat file names). Some findings depend only on what the run
stored: a stamp naming another station (STAMP_TEXT_MISMATCH: the stamps' ring and centre
text against the form's header) and the pastes across forms (STAMP_DUPLICATE,
SIGNATURE_DUPLICATE: the marks' descriptors). This judges them again with the code as it
is now and prints TP / FP / FN per page against the truth, with the pages that differ, so
a change to those rules is measured on a large run in seconds, no page read again.

With `--colour-only`, each coloured stamp's second reading (from its ink's darkness,
`Stamp.darkness_reading`) is set aside first: the stamps judged as the colour alone reads
them, to measure what the second reading adds.

With `--all`, every code is scored (`evaluate`'s table, clean pages with a false finding
among it) with the stamp-text, cross-form and reconciliation findings made again by the
code as it is now, the other per-page findings as the run stored them.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from pipeline.codes import FindingCode
from pipeline.crossform import crossform_findings
from pipeline.evaluate import (
    evaluate,
    format_metrics,
    load_results,
    load_truth,
    stored_batch_findings,
)
from pipeline.model import Finding, FormResult
from pipeline.reconcile import reconcile
from pipeline.stages.marks import stamp_text_findings
from pipeline.stages.stamp_text import header_text
from pipeline.truth import FileTruth

CODES = ("STAMP_TEXT_MISMATCH", "STAMP_DUPLICATE", "SIGNATURE_DUPLICATE")
Page = tuple[str, int]  # (path as the run read it, page)


def stamp_text_again(results: Sequence[FormResult]) -> list[tuple[Finding, ...]]:
    """Each page's STAMP_TEXT_MISMATCH findings, its stamps judged against its form's first
    page's header (a file's pages are one form, as the synthetic corpus writes them)."""
    first = {r.source.path: r for r in results if r.source.page == 0}
    return [
        stamp_text_findings(r.stamps, _as_inspect_read(first.get(r.source.path, r)))
        for r in results
    ]


def stamp_text_pages(results: Sequence[FormResult]) -> set[Page]:
    """Pages with STAMP_TEXT_MISMATCH judged again (`stamp_text_again`)."""
    return {
        (r.source.path, r.source.page)
        for r, found in zip(results, stamp_text_again(results), strict=True)
        if found
    }


def _as_inspect_read(first_page: FormResult) -> dict[str, str]:
    """The header a form's stamps were judged against in `inspect`: its first page's, but
    for a constituency derived from the stamps afterwards (`source` "derived")."""
    read = {k: v for k, v in first_page.header.items() if v.source != "derived"}
    return header_text(read)


def crossform_pages(results: Sequence[FormResult]) -> dict[str, set[Page]]:
    by_code: dict[str, set[Page]] = defaultdict(set)
    for index, findings in crossform_findings(results).items():
        source = results[index].source
        for finding in findings:
            by_code[finding.code.value].add((source.path, source.page))
    return by_code


def _truth_pages(corpus: Path) -> dict[str, set[Page]]:
    """Pages (path below the corpus, page) with each anomaly code in the truth."""
    by_code: dict[str, set[Page]] = defaultdict(set)
    for truth_file in sorted(corpus.rglob("*.truth.json")):
        folder = truth_file.parent.relative_to(corpus)
        for page in FileTruth.model_validate_json(truth_file.read_bytes()).pages:
            for anomaly in page.anomalies:
                by_code[anomaly.code.value].add((str(folder / page.file), page.page))
    return by_code


def _below(corpus: Path, path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(corpus.resolve()))
    except ValueError:  # read from elsewhere: its name
        return Path(path).name


def page_results(run: Path) -> list[FormResult]:
    """A batch's page results as its per-form pass wrote them (no batch-level finding)."""
    lines = (run / "forms.jsonl").read_text(encoding="utf-8").splitlines()
    return [FormResult.model_validate_json(line) for line in lines if line.strip()]


def with_batch_findings_again(results: Sequence[FormResult], run: Path) -> list[FormResult]:
    """The results with their stamp-text, cross-form and reconciliation findings made
    again by the code as it is now, as `inspect` and `batch` add them; the run's
    DUPLICATE_FORM findings (the batch's intake finds those, processing one copy) kept."""
    stamp_text = stamp_text_again(results)
    cross = crossform_findings(results)
    extra: dict[Page, list[Finding]] = defaultdict(list)
    for page, stored in stored_batch_findings(run).items():
        extra[page] += [f for f in stored if f.code is FindingCode.DUPLICATE_FORM]
    for item in reconcile(results).findings:
        for form in item.forms:
            path, _, page = str(form).rpartition("#")
            extra[(path, int(page or 0))].append(item.finding)
    again = []
    for i, result in enumerate(results):
        kept = [f for f in result.findings if f.code is not FindingCode.STAMP_TEXT_MISMATCH]
        kept += stamp_text[i]
        kept += cross.get(i, ())
        kept += extra.get((result.source.path, result.source.page), ())
        again.append(result.model_copy(update={"findings": tuple(kept)}))
    return again


def colour_only(results: Sequence[FormResult]) -> list[FormResult]:
    """The results with every stamp's darkness reading set aside."""
    return [
        r.model_copy(
            update={
                "stamps": tuple(s.model_copy(update={"darkness_reading": None}) for s in r.stamps)
            }
        )
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument(
        "--all",
        action="store_true",
        help="score every code (evaluate's table) with the stamp-text, cross-form and "
        "reconciliation findings made again",
    )
    parser.add_argument(
        "--colour-only",
        action="store_true",
        help="set each coloured stamp's reading from its ink's darkness aside first",
    )
    args = parser.parse_args()
    if args.all:
        pages = page_results(args.run)
        pages = colour_only(pages) if args.colour_only else pages
        again = with_batch_findings_again(pages, args.run)
        print(format_metrics(evaluate(again, load_truth(args.corpus))))
        return
    results = load_results(args.run / "forms.jsonl")  # the findings stored are not used
    results = colour_only(results) if args.colour_only else results
    found = crossform_pages(results)
    found["STAMP_TEXT_MISMATCH"] |= stamp_text_pages(results)  # and those read on a copy
    print(f"{len(results)} pages of {args.run}")
    print("| code | TP | FP | FN | precision | recall |\n|---|---|---|---|---|---|")
    truth = _truth_pages(args.corpus)
    differing = []
    for code in CODES:
        got = {(_below(args.corpus, path), page) for path, page in found.get(code, set())}
        want = truth[code]
        tp, fp, fn = len(got & want), len(got - want), len(want - got)
        precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
        print(f"| {code} | {tp} | {fp} | {fn} | {precision:.1%} | {recall:.1%} |")
        differing += [f"{code} FP {n}#{p}" for n, p in sorted(got - want)]
        differing += [f"{code} FN {n}#{p}" for n, p in sorted(want - got)]
    print("\n".join(differing))


if __name__ == "__main__":
    main()
