"""Batch benchmarks: real-pipeline throughput, worker memory, cross-form + reconcile time.

    OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.batch \
        --forms FOLDER [--workers 1 2] [--crossform 10000] [--keep DIR]
    .venv/bin/python -m benchmarks.batch --post-pass 2000 10000 --ledger FORMS.jsonl
    OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.batch \
        --soak 2000 --forms samples

`--soak N`: one worker's memory over N pages: this process runs the per-form work (the
real pipeline, as a pool worker does) over the folder's files again and again, and
prints its RSS every tenth of the way.

`--post-pass`: the passes over all forms after the per-form pass (cross-form, reconcile,
findings table, report), on a ledger of N results made from a real run's `forms.jsonl`
(each copy its own constituency, paths and hashes, its marks' descriptors perturbed so
copies are not pastes of each other); time and the peak memory of the process.

FOLDER holds synthetic forms with their `.truth.json` (samples/ or `tallyscope synth`).
With `--keep`, each run's outputs stay in DIR/workers-N (score them with `tallyscope
eval DIR/workers-N/forms.jsonl FOLDER`). Prints Markdown for the "## Batch" section of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.pipeline_run import WorkerMemory
from pipeline.batch.inputs import InputItem, expand_inputs
from pipeline.batch.run import run_batch
from pipeline.batch.work import WorkOutcome, content_hash, process_item
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


def _perturbed(encoded: str, rng: np.random.Generator) -> str:
    """A descriptor with noise: one mark's look, no longer the same image."""
    if not encoded:
        return encoded
    pixels = np.frombuffer(base64.b64decode(encoded), dtype=np.uint8).astype(np.float32)
    noisy = np.clip(pixels + rng.normal(0, 25, pixels.size), 0, 255).astype(np.uint8)
    return base64.b64encode(noisy.tobytes()).decode("ascii")


def replicated_ledger(ledger: Path, count: int, target: Path, seed: int = 5) -> int:
    """Write `count` result lines to `target`, copies of the ledger's, each copy of the
    whole ledger one constituency of its own (header and stamp texts), its files under
    their own paths and hashes, every signature a hash of its own and every mark's
    descriptor perturbed. Returns the lines written."""
    rng = np.random.default_rng(seed)
    base = [json.loads(line) for line in ledger.read_bytes().splitlines() if line.strip()]
    written = 0
    with target.open("w", encoding="utf-8") as out:
        copy = 0
        while written < count:
            code = f"{('NA', 'PP', 'PK', 'PB')[copy % 4]}-{copy // 4 + 1}"  # 3 digits at most
            for page in base:
                if written == count:
                    break
                record = json.loads(json.dumps(page))
                source = record["source"]
                source["path"] = f"copy{copy:05d}/{source['path']}"
                source["sha256"] = hashlib.sha256(f"{copy}:{source['sha256']}".encode()).hexdigest()
                named = record["header"].get("constituency")
                if named is not None:
                    named["value"] = code
                for stamp in record["stamps"]:
                    stamp["centre_text"] = stamp["centre_text"] and code
                    stamp["ring_text"] = stamp["ring_text"] and code
                    stamp["descriptor"] = _perturbed(stamp["descriptor"], rng)
                for signature in record["signatures"]:
                    if signature["fingerprint"]:  # another signer's hash
                        signature["fingerprint"] = rng.bytes(
                            len(signature["fingerprint"]) // 2
                        ).hex()
                    signature["descriptor"] = _perturbed(signature["descriptor"], rng)
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
                written += 1
            copy += 1
    return written


def _post_pass(out: Path, report: Path) -> None:
    """In its own process: the batch run with nothing left to read, i.e. the passes over
    all forms, with the process's memory before and at its peak."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    summary = run_batch([], out, Options())
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.write_text(
        json.dumps(
            {
                "pages": summary.pages,
                "seconds": seconds,
                "rss_mb_after_imports": before,
                "rss_mb_peak": peak,
                "findings": sum(summary.findings.values()),
                **{f"{name}_seconds": value for name, value in summary.pass_seconds.items()},
            }
        )
    )


def post_pass(ledger: Path, count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        replicated_ledger(ledger, count, out / "forms.jsonl")
        report = Path(tmp) / "post-pass.json"
        size = (out / "forms.jsonl").stat().st_size / 1e6
        process = multiprocessing.get_context("spawn").Process(
            target=_post_pass, args=(out, report)
        )
        process.start()
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"post-pass process failed with exit code {process.exitcode}")
        measured: dict[str, float] = json.loads(report.read_text())
        return {**measured, "ledger_mb": size}


def soak(forms: Path, pages: int) -> list[tuple[int, float, float, float]]:
    """(pages done, RSS now MB, peak RSS MB, minutes) every tenth of `pages`."""
    import psutil

    items = [e for e in expand_inputs([str(forms)]) if isinstance(e, InputItem)]
    rows: list[tuple[int, float, float, float]] = []
    done = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        options = Options().model_copy(update={"evidence_dir": Path(tmp)})
        while done < pages:
            for item in items:
                outcome = process_item(item, options)
                if outcome.error_code is not None:
                    raise SystemExit(f"{item.name}: {outcome.error_code} {outcome.reason}")
                done += len(outcome.lines)
                if done * 10 // pages > len(rows) or done >= pages:
                    rows.append(
                        (
                            done,
                            psutil.Process().memory_info().rss / 1e6,
                            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                            (time.perf_counter() - started) / 60,
                        )
                    )
                    print(f"soak: {rows[-1]}", file=sys.stderr, flush=True)
                if done >= pages:
                    break
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forms", type=Path)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--crossform", type=int, default=10_000)
    parser.add_argument("--machinery", type=int, default=0, help="inputs for the overhead run")
    parser.add_argument("--keep", type=Path, default=None, help="keep each run's outputs here")
    parser.add_argument("--post-pass", type=int, nargs="*", default=[], help="ledger sizes")
    parser.add_argument("--ledger", type=Path, help="a real run's forms.jsonl (--post-pass)")
    parser.add_argument("--soak", type=int, default=0, help="pages for one worker's memory")
    args = parser.parse_args()
    if args.soak:
        if args.forms is None:
            parser.error("--soak needs --forms")
        print("| pages done | worker RSS (MB) | peak RSS (MB) | minutes |")
        print("|---|---|---|---|")
        for done, now, peak, minutes in soak(args.forms, args.soak):
            print(f"| {done} | {now:.0f} | {peak:.0f} | {minutes:.1f} |", flush=True)
        return
    if args.post_pass:
        if args.ledger is None:
            parser.error("--post-pass needs --ledger")
        print(
            "| results | forms.jsonl (MB) | seconds | cross-form / reconcile / outputs (s) "
            "| findings | RSS after imports (MB) | peak RSS (MB) |"
        )
        print("|---|---|---|---|---|---|---|")
        for count in args.post_pass:
            m = post_pass(args.ledger, count)
            print(
                f"| {int(m['pages'])} | {m['ledger_mb']:.0f} | {m['seconds']:.1f} "
                f"| {m['crossform_seconds']:.1f} / {m['reconcile_seconds']:.1f} "
                f"/ {m['outputs_seconds']:.1f} "
                f"| {int(m['findings'])} | {m['rss_mb_after_imports']:.0f} "
                f"| {m['rss_mb_peak']:.0f} |",
                flush=True,
            )
        return
    if args.machinery:
        for workers in args.workers:
            rate, parent = machinery(args.machinery, workers)
            print(
                f"machinery only (hashing double), {args.machinery} inputs, {workers} workers: "
                f"{rate:.0f} inputs/minute, parent peak RSS {parent:.0f} MB"
            )
        return
    if args.forms is None:
        parser.error("--forms is needed, but with --post-pass or --machinery")
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
