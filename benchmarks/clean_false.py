"""False findings on clean pages of a stored run, and again with the code as it is now.

    .venv/bin/python -m benchmarks.clean_false RUN CORPUS [--rerun] [--workers 2]

RUN is a batch's output folder (its forms.jsonl), CORPUS the synthetic forms' folder with
their `.truth.json` (one corpus: pages are matched by file name). A clean page is one
whose truth has no anomaly; a false finding is any per-form finding on it but a review
flag (evaluate.REVIEW_CODES). The codes about several forms (cross-form and
reconciliation) are left out: they depend on the whole set, and a batch over several
corpora that reuse constituency codes makes them meaningless. Prints the clean pages
with a false finding, by code. With `--rerun` the files of those pages are processed
again with the current code, and the count is given again: a change meant to remove
false findings is measured on a large stored run in minutes. It cannot see false
findings a change adds to other pages: a full run measures those.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.codes import FindingCode
from pipeline.evaluate import (
    FORM_LEVEL_CODES,
    REVIEW_CODES,
    derived_page_codes,
    load_results,
    load_truth,
)
from pipeline.inspect import process_file
from pipeline.model import FormResult
from pipeline.options import Options

SET_CODES = FORM_LEVEL_CODES | {FindingCode.STAMP_DUPLICATE, FindingCode.SIGNATURE_DUPLICATE}
Page = tuple[str, int]  # (file name, page)


def false_findings(
    results: Sequence[FormResult], corpus: Path
) -> tuple[int, dict[Page, set[FindingCode]], dict[Page, str]]:
    """Clean pages scored, and per clean page with a false finding: its codes (and the
    path the run read it from)."""
    truth = load_truth(corpus)
    derived = derived_page_codes(truth)
    by_page = {(Path(r.source.path).name, r.source.page): r for r in results}
    clean, false, paths = 0, {}, {}
    for page in truth:
        result = by_page.get((page.file, page.page))
        if result is None or {a.code for a in page.anomalies} | derived[(page.file, page.page)]:
            continue
        clean += 1
        codes = {f.code for f in result.findings} - REVIEW_CODES - SET_CODES
        if codes:
            false[(page.file, page.page)] = codes
            paths[(page.file, page.page)] = result.source.path
    return clean, false, paths


def _process(path: str) -> list[FormResult]:
    return list(process_file(Path(path), Options()))


def _report(title: str, clean: int, false: dict[Page, set[FindingCode]]) -> None:
    print(f"{title}: {len(false)} of {clean} clean pages ({len(false) / max(1, clean):.2%})")
    for code, n in Counter(c for codes in false.values() for c in codes).most_common():
        print(f"  {code.value:28s} {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rerun", action="store_true", help="process those files again")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results = load_results(args.run / "forms.jsonl")
    clean, false, paths = false_findings(results, args.corpus)
    _report("stored run", clean, false)
    for (name, page), codes in sorted(false.items()):
        print(f"    {name}#{page} {' '.join(sorted(c.value for c in codes))}")
    if not args.rerun:
        return
    files = sorted(set(paths.values()))
    with ProcessPoolExecutor(args.workers) as pool:
        again = [r for rs in pool.map(_process, files) for r in rs]
    kept = [r for r in results if r.source.path not in set(files)]
    _, now, _ = false_findings(kept + again, args.corpus)
    _report(f"those {len(files)} files processed again", clean, now)
    for key in sorted(false.keys() - now.keys()):
        print(f"    gone {key[0]}#{key[1]} {' '.join(sorted(c.value for c in false[key]))}")
    for key in sorted(now.keys() - false.keys()):
        print(f"    new  {key[0]}#{key[1]} {' '.join(sorted(c.value for c in now[key]))}")


if __name__ == "__main__":
    main()
