"""Signatures registered inside a page: how alike clones and every other pair come.

    .venv/bin/python -m benchmarks.clone_pairs CORPUS [CORPUS ...] [--others 60]
        [--workers 2] [--seed 11]

CORPUS is a synthetic corpus's folder. Every Form 45 page with a signature cloned inside
the scan (the truth's TAMPER_SUSPECTED "copy of ...") and `--others` pages drawn at
random from the rest are analysed as `tallyscope inspect` does; every pair of marks that
`copymove` registers (those that slide short of one image) is recorded with its
registered correlation (`copymove._registered`). A pair one of whose marks overlaps the
truth's clone box (IoU > 0.2) and that registers at 0.9 or more is the clone; every
other pair is not. Printed: the clones' lowest, the others' highest, against
CLONE_REGISTERED: the margin the bar sits in.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from pipeline.inspect import analyse_page
from pipeline.model import BBox
from pipeline.options import Limits, Options
from pipeline.stages import copymove
from pipeline.stages.load import load_pages
from pipeline.templates import bundled_templates

CLONE_BOX = 0.2  # IoU at which a mark is the truth's clone
CLONE_AT = 0.9  # ... and registered this alike, the pair is the clone and its original

Page = tuple[str, int]  # a file and a page index
Pair = tuple[BBox, BBox, float]  # two marks' boxes in the original scan, registered


def clone_pages(corpus: Path) -> Iterator[tuple[Page, list[BBox]]]:
    """Each Form 45 page of a corpus, with its truth's clone boxes (none: no clone)."""
    for truth in sorted(corpus.glob("*.truth.json")):
        document = json.loads(truth.read_text())
        source = truth.with_name(document["file"])
        for page in document["pages"]:
            if page["type"] != "form45":
                continue
            clones = [
                BBox(**anomaly["bbox"])
                for anomaly in page["anomalies"]
                if anomaly["code"] == "TAMPER_SUSPECTED" and "copy of" in anomaly["detail"]
            ]
            yield (str(source), page["page"]), clones


def registered_pairs(page: Page) -> list[Pair]:
    """Every pair of the page's marks that copymove registered, and how alike."""
    path, index = page
    seen: list[Pair] = []
    original = copymove._registered

    def recording(gray: np.ndarray, a: BBox, b: BBox, slack: int) -> float:
        value = original(gray, a, b, slack)
        seen.append((a, b, value))
        return value

    copymove._registered = recording  # type: ignore[assignment]
    try:
        loaded = load_pages(Path(path), limits=Limits())
        follows = None
        for number in range(index + 1):
            seen.clear()
            analysis = analyse_page(loaded[number], bundled_templates(), Options(), follows)
            follows = analysis.template
    finally:
        copymove._registered = original  # type: ignore[assignment]
    moved = analysis.page.to_original
    return [(moved(a), moved(b), value) for a, b, value in seen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--others", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with_clone: dict[Page, list[BBox]] = {}
    rest: list[Page] = []
    for corpus in args.corpora:
        for page, boxes in clone_pages(corpus):
            if boxes:
                with_clone[page] = boxes
            else:
                rest.append(page)
    random.Random(args.seed).shuffle(rest)
    pages = [*with_clone, *rest[: args.others]]
    clones: list[tuple[float, str]] = []
    others: list[tuple[float, str]] = []
    with ProcessPoolExecutor(args.workers) as pool:
        for page, pairs in zip(pages, pool.map(registered_pairs, pages), strict=True):
            where = f"{Path(page[0]).name} p{page[1]}"
            for a, b, value in pairs:
                touches = any(
                    a.iou(box) > CLONE_BOX or b.iou(box) > CLONE_BOX
                    for box in with_clone.get(page, [])
                )
                (clones if touches and value >= CLONE_AT else others).append((value, where))
    clones.sort()
    others.sort(reverse=True)
    print(f"pages: {len(with_clone)} with a clone, {len(pages) - len(with_clone)} others")
    print(f"pairs registered: {len(clones) + len(others)}; bar {copymove.CLONE_REGISTERED}")
    print("clones, lowest:", ", ".join(f"{v:.4f} {w}" for v, w in clones[:5]))
    print("every other pair, highest:", ", ".join(f"{v:.4f} {w}" for v, w in others[:5]))


if __name__ == "__main__":
    main()
