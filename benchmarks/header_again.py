"""The stored runs' header readings read again with the code as it is.

    .venv/bin/python -m benchmarks.header_again benchmarks/out/pipeline-seed90{35..58}

The header's constituency code and figures (the station's number, registered voters)
decide which station and constituency a form is filed under: reconciliation, the stamp's
text, the copies of one station's form all go by them. `benchmarks.seeds` judges the
stored runs with the headers each run read. This reads again, with the code as it is
(the whole per-page pipeline, `inspect.process_file`: a header's figures are vouched for
by the form's own sums there), the files holding a page whose stored reading of those
fields the truth disagrees with (wrong, or withheld as unsure), and a sample of the pages
read right (`--sample`, drawn from `--seed`: the side where a new rule could turn a right
reading wrong); each such page takes its new header, and this prints:

- per field, how the pages read again went (right / wrong / withheld, before and after);
- the codes that depend on the header judged again as `benchmarks.rejudge --all` does
  (stamp text, cross-form, reconciliation), pooled, with the headers as stored and as
  read again. The pages' other findings stay as stored.

Pages not read again keep their stored header: an upper bound where the sample found no
page turned wrong, and a measure of the read stage's header on the pages it covers.

    .venv/bin/python -m benchmarks.header_again --time CORPUS

times instead what reading the header from its boxes alone adds to the read stage
(`read._code_reading`, `read._typed_alone`) over every 15th file of CORPUS (40 at most).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from benchmarks.overwrite_cells import located_pages
from benchmarks.pipeline_run import IMAGE_SUFFIXES
from benchmarks.rejudge import page_results, with_batch_findings_again
from pipeline.evaluate import CodeScore, evaluate, load_truth, normalise_value, pooled
from pipeline.inspect import process_file
from pipeline.model import FieldReading, FormResult
from pipeline.options import Options
from pipeline.stages import read
from pipeline.truth import PageTruth

FIELDS = (
    "constituency",
    "polling_station_number",
    "registered_voters",
    "registered_voters_male",
    "registered_voters_female",
    "number_of_polling_stations",
)
CODES = (
    "STAMP_TEXT_MISMATCH",
    "FORM47_MISMATCH",
    "COPY_DIVERGENCE",
    "STAMP_DUPLICATE",
    "SIGNATURE_DUPLICATE",
    "DUPLICATE_FORM",
)
Page = tuple[str, int]  # (file name, page)
T = TypeVar("T")


def outcome(truth: PageTruth, reading: FieldReading | None, key: str) -> str:
    """ "right", "withheld" (no value) or "wrong": a header field against the truth."""
    if reading is None or reading.value is None:
        return "withheld"
    same = normalise_value(truth.header[key].value) == normalise_value(reading.value)
    return "right" if same else "wrong"


def pages_to_read(
    results: Sequence[FormResult], truth: Sequence[PageTruth], sample: float, rng: random.Random
) -> set[Page]:
    """The pages with a header field of FIELDS not read right, and `sample` of the rest."""
    by_page = {(Path(r.source.path).name, r.source.page): r for r in results}
    chosen: set[Page] = set()
    for t in truth:
        key = (t.file, t.page)
        result = by_page.get(key)
        fields = [f for f in FIELDS if f in t.header]
        if result is None or not fields:
            continue
        if (
            any(outcome(t, result.header.get(f), f) != "right" for f in fields)
            or rng.random() < sample
        ):
            chosen.add(key)
    return chosen


def headers_again(path: Path) -> dict[int, dict[str, FieldReading]]:
    """A file's pages' headers as the pipeline reads them now (`inspect.process_file`:
    read, then vouched for by the form's own sums, a stamp placing an unread
    constituency), by page."""
    return {r.source.page: r.header for r in process_file(path, Options())}


def _show(
    run: str,
    key: Page,
    field: str,
    truth: PageTruth,
    stored: FieldReading | None,
    again: FieldReading | None,
) -> None:
    """A field still not read right, on stderr: the truth, the stored and new readings."""

    def said(reading: FieldReading | None) -> str:
        return "-" if reading is None else f"{reading.value} ({reading.text!r})"

    print(
        f"{run} {key[0]} p{key[1]} {field}: truth {truth.header[field].value}, "
        f"stored {said(stored)}, read again {said(again)}",
        file=sys.stderr,
    )


def _line(code: str, score: CodeScore) -> str:
    tp, fp, fn = score.true_positives, score.false_positives, score.false_negatives
    return (
        f"| {code} | {tp} / {fp} / {fn} | {tp / max(tp + fp, 1):.2%} | {tp / max(tp + fn, 1):.2%} |"
    )


def _timed(call: Callable[..., T], spent: list[float]) -> Callable[..., T]:
    def timed(*args: object) -> T:
        start = time.perf_counter()
        try:
            return call(*args)
        finally:
            spent.append((time.perf_counter() - start) * 1000)

    return timed


def time_header_reads(corpus: Path) -> str:
    """What the header's reads from its boxes alone cost, over every 15th file."""
    files = sorted(p for p in corpus.iterdir() if p.suffix in IMAGE_SUFFIXES)[::15][:40]
    code: list[float] = []
    figures: list[float] = []
    pages = 0
    own = read._code_reading, read._typed_alone
    read._code_reading, read._typed_alone = _timed(own[0], code), _timed(own[1], figures)
    try:
        for path in files:
            for normalised, located, follows in located_pages(path):
                pages += 1
                read.read_form(normalised, located, follows)
    finally:
        read._code_reading, read._typed_alone = own
    return (
        f"{pages} pages of {len(files)} files: the code's box {len(code)} times, median "
        f"{statistics.median(code):.1f} ms; header figures weighed {len(figures)} times, "
        f"{sum(figures):.0f} ms in all; {(sum(code) + sum(figures)) / max(pages, 1):.1f} ms a page"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="pipeline_run output folders")
    parser.add_argument("--sample", type=float, default=0.02, help="share of right pages read")
    parser.add_argument("--seed", type=int, default=0, help="the sample's random seed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time", action="store_true", help="time the reads in FOLDERS[0]")
    args = parser.parse_args()
    if args.time:
        print(time_header_reads(args.folders[0]))
        return
    rng = random.Random(args.seed)
    fields: Counter[tuple[str, str, str]] = Counter()  # (field, before, after)
    scores: dict[str, dict[str, list[CodeScore]]] = {"as stored": {}, "read again": {}}
    clean: Counter[str] = Counter()
    with ProcessPoolExecutor(args.workers) as pool:
        for folder in args.folders:
            run, corpus = folder / "run", folder / "corpus"
            if not (run / "forms.jsonl").is_file():
                parser.error(f"{folder}: no run/forms.jsonl (not a pipeline_run output folder)")
            results, truth = page_results(run), load_truth(corpus)
            by_truth = {(t.file, t.page): t for t in truth}
            chosen = pages_to_read(results, truth, args.sample, rng)
            files = sorted({f for f, _ in chosen})
            read = dict(
                zip(files, pool.map(headers_again, [corpus / f for f in files]), strict=True)
            )
            headers = {(f, p): read[f][p] for f, p in chosen if p in read[f]}
            again = []
            for r in results:
                key = (Path(r.source.path).name, r.source.page)
                if key in headers:
                    t = by_truth[key]
                    for f in (f for f in FIELDS if f in t.header):
                        before = outcome(t, r.header.get(f), f)
                        after = outcome(t, headers[key].get(f), f)
                        fields[f, before, after] += 1
                        if after == "wrong" or before == after == "withheld":
                            _show(folder.name, key, f, t, r.header.get(f), headers[key].get(f))
                    r = r.model_copy(update={"header": headers[key]})
                again.append(r)
            print(f"{folder.name}: {len(headers)} pages read again", file=sys.stderr, flush=True)
            for label, pages in (("as stored", results), ("read again", again)):
                metrics = evaluate(with_batch_findings_again(pages, run), truth)
                for code in CODES:
                    if code in metrics.anomalies:
                        scores[label].setdefault(code, []).append(metrics.anomalies[code])
                clean[label] += metrics.clean_pages_with_false_findings
                clean["pages"] += metrics.clean_pages if label == "as stored" else 0
    print(f"{len(args.folders)} seeds; header fields of the pages read again (before -> after):")
    print("| field | before | right | wrong | withheld |\n|---|---|---|---|---|")
    for f in FIELDS:
        for before in ("wrong", "withheld", "right"):
            row = [fields[f, before, after] for after in ("right", "wrong", "withheld")]
            if sum(row):
                print(f"| {f} | {before} | {' | '.join(map(str, row))} |")
    for label in scores:
        print(f"\n{label}: clean pages with a false finding {clean[label]} / {clean['pages']}")
        print("| code | TP / FP / FN | precision | recall |\n|---|---|---|---|")
        for code in CODES:
            if code in scores[label]:
                print(_line(code, pooled(scores[label][code])))


if __name__ == "__main__":
    main()
