"""Benchmark of the splice stage: regions pasted into JPEGs saved twice.

    .venv/bin/python -m benchmarks.jpeg_splice --count 120 --seed 7301

The generator's own edits are saved at the quality the page was first saved at, which
leaves no trace of a second compression; this benchmark makes its own cases, from the
generator's pages and its own random stream (so the corpora of the pipeline benchmark do
not change). For each of `--count` forms, rendered and captured (flatbed or phone, 150 to
300 dpi) losslessly:

- **spliced**: saved as JPEG at a first quality, decoded, a vote figure or a signed box
  replaced by the same box of another form (that form never compressed, or saved as JPEG
  at its own quality, then resized into place), saved again at a second quality;
- **resaved**: the same page saved at the first quality and again at the second, no edit;
- **once**: the page saved once, at the second quality.

Qualities are drawn from 50-95. A spliced file is found when a TAMPER_SUSPECTED of the
splice stage overlaps the pasted box; any other finding is false. Scores by how the two
qualities compare (the second higher, equal, lower; where higher, by how much), and time
per page.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline.model import BBox
from pipeline.options import Limits
from pipeline.stages.load import load_pages_from_bytes
from pipeline.stages.splice import splice_findings
from pipeline.synth.capture import apply_capture, map_box, plan_capture
from pipeline.synth.plan import plan_constituency
from pipeline.synth.render import MarkBank, render_sheet

QUALITIES = (50, 95)
PASTED = ("candidates[", "totals.", "signatures[")  # a vote figure, a total, a signed box


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # spliced / resaved / once
    data: bytes
    pasted: BBox | None
    first: int | None
    second: int
    what: str


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def decode_rgb(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).copy()


def _captured(seed: int, index: int, bank: MarkBank) -> tuple[np.ndarray, dict[str, BBox]]:
    """One form's page, captured without loss, and its boxes in the captured image."""
    rng = np.random.default_rng([seed, index])
    plan = plan_constituency(index, 2, rng)
    sheet = plan.sheets[0]
    page = render_sheet(sheet, rng, bank)[-1]  # the page signed and stamped
    drawn = plan_capture(rng, pages=1)
    capture = drawn.model_copy(
        update={
            "container": "png",
            "jpeg_quality": None,
            "rotation": 0,
            "noise": float(rng.choice([0.0, 2.0, 4.0])),
        }
    )
    result = apply_capture(page.image, capture, rng)
    h, w = result.image.shape[:2]
    boxes = {key: map_box(box, result.matrix, w, h) for key, box in page.boxes.items()}
    return result.image, boxes


def _target(
    boxes: dict[str, BBox], donor: dict[str, BBox], rng: np.random.Generator
) -> tuple[str, BBox] | None:
    what = str(rng.choice(PASTED))
    keys = [
        k
        for k in boxes
        if k.startswith(what)
        and k in donor
        and boxes[k].area > 0
        and donor[k].area > 0
        and not k.endswith((".name", ".party", ".serial"))
    ]
    if not keys:
        return None
    key = keys[int(rng.integers(len(keys)))]
    return key, boxes[key]


def make_cases(count: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    bank = MarkBank()
    cases: list[Case] = []
    for index in range(count):
        host, boxes = _captured(seed, 2 * index, bank)
        donor, donor_boxes = _captured(seed, 2 * index + 1, bank)
        first, second = (int(q) for q in rng.integers(QUALITIES[0], QUALITIES[1] + 1, 2))
        target = _target(boxes, donor_boxes, rng)
        if target is None:
            continue
        key, box = target
        source = donor_boxes[key]
        donor_quality = int(rng.integers(QUALITIES[0], QUALITIES[1] + 1))
        if rng.random() < 0.5:
            donor = decode_rgb(encode_jpeg(donor, donor_quality))
        else:
            donor_quality = 0  # never compressed
        patch = donor[source.y0 : source.y1, source.x0 : source.x1]
        patch = cv2.resize(patch, (box.width, box.height), interpolation=cv2.INTER_LINEAR)
        first_save = decode_rgb(encode_jpeg(host, first))
        edited = first_save.copy()
        edited[box.y0 : box.y1, box.x0 : box.x1] = patch
        stem = f"f{index:03d}_q{first}-{second}"
        what = f"{key} from donor q{donor_quality}"
        cases += [
            Case(
                f"{stem}_spliced", "spliced", encode_jpeg(edited, second), box, first, second, what
            ),
            Case(
                f"{stem}_resaved",
                "resaved",
                encode_jpeg(first_save, second),
                None,
                first,
                second,
                "",
            ),
            Case(f"{stem}_once", "once", encode_jpeg(host, second), None, None, second, ""),
        ]
        print(f"{index + 1}/{count} {stem}", file=sys.stderr)
    return cases


def _touches(a: BBox, b: BBox, slack: int = 8) -> bool:
    return not (
        a.x1 + slack < b.x0 or b.x1 + slack < a.x0 or a.y1 + slack < b.y0 or b.y1 + slack < a.y0
    )


def _relation(case: Case) -> str:
    if case.first is None:
        return "once"
    if case.second > case.first:
        return "second higher"
    return "equal" if case.second == case.first else "second lower"


def _difference(case: Case) -> str:
    """How much higher the second quality is than the first, in bands."""
    rise = case.second - (case.first or 0)
    return next(
        band
        for floor, band in ((20, "20+"), (10, "10-19"), (5, "5-9"), (1, "1-4"))
        if rise >= floor
    )


def score(cases: list[Case], keep: Path | None) -> dict[str, object]:
    found: Counter[str] = Counter()
    rising: Counter[str] = Counter()
    rising_found: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    false_files: Counter[str] = Counter()
    seconds: list[float] = []
    missed, false = [], []
    for case in cases:
        page = load_pages_from_bytes(case.data, case.name, limits=Limits())[0]
        start = time.perf_counter()
        findings = splice_findings(page)
        seconds.append(time.perf_counter() - start)
        boxes = [f.evidence.bbox for f in findings if f.evidence.bbox is not None]
        relation = _relation(case)
        totals[f"{case.kind} | {relation}"] += 1
        hits = [b for b in boxes if case.pasted is not None and _touches(b, case.pasted)]
        if case.kind == "spliced" and relation == "second higher":
            rising[_difference(case)] += 1
            rising_found[_difference(case)] += bool(hits)
        if case.kind == "spliced" and hits:
            found[relation] += 1
        elif case.kind == "spliced":
            missed.append(f"{case.name} {case.what}")
        if len(boxes) > len(hits):
            false_files[f"{case.kind} | {relation}"] += 1
            false.append(case.name)
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{case.name}.jpg").write_bytes(case.data)
    spliced = [c for c in cases if c.kind == "spliced"]
    controls = [c for c in cases if c.kind != "spliced"]
    return {
        "spliced": len(spliced),
        "found": sum(found.values()),
        "found_by_quality": {
            r: f"{found[r]}/{totals[f'spliced | {r}']}"
            for r in ("second higher", "equal", "second lower")
        },
        "found_second_higher_by": {
            band: f"{rising_found[band]}/{rising[band]}" for band in ("1-4", "5-9", "10-19", "20+")
        },
        "control_files": len(controls),
        "files_with_a_false_finding": sum(false_files.values()),
        "false_by_kind": dict(false_files),
        "totals": dict(totals),
        "ms_per_page_median": round(1000 * statistics.median(seconds), 1),
        "ms_per_page_max": round(1000 * max(seconds), 1),
        "missed": missed,
        "false": false,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7301)
    parser.add_argument("--keep", type=Path, default=None, help="write every case's JPEG here")
    args = parser.parse_args()
    cases = make_cases(args.count, args.seed)
    print(json.dumps(score(cases, args.keep), indent=1))


if __name__ == "__main__":
    main()
