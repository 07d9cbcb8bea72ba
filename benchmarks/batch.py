"""Batch benchmarks: real-pipeline throughput, worker memory, cross-form + reconcile time.

    OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 .venv/bin/python benchmarks/batch.py \
        --forms FOLDER [--workers 1 2] [--crossform 10000]

FOLDER holds synthetic forms with their `.truth.json` (samples/ or `tallyscope synth`).
Prints Markdown for the "## Batch" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from pipeline.batch.inputs import InputItem
from pipeline.batch.run import run_batch
from pipeline.batch.work import WorkOutcome, content_hash
from pipeline.crossform import crossform_findings
from pipeline.emit import dumps_line
from pipeline.evaluate import result_from_truth
from pipeline.model import FieldReading, FormIdentity, FormResult, Source
from pipeline.options import Options
from pipeline.reconcile import reconcile
from pipeline.truth import FileTruth


def throughput(forms: Path, workers: int) -> tuple[int, int, float, float]:
    """(files, pages, files per minute, peak RSS MB of any worker) with the real pipeline."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "in"
        shutil.copytree(forms, copy)
        started = time.perf_counter()
        summary = run_batch(
            [str(copy)], Path(tmp) / "out", Options(), workers=workers, write_overlays=False
        )
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return summary.processed, summary.pages, summary.processed / seconds * 60, peak_mb


def hashing_worker(item: InputItem, options: Options) -> WorkOutcome:
    """BENCHMARK DOUBLE, not the pipeline: hashes the file, returns an empty result, so the
    run measures only the batch machinery (inputs, pool, ledger, outputs)."""
    sha = content_hash(item)
    result = FormResult(
        source=Source(path=item.name, sha256=sha, width=1, height=1), form=FormIdentity()
    )
    return WorkOutcome(name=item.name, sha256=sha, lines=(dumps_line(result),))


def machinery(count: int, workers: int) -> tuple[float, float]:
    """(inputs per minute, parent peak RSS MB) for `count` tiny distinct files."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i in range(count):
            (folder / f"{i:06d}.png").write_bytes(b"\x89PNG" + i.to_bytes(8, "big"))
        started = time.perf_counter()
        summary = run_batch(
            [str(folder)],
            Path(tmp) / "out",
            Options(),
            workers=workers,
            worker=hashing_worker,
            write_overlays=False,
        )
        seconds = time.perf_counter() - started
    assert summary.processed == count
    return count / seconds * 60, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthesised_results(forms: Path, count: int) -> list[FormResult]:
    """`count` results from the truth files, the constituency renamed per copy."""
    base: list[FormResult] = []
    for truth_path in sorted(forms.glob("*.truth.json")):
        truth = FileTruth.model_validate_json(truth_path.read_bytes())
        base.extend(result_from_truth(page) for page in truth.pages)
    results: list[FormResult] = []
    copy = 0
    while len(results) < count:
        for result in base:
            header = dict(result.header)
            header["constituency"] = FieldReading(value=f"NA-{copy:04d}", confidence=1.0)
            source = Source(
                path=f"{copy}/{result.source.path}",
                sha256=f"{copy:08d}{result.source.sha256}"[:64],
                page=result.source.page,
                page_count=result.source.page_count,
                width=result.source.width,
                height=result.source.height,
            )
            results.append(result.model_copy(update={"header": header, "source": source}))
        copy += 1
    return results[:count]


def crossform_time(forms: Path, count: int) -> tuple[float, float, int]:
    results = synthesised_results(forms, count)
    started = time.perf_counter()
    cross = crossform_findings(results)
    middle = time.perf_counter()
    recon = reconcile(results)
    ended = time.perf_counter()
    return (
        middle - started,
        ended - middle,
        sum(len(v) for v in cross.values()) + len(recon.findings),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forms", type=Path, required=True)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--crossform", type=int, default=10_000)
    parser.add_argument("--machinery", type=int, default=0, help="inputs for the overhead run")
    args = parser.parse_args()
    if args.machinery:
        for workers in args.workers:
            rate, parent = machinery(args.machinery, workers)
            print(
                f"machinery only (hashing double), {args.machinery} inputs, {workers} workers: "
                f"{rate:.0f} inputs/minute, parent peak RSS {parent:.0f} MB"
            )
        return
    print("| workers | files | form pages | files/minute | pages/minute | peak worker RSS (MB) |")
    print("|---|---|---|---|---|---|")
    for workers in args.workers:
        files, pages, rate, peak = throughput(args.forms, workers)
        print(
            f"| {workers} | {files} | {pages} | {rate:.1f} | {rate * pages / files:.1f} "
            f"| {peak:.0f} |"
        )
    if args.crossform:
        cross_s, recon_s, found = crossform_time(args.forms, args.crossform)
        print(
            f"\ncross-form pass on {args.crossform} results: {cross_s:.2f} s; "
            f"reconcile: {recon_s:.2f} s; {found} findings"
        )


if __name__ == "__main__":
    main()
