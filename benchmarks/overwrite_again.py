"""The stored runs' overwrite errors read again with the code as it is.

    .venv/bin/python -m benchmarks.overwrite_again benchmarks/out/pipeline-seed90{35..56}

FIGURE_OVERWRITTEN is found at the read stage, so `benchmarks.seeds` scores it as each
run stored it, with the code of that run's commit. Reading every page of twenty seeds
again takes hours; the pages a run got wrong (an overwrite missed, a clean figure
accused) are a few a seed. Those pages are read again here (load, normalise, locate and
read: a few seconds a page), their overwrite findings replaced, and the pooled tally
printed as the runs stored it (as `benchmarks.seeds` counts it: a resubmitted copy, which
the batch processes once, scored by its original's result) and as read again, with each
page read.

What this cannot see: a rule added since a run that accuses a clean figure on a page the
run got right. So the figure read again is an upper bound; a fresh unseen seed
(`benchmarks.pipeline_run`) or the cells of a whole corpus (`benchmarks.overwrite_cells`)
measure the false side.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.overwrite_cells import located_pages
from benchmarks.rejudge import page_results
from pipeline.codes import FindingCode
from pipeline.evaluate import CodeScore, evaluate, load_truth, pooled, with_batch_findings
from pipeline.model import Finding, FormResult
from pipeline.stages.read import read_form
from pipeline.truth import PageTruth

CODE = FindingCode.FIGURE_OVERWRITTEN
Page = tuple[str, int]  # (file name, page)


def _overwrites(result: FormResult) -> bool:
    return any(f.code is CODE for f in result.findings)


def wrong_pages(results: Sequence[FormResult], truth: Sequence[PageTruth]) -> set[Page]:
    """The pages processed whose overwrite finding the truth disagrees with."""
    overwritten = {(t.file, t.page) for t in truth if any(a.code is CODE for a in t.anomalies)}
    return {
        (Path(r.source.path).name, r.source.page)
        for r in results
        if _overwrites(r) != ((Path(r.source.path).name, r.source.page) in overwritten)
    }


def read_again(path: Path, page: int) -> tuple[Finding, ...]:
    """A page's FIGURE_OVERWRITTEN findings, read again by the code as it is (its form's
    earlier pages located first: a continuation page takes their template)."""
    pages = itertools.islice(located_pages(path), page, page + 1)
    normalised, located, follows = next(pages)
    readings = read_form(normalised, located, follows)
    return tuple(f for f in readings.findings if f.code is CODE)


def _only_overwrites(results: Sequence[FormResult]) -> list[FormResult]:
    """The results with no finding but their overwrites, and the intake's DUPLICATE_FORM
    (a resubmitted copy is scored by its original's result through it)."""
    keep = {CODE, FindingCode.DUPLICATE_FORM}
    return [
        r.model_copy(update={"findings": tuple(f for f in r.findings if f.code in keep)})
        for r in results
    ]


def _line(label: str, score: CodeScore) -> str:
    tp, fp, fn = score.true_positives, score.false_positives, score.false_negatives
    return (
        f"{label}: {tp} / {fp} / {fn} (TP / FP / FN), precision {tp / max(tp + fp, 1):.2%}, "
        f"recall {tp / max(tp + fn, 1):.2%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="pipeline_run output folders")
    args = parser.parse_args()
    before: list[CodeScore] = []
    after: list[CodeScore] = []
    for folder in args.folders:
        run, corpus = folder / "run", folder / "corpus"
        if not (run / "forms.jsonl").is_file():
            parser.error(f"{folder}: no run/forms.jsonl (not a pipeline_run output folder)")
        results, truth = with_batch_findings(page_results(run), run), load_truth(corpus)
        wrong = wrong_pages(results, truth)
        again = []
        for r in results:
            key = (Path(r.source.path).name, r.source.page)
            if key in wrong:
                found = read_again(corpus / key[0], key[1])
                kept = tuple(f for f in r.findings if f.code is not CODE)
                print(
                    f"{folder.name} {key[0]} p{key[1]}: stored {_overwrites(r)}, "
                    f"read again {bool(found)}",
                    file=sys.stderr,
                    flush=True,
                )
                r = r.model_copy(update={"findings": kept + found})
            again.append(r)
        for scores, pages in ((before, results), (after, again)):
            scored = evaluate(_only_overwrites(pages), truth).anomalies.get(CODE.value)
            if scored is not None:
                scores.append(scored)
    for label, scores in (("as stored", before), ("read again", after)):
        print(_line(f"{len(args.folders)} seeds, {label}", pooled(scores)))


if __name__ == "__main__":
    main()
