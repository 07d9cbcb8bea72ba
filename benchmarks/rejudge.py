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
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from pipeline.crossform import crossform_findings
from pipeline.evaluate import load_results
from pipeline.model import FormResult
from pipeline.stages.marks import stamp_text_findings
from pipeline.stages.stamp_text import header_text
from pipeline.truth import FileTruth

CODES = ("STAMP_TEXT_MISMATCH", "STAMP_DUPLICATE", "SIGNATURE_DUPLICATE")
Page = tuple[str, int]  # (path as the run read it, page)


def stamp_text_pages(results: Sequence[FormResult]) -> set[Page]:
    """Pages with STAMP_TEXT_MISMATCH, each stamp judged against its form's first page's
    header (a file's pages are one form, as the synthetic corpus writes them)."""
    first: dict[str, FormResult] = {}
    for result in results:
        if result.source.page == 0:
            first[result.source.path] = result
    found = set()
    for result in results:
        header = first.get(result.source.path, result).header
        if stamp_text_findings(result.stamps, header_text(header)):
            found.add((result.source.path, result.source.page))
    return found


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    results = load_results(args.run / "forms.jsonl")  # the findings stored are not used
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
