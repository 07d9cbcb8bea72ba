"""What a user would otherwise do: plain `tesseract page.png stdout` on synthetic pages.

For every page with ground truth, the page is written as a PNG (PDF and TIFF pages are
rendered through the load stage first, untimed), then `tesseract PAGE.png stdout` runs as
a child process exactly as a user would type it (OMP_THREAD_LIMIT=1, OMP_NUM_THREADS=1).
Counted: how many of the page's vote figures (every candidate's vote columns) appear at
all among the integer tokens of the output, each token used once; plus seconds per page.
This is a generous score: a figure counts even if it is not attached to its candidate.

    .venv/bin/python benchmarks/tesseract_baseline.py SYNTH_FOLDER [--limit N]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2

from pipeline.options import Limits
from pipeline.stages.load import load_pages
from pipeline.truth import FileTruth, PageTruth

TOKEN = re.compile(r"\d[\d,]*")
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1"}


def vote_figures(page: PageTruth) -> list[int]:
    """Every vote figure written on the page (votes and the other vote columns)."""
    figures = []
    for candidate in page.candidates:
        for value in (
            candidate.votes,
            candidate.tendered_votes,
            candidate.challenged_votes,
            candidate.total_valid_votes,
        ):
            if value is not None and isinstance(value.value, int):
                figures.append(value.value)
    return figures


def found(figures: list[int], text: str) -> int:
    """How many figures occur among the output's integer tokens (multiset match)."""
    tokens = Counter(int(t.replace(",", "")) for t in TOKEN.findall(text) if len(t) < 9)
    hits = 0
    for figure in figures:
        if tokens[figure] > 0:
            tokens[figure] -= 1
            hits += 1
    return hits


def run(folder: Path, limit: int | None) -> None:
    rows: list[tuple[bool, int, int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for truth_file in sorted(folder.rglob("*.truth.json")):
            truth = FileTruth.model_validate_json(truth_file.read_bytes())
            pages = load_pages(truth_file.parent / truth.file, limits=Limits())
            for page_truth in truth.pages:
                figures = vote_figures(page_truth)
                if not figures:
                    continue
                png = Path(tmp) / f"{truth_file.stem}.{page_truth.page}.png"
                cv2.imwrite(str(png), pages[page_truth.page].image)
                start = time.perf_counter()
                text = subprocess.run(
                    ["tesseract", str(png), "stdout"],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=ENV,
                    timeout=120,
                ).stdout
                seconds = time.perf_counter() - start
                rows.append((page_truth.handwritten, len(figures), found(figures, text), seconds))
                if limit is not None and len(rows) >= limit:
                    break
            if limit is not None and len(rows) >= limit:
                break
    for label, subset in (
        ("all", rows),
        ("printed", [r for r in rows if not r[0]]),
        ("handwritten", [r for r in rows if r[0]]),
    ):
        if not subset:
            continue
        total = sum(r[1] for r in subset)
        hits = sum(r[2] for r in subset)
        times = sorted(r[3] for r in subset)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(
            f"{label:12s} pages {len(subset):4d}  vote figures found {hits}/{total} "
            f"({100 * hits / total:.1f}%)  s/page median {statistics.median(times):.2f} "
            f"p95 {p95:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a `tallyscope synth` output folder")
    parser.add_argument("--limit", type=int, default=None, help="stop after N pages")
    args = parser.parse_args()
    run(args.folder, args.limit)


if __name__ == "__main__":
    main()
