"""Accuracy and speed of the whole pipeline on a fresh synthetic corpus.

    .venv/bin/python -m benchmarks.pipeline_run --count 100 --seed 7 --workers 2

Generates `count` polling-station forms with a seed never used in development (seeds
0, 11, 156, 1000, 1001 and 2024 were), runs `batch` on them, scores the results against
the truth, measures normalisation (orientation, deskew residual), speed per page and
per form (in the batch, and of `inspect`'s work alone on one CPU), the digit model on
the held-out MNIST split, a reliability table of figure confidence, and what plain
`tesseract page stdout` yields on the same pages. Writes
benchmarks/out/pipeline-seedN/metrics.json and the "Pipeline" section of RESULTS.md.
`--one-core-only FILES` only times `inspect` on one CPU and prints it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import psutil

from pipeline.batch.run import run_batch
from pipeline.digitdata import DigitSplit, load_digits
from pipeline.evaluate import _match_rows, evaluate, format_metrics, load_results, load_truth
from pipeline.inspect import process_file
from pipeline.model import FormResult
from pipeline.numbers import NumberReading
from pipeline.options import Options
from pipeline.stages import read as read_stage
from pipeline.synth import generate_corpus
from pipeline.synth.corpus import corpus_is_current
from pipeline.tools.digit_net import digit_probabilities
from pipeline.truth import PageTruth
from training.digit_data import to_mnist

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".pdf"}


class WorkerMemory:
    """Samples the resident memory of the batch's worker processes while it runs."""

    def __init__(self, interval_s: float = 10.0) -> None:
        self.samples: list[tuple[float, float]] = []  # (seconds since start, max worker MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval_s,), daemon=True)
        self._start = time.perf_counter()

    def _run(self, interval_s: float) -> None:
        me = psutil.Process()
        while not self._stop.wait(interval_s):
            sizes = []
            for child in me.children(recursive=True):
                try:
                    sizes.append(child.memory_info().rss / 2**20)
                except psutil.Error:
                    continue
            if sizes:
                self.samples.append((time.perf_counter() - self._start, max(sizes)))

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        """Worker RSS over the first and the last tenth of the run, and the peak (MB)."""
        if not self.samples:
            return {}
        sizes = [mb for _, mb in self.samples]
        tenth = max(1, len(sizes) // 10)
        return {
            "worker_rss_mb_first_tenth": round(float(np.median(sizes[:tenth])), 1),
            "worker_rss_mb_last_tenth": round(float(np.median(sizes[-tenth:])), 1),
            "worker_rss_mb_peak_sampled": round(max(sizes), 1),
            "worker_rss_mb_peak_getrusage": round(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
            ),
            "memory_samples": len(sizes),
        }


def stage_medians(results: list[FormResult]) -> dict[str, float]:
    """Median milliseconds per page of each stage."""
    stages = sorted({k for r in results for k in r.timings_ms})
    return {
        k: round(float(np.median([r.timings_ms[k] for r in results if k in r.timings_ms])), 1)
        for k in stages
    }


def digit_accuracy() -> float:
    images, labels = load_digits(DigitSplit.TEST)
    probs = digit_probabilities(np.stack([to_mnist(i) for i in images]))
    return float((probs[:, :10].argmax(axis=1) == labels).mean())


def reliability(results: list[FormResult], truth: list[PageTruth]) -> list[tuple[str, int, float]]:
    """Figure confidence bins vs the share of figures read exactly."""
    by_key = {(Path(r.source.path).name, r.source.page): r for r in results}
    bins = [(0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.01)]
    counts = {b: [0, 0] for b in bins}
    for page in truth:
        result = by_key.get((page.file, page.page))
        if result is None:
            continue
        for index, row in _match_rows(page, result):
            if row is None:
                continue
            for key in ("votes", "total_valid_votes"):
                t, r = getattr(page.candidates[index], key), getattr(row, key)
                if t is None or r is None or r.value is None:
                    continue
                for lo, hi in bins:
                    if lo <= r.confidence < hi:
                        counts[(lo, hi)][0] += 1
                        counts[(lo, hi)][1] += int(r.value == t.value)
    return [
        (f"{lo:.2f}-{min(hi, 1.0):.2f}", n, ok / n if n else float("nan"))
        for (lo, hi), (n, ok) in counts.items()
    ]


def deskew_and_orientation(results: list[FormResult], truth: list[PageTruth]) -> dict[str, float]:
    by_key = {(Path(r.source.path).name, r.source.page): r for r in results}
    residuals, orient_ok, orient_n = [], 0, 0
    for page in truth:
        result = by_key.get((page.file, page.page))
        if result is None:
            continue
        steps = {s.name: s.params for s in result.transform.steps}
        orient_n += 1
        orient_ok += int(
            steps.get("orientation", {}).get("degrees_cw") == (360 - page.capture.rotation) % 360
        )
        if not page.capture.perspective and "deskew" in steps:
            angle = steps["deskew"]["angle_deg"]
            assert isinstance(angle, int | float)
            residuals.append(abs(float(angle) + page.capture.skew_deg))
    return {
        "orientation_accuracy": orient_ok / max(1, orient_n),
        "deskew_residual_median_deg": float(np.median(residuals)),
        "deskew_residual_p95_deg": float(np.percentile(residuals, 95)),
        "deskew_pages": len(residuals),
    }


def tesseract_baseline(corpus: Path, truth: list[PageTruth], limit: int) -> dict[str, float]:
    """Plain `tesseract page stdout`: how many vote figures appear in its text at all."""
    found = total = 0
    seconds = []
    pages = [p for p in truth if p.file.endswith((".png", ".jpg")) and p.candidates][:limit]
    for page in pages:
        start = time.perf_counter()
        text = subprocess.run(
            ["tesseract", str(corpus / page.file), "stdout"],
            capture_output=True,
            text=True,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        ).stdout
        seconds.append(time.perf_counter() - start)
        tokens = set(re.findall(r"\d+", text))
        for cand in page.candidates:
            total += 1
            found += int(str(cand.votes.value) in tokens)
    return {
        "pages": len(pages),
        "vote_figures_found": found,
        "vote_figures": total,
        "median_seconds": float(np.median(seconds)) if seconds else float("nan"),
    }


class DigitClock:
    """Times every figure `read_number` reads while it is on (the read stage's one call
    into the digit reader): seconds and cells per file."""

    def __init__(self) -> None:
        self.seconds, self.cells = 0.0, 0
        self._plain = read_stage.read_number

    def _timed(self, image: np.ndarray, **kwargs: Any) -> NumberReading:
        start = time.perf_counter()
        try:
            return self._plain(image, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.cells += 1

    def __enter__(self) -> DigitClock:
        read_stage.read_number = self._timed
        return self

    def __exit__(self, *_: object) -> None:
        read_stage.read_number = self._plain


def inspect_one_core(corpus: Path, files: int) -> dict[str, float]:
    """Seconds per page of `inspect`'s work (`process_file`: load to checks) in this one
    process pinned to one CPU, on every n-th file of the corpus (a first file warms the
    OCR engine and the digit model, as a long-lived inspect or worker would be); and of
    that, the digit reader's share (every figure cell's `read_number`) per form (a file:
    one polling station's Form 45, an agent's copy of it, or a Form 47) and per page."""
    paths = sorted(p for p in corpus.iterdir() if p.suffix in IMAGE_SUFFIXES)
    sample = paths[:: max(1, len(paths) // files)][:files]
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    cv2.setNumThreads(1)
    try:
        process_file(paths[-1], Options())
        seconds: list[float] = []
        digit_ms: dict[str, list[float]] = {"form45": [], "form47": [], "page": []}
        cells = 0
        for path in sample:
            start = time.perf_counter()
            with DigitClock() as clock:
                pages = len(process_file(path, Options()))
            seconds += [(time.perf_counter() - start) / max(1, pages)] * pages
            digit_ms["form47" if "form47" in path.name else "form45"].append(clock.seconds * 1e3)
            digit_ms["page"] += [clock.seconds * 1e3 / max(1, pages)] * pages
            cells += clock.cells
    finally:
        os.sched_setaffinity(0, cpus)
        cv2.setNumThreads(-1)
    forms = digit_ms["form45"] + digit_ms["form47"]
    return {
        "inspect_one_core_files": len(sample),
        "inspect_one_core_pages": len(seconds),
        "inspect_one_core_page_seconds_median": round(float(np.median(seconds)), 2),
        "inspect_one_core_page_seconds_p95": round(float(np.percentile(seconds, 95)), 2),
        "digit_reading_ms_per_form_median": round(float(np.median(forms)), 1),
        "digit_reading_ms_per_form_mean": round(float(np.mean(forms)), 1),
        "digit_reading_ms_per_form45_median": round(float(np.median(digit_ms["form45"])), 1),
        "digit_reading_ms_per_form47_median": round(float(np.median(digit_ms["form47"] or [0])), 1),
        "digit_reading_ms_per_page_median": round(float(np.median(digit_ms["page"])), 1),
        "digit_reading_ms_per_cell": round(sum(forms) / max(1, cells), 3),
        "digit_reading_cells_per_form": round(cells / max(1, len(forms)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--one-core-only",
        type=int,
        metavar="FILES",
        help="only time inspect on one CPU over this many files of the corpus, and print it",
    )
    args = parser.parse_args()
    base = ROOT / "benchmarks" / "out" / f"pipeline-seed{args.seed}"
    corpus, out = base / "corpus", base / "run"
    if args.one_core_only:
        print(json.dumps(inspect_one_core(corpus, args.one_core_only), indent=2))
        return
    started = time.perf_counter()
    if not corpus_is_current(corpus, count=args.count, seed=args.seed):
        shutil.rmtree(corpus, ignore_errors=True)  # never score against stale truth
        # in a process of its own: the batch's workers are forked from this one, and would
        # start as copies of the generator's heap (seed 9054: 1,000 MB each against 400 MB)
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as generator:
            generator.submit(generate_corpus, corpus, count=args.count, seed=args.seed).result()
    synth_s = time.perf_counter() - started
    started = time.perf_counter()
    with WorkerMemory() as memory:
        summary = run_batch(
            [str(corpus)], out, Options(), workers=args.workers, write_overlays=False
        )
    batch_s = time.perf_counter() - started
    results, truth = load_results(out / "forms.jsonl"), load_truth(corpus)
    metrics = evaluate(results, truth)
    page_ms = [sum(v for k, v in r.timings_ms.items()) for r in results]
    read_ms = [r.timings_ms.get("read", 0.0) for r in results]
    report = {
        "command": f"python -m benchmarks.pipeline_run --count {args.count} --seed {args.seed} "
        f"--workers {args.workers}",
        "forms": args.count,
        "files": summary.processed,
        "pages": summary.pages,
        "failed": summary.failed,
        "synth_seconds": round(synth_s, 1),
        "batch_seconds": round(batch_s, 1),
        "files_per_minute": round(summary.processed / batch_s * 60, 1),
        "pages_per_minute": round(summary.pages / batch_s * 60, 1),
        "page_seconds_median": round(float(np.median(page_ms)) / 1000, 2),
        "page_seconds_p95": round(float(np.percentile(page_ms, 95)) / 1000, 2),
        "read_stage_ms_median": round(float(np.median(read_ms)), 1),
        "stage_ms_median": stage_medians(results),
        **memory.summary(),
        "digit_accuracy_heldout_mnist": round(digit_accuracy(), 4),
        **deskew_and_orientation(results, truth),
        **inspect_one_core(corpus, 60),
        "tesseract_baseline": tesseract_baseline(corpus, truth, 30),
        "reliability": reliability(results, truth),
        "metrics": json.loads(metrics.model_dump_json()),
    }
    (base / "metrics.json").write_text(json.dumps(report, indent=2))
    section = [
        f"## Pipeline (seed {args.seed}, {args.count} forms)",
        "",
        f"Command: `{report['command']}` (2 cores, {args.workers} workers).",
        "",
        "```",
        format_metrics(metrics),
        "```",
        "",
        "| measure | value |",
        "|---|---|",
    ]
    for key in (
        "files",
        "pages",
        "failed",
        "batch_seconds",
        "files_per_minute",
        "pages_per_minute",
        "page_seconds_median",
        "page_seconds_p95",
        "inspect_one_core_pages",
        "inspect_one_core_page_seconds_median",
        "inspect_one_core_page_seconds_p95",
        "read_stage_ms_median",
        "digit_reading_ms_per_form_median",
        "digit_reading_ms_per_form_mean",
        "digit_reading_ms_per_form45_median",
        "digit_reading_ms_per_form47_median",
        "digit_reading_ms_per_page_median",
        "digit_reading_ms_per_cell",
        "digit_reading_cells_per_form",
        "digit_accuracy_heldout_mnist",
        "orientation_accuracy",
        "deskew_residual_median_deg",
        "deskew_residual_p95_deg",
        "worker_rss_mb_first_tenth",
        "worker_rss_mb_last_tenth",
        "worker_rss_mb_peak_sampled",
        "worker_rss_mb_peak_getrusage",
    ):
        if key not in report:
            continue
        value = report[key]
        section.append(f"| {key} | {round(value, 4) if isinstance(value, float) else value} |")
    stages = ", ".join(f"{k} {v:,.0f}" for k, v in report["stage_ms_median"].items())
    section += ["", f"Median ms per page by stage: {stages}."]
    base_line = report["tesseract_baseline"]
    section += [
        "",
        f"Plain `tesseract page.png stdout` on {base_line['pages']} of the same pages: "
        f"{base_line['vote_figures_found']} of {base_line['vote_figures']} vote figures "
        f"appear anywhere in its text; median {base_line['median_seconds']:.2f} s per page.",
        "",
        "Reliability of figure confidence (vote and total-valid fields):",
        "",
        "| confidence | fields | exact |",
        "|---|---|---|",
    ]
    section += [f"| {b} | {n} | {acc:.3f} |" for b, n, acc in report["reliability"]]
    write_section(RESULTS, "Pipeline", "\n".join(section))
    print("\n".join(section))


def write_section(path: Path, name: str, text: str) -> None:
    """Replace (or add) the `## name` section of RESULTS.md."""
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^## {re.escape(name)}.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(text.rstrip() + "\n\n", current)
    else:
        current = current.rstrip() + "\n\n" + text.rstrip() + "\n"
    path.write_text(current)


if __name__ == "__main__":
    main()
