"""Batch benchmarks: real-pipeline throughput, worker memory, cross-form + reconcile time.

    OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.batch \
        --forms FOLDER [--workers 1 2] [--crossform 10000] [--keep DIR]

FOLDER holds synthetic forms with their `.truth.json` (samples/ or `tallyscope synth`).
With `--keep`, each run's outputs stay in DIR/workers-N (score them with `tallyscope
eval DIR/workers-N/forms.jsonl FOLDER`). Prints Markdown for the "## Batch" section of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.pipeline_run import WorkerMemory
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


@dataclass(frozen=True)
class Throughput:
    files: int
    pages: int
    seconds: float
    memory: dict[str, float]  # worker RSS: first and last tenth of the run, peaks (MB)

    def row(self, workers: int) -> str:
        per_minute = 60 / self.seconds
        memory = self.memory
        return (
            f"| {workers} | {self.files} | {self.pages} | {self.seconds / 60:.1f} "
            f"| {self.files * per_minute:.1f} | {self.pages * per_minute:.1f} "
            f"| {memory.get('worker_rss_mb_first_tenth', 0):.0f} "
            f"| {memory.get('worker_rss_mb_last_tenth', 0):.0f} "
            f"| {memory.get('worker_rss_mb_peak_sampled', 0):.0f} "
            f"| {memory.get('worker_rss_mb_peak_getrusage', 0):.0f} |"
        )


def throughput(forms: Path, workers: int, keep: Path | None) -> Throughput:
    """One batch run of the real pipeline over the folder, with the workers' memory."""
    with tempfile.TemporaryDirectory() as tmp:
        out = keep / f"workers-{workers}" if keep is not None else Path(tmp) / "out"
        if out.exists():
            raise SystemExit(f"{out} exists: the run must start from nothing")
        started = time.perf_counter()
        with WorkerMemory() as memory:
            summary = run_batch([str(forms)], out, Options(), workers=workers, write_overlays=False)
        seconds = time.perf_counter() - started
    return Throughput(summary.processed, summary.pages, seconds, memory.summary())


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
    parser.add_argument("--keep", type=Path, default=None, help="keep each run's outputs here")
    args = parser.parse_args()
    if args.machinery:
        for workers in args.workers:
            rate, parent = machinery(args.machinery, workers)
            print(
                f"machinery only (hashing double), {args.machinery} inputs, {workers} workers: "
                f"{rate:.0f} inputs/minute, parent peak RSS {parent:.0f} MB"
            )
        return
    print(
        "| workers | files | form pages | minutes | files/minute | pages/minute "
        "| worker RSS first tenth (MB) | last tenth | peak sampled | peak getrusage |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for workers in args.workers:
        print(throughput(args.forms, workers, args.keep).row(workers), flush=True)
    if args.crossform:
        cross_s, recon_s, found = crossform_time(args.forms, args.crossform)
        print(
            f"\ncross-form pass on {args.crossform} results: {cross_s:.2f} s; "
            f"reconcile: {recon_s:.2f} s; {found} findings"
        )


if __name__ == "__main__":
    main()
