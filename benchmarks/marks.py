"""Benchmark of the marks, tamper and cross-form stages on a synthetic corpus.

    OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1 .venv/bin/python benchmarks/marks.py \
        --corpus /tmp/marks_bench/c9001 --count 40 --seed 9001
    .venv/bin/python -m benchmarks.marks --corpus benchmarks/out/pipeline-seed9001/corpus \
        --results benchmarks/out/pipeline-seed9001/run/forms.jsonl

Generates the corpus if the folder is empty, runs every file through the pipeline, adds
the cross-form findings, and scores only this area's codes against the generator's
truth. Also times the cross-form pass on `--index-size` forms whose stamps are the real
ones pressed again (each descriptor turned by a random angle, with pixel noise, and
hashed anew), 700 forms to a constituency as in Pakistan, each station's two copies
reading one station number in their stamps' centres; and prints, for pairs of
stamps on different forms, the similarity of a pasted copy against a re-stamp.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import time
from pathlib import Path

import cv2
import imagehash
import numpy as np
from PIL import Image

from pipeline.codes import FindingCode
from pipeline.crossform import crossform_findings, descriptor_array, stamp_similarity
from pipeline.evaluate import evaluate, load_truth
from pipeline.inspect import process_file
from pipeline.model import FieldReading, FormResult, Source, Stamp
from pipeline.options import Options
from pipeline.synth.corpus import GENERATOR_VERSION, corpus_manifest, generate_corpus
from pipeline.truth import PageTruth

CODES = {
    FindingCode.STAMP_MISSING,
    FindingCode.STAMP_MISPLACED,
    FindingCode.STAMP_TEXT_MISMATCH,
    FindingCode.SIGNATURE_MISSING,
    FindingCode.AGENT_SIGNATURES_MISSING,
    FindingCode.CORRECTION_FLUID,
    FindingCode.TAMPER_SUSPECTED,
    FindingCode.STAMP_DUPLICATE,
    FindingCode.SIGNATURE_DUPLICATE,
    FindingCode.DUPLICATE_FORM,
}


FORMS_PER_CONSTITUENCY = 700  # Pakistan 2024: about 180,000 Form 45s in 266 constituencies
COPIES_PER_STATION = 2  # a form and its agent's copy, their stamps' centres read alike


def _pressed_again(stamp: Stamp, rng: np.random.Generator) -> Stamp:
    """Another impression of the same kind of stamp: turned, with its own noise."""
    raw = np.frombuffer(base64.b64decode(stamp.descriptor), np.uint8)
    side = round(raw.size**0.5)
    image = raw.reshape(side, side)
    turn = cv2.getRotationMatrix2D((side / 2, side / 2), float(rng.uniform(0, 360)), 1.0)
    turned = cv2.warpAffine(image, turn, (side, side))
    noisy = np.clip(turned.astype(np.int16) + rng.integers(-20, 21, turned.shape), 0, 255)
    small = noisy.astype(np.uint8)
    return stamp.model_copy(
        update={
            "descriptor": base64.b64encode(small.tobytes()).decode("ascii"),
            "fingerprint": str(imagehash.phash(Image.fromarray(255 - small), hash_size=8)),
        }
    )


def time_index(results: list[FormResult], size: int, seed: int) -> float:
    """Seconds for `crossform_findings` over `size` forms of re-pressed real stamps."""
    rng = np.random.default_rng(seed)
    pool = [r for r in results if r.stamps]
    forms = []
    for i in range(size):
        base = pool[i % len(pool)]
        code = f"NA-{i // FORMS_PER_CONSTITUENCY + 1}"
        station = i % FORMS_PER_CONSTITUENCY // COPIES_PER_STATION + 1
        forms.append(
            base.model_copy(
                update={
                    "source": Source(path=f"f{i}.png", sha256=f"{i:064x}", width=1, height=1),
                    "header": {"constituency": FieldReading(value=code, confidence=1.0, text=code)},
                    "stamps": tuple(
                        _pressed_again(s, rng).model_copy(
                            update={"centre_text": f"PS {station} {code}", "ring_text": None}
                        )
                        for s in base.stamps
                    ),
                    "signatures": (),
                }
            )
        )
    start = time.perf_counter()
    crossform_findings(forms)
    return time.perf_counter() - start


def separation(results: list[FormResult], truth: list[PageTruth]) -> dict[str, list[float]]:
    """Similarity of stamp pairs on different forms matched to truth impressions:
    'paste' (same impression_id) vs 'restamp' (same physical stamp, other impression)."""
    by_key = {f"{Path(r.source.path).name}#{r.source.page}": r for r in results}
    marks: list[tuple[str, str, str, np.ndarray]] = []  # file, impression, physical, descriptor
    for t in truth:
        result = by_key.get(f"{t.file}#{t.page}")
        if result is None:
            continue
        for ts in t.stamps:
            best = max(result.stamps, key=lambda s: s.bbox.iou(ts.bbox), default=None)
            array = descriptor_array(best.descriptor) if best else None
            if best is not None and best.bbox.iou(ts.bbox) > 0.3 and array is not None:
                marks.append((t.file, ts.impression_id, ts.physical_stamp_id, array))
    out: dict[str, list[float]] = {"paste": [], "restamp": []}
    for i, a in enumerate(marks):
        for b in marks[i + 1 :]:
            if a[0] == b[0]:
                continue
            kind = "paste" if a[1] == b[1] else ("restamp" if a[2] == b[2] else "")
            if kind:
                out[kind].append(stamp_similarity(a[3], b[3]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=9001)
    parser.add_argument("--index-size", type=int, default=10_000)
    parser.add_argument(
        "--results",
        type=Path,
        help="a batch's forms.jsonl over --corpus (e.g. from benchmarks.pipeline_run): "
        "score it instead of running the pipeline again",
    )
    args = parser.parse_args()
    manifest = corpus_manifest(args.corpus)
    if manifest is None:
        generate_corpus(args.corpus, count=args.count, seed=args.seed)
    elif manifest.generator_version != GENERATOR_VERSION:  # never score against stale truth
        sys.exit(
            f"{args.corpus}: written by generator {manifest.generator_version}, this is "
            f"{GENERATOR_VERSION}: its truth is out of date; remove the folder to regenerate it"
        )
    truth = load_truth(args.corpus)
    options = Options()
    results: list[FormResult] = []
    if args.results is not None:
        # the page results alone: the cross-form findings are computed again below
        results = [
            FormResult.model_validate_json(line)
            for line in args.results.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    else:
        for file in sorted({args.corpus / t.file for t in truth}):
            print(f"  {file.name}", file=sys.stderr, flush=True)
            results.extend(process_file(file, options))
    marks_ms = [r.timings_ms.get("marks", 0) + r.timings_ms.get("tamper", 0) for r in results]
    extra = crossform_findings(results)
    scored = [
        r.model_copy(
            update={"findings": tuple(f for f in r.findings + extra.get(i, ()) if f.code in CODES)}
        )
        for i, r in enumerate(results)
    ]
    mine = [
        t.model_copy(update={"anomalies": [a for a in t.anomalies if a.code in CODES]})
        for t in truth
    ]
    metrics = evaluate(scored, mine)
    print(f"pages scored: {metrics.pages_scored} of {metrics.pages_in_truth}")
    print("| code | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|")
    for code in sorted(CODES):
        s = metrics.anomalies.get(code)
        if s is None:
            print(f"| {code} | 0 | 0 | 0 | - | - |")
            continue
        print(
            f"| {code} | {s.true_positives} | {s.false_positives} | {s.false_negatives}"
            f" | {s.precision} | {s.recall} |"
        )
    print(
        f"clean pages with a false finding of these codes: "
        f"{metrics.clean_pages_with_false_findings} of {metrics.clean_pages}"
        f" ({metrics.false_finding_rate})"
    )
    print(
        f"marks+tamper time per page: median {statistics.median(marks_ms):.0f} ms,"
        f" max {max(marks_ms):.0f} ms"
    )
    gaps = separation(results, truth)
    for kind, values in gaps.items():
        if values:
            print(
                f"{kind} pairs: {len(values)}, similarity min {min(values):.3f}"
                f" max {max(values):.3f}"
            )
    seconds = time_index(results, args.index_size, 1)
    print(f"cross-form pass on {args.index_size} forms: {seconds:.2f} s")


if __name__ == "__main__":
    main()
