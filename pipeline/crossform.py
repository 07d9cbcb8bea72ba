"""Across forms: the same stamp or signature image on different forms, the same scan twice.

A digital paste repeats one impression's pixels (up to recompression and capture); a
physical stamp pressed again, or a signer signing again, never does. Candidates are found
through an index of perceptual-hash bands (no all-pairs comparison), then confirmed on
the 32x32 descriptors: mean absolute difference after contrast normalisation.
DUPLICATE_FORM is identical content (sha256 of the file) under another name; the later
submission in the sequence carries it, and marks shared by such a pair are not copies.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.model import BBox, Evidence, Finding, FormResult, SignatureStatus

BANDS = 8  # perceptual hash split into bands; sharing any band makes a candidate pair
COPY_DISTANCE = 0.10  # below: one image; measured separation in benchmarks/RESULTS.md


@dataclass(frozen=True)
class Mark:
    form: int  # index of the result in the batch
    kind: str  # "stamp" | "signature"
    phash: str
    descriptor: np.ndarray
    bbox: BBox
    label: str


def descriptor_array(encoded: str) -> np.ndarray | None:
    """The 32x32 descriptor, contrast-normalised (zero mean, unit spread)."""
    if not encoded:
        return None
    raw = np.frombuffer(base64.b64decode(encoded), dtype=np.uint8).astype(np.float32)
    if raw.size != 32 * 32:
        return None
    spread = raw.std()
    return (raw - raw.mean()) / spread if spread > 1e-3 else None


def descriptor_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean()) / 1.6  # ~0 identical, ~1 unrelated


@dataclass
class FingerprintIndex:
    """Incremental index of marks: add forms as they finish, ask for copies at the end."""

    marks: list[Mark] = field(default_factory=list)
    buckets: dict[tuple[str, int, str], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, form: int, result: FormResult) -> None:
        items: list[tuple[str, str, str, BBox, str]] = [
            ("stamp", s.fingerprint, s.descriptor, s.bbox, s.color) for s in result.stamps
        ]
        items += [
            ("signature", s.fingerprint, s.descriptor, s.bbox, s.role.value)
            for s in result.signatures
            if s.status is SignatureStatus.PRESENT and s.kind == "signature"
        ]
        for kind, phash, encoded, bbox, label in items:
            descriptor = descriptor_array(encoded)
            if descriptor is None or not phash:
                continue
            index = len(self.marks)
            self.marks.append(Mark(form, kind, phash, descriptor, bbox, label))
            width = max(1, len(phash) // BANDS)
            for band in range(BANDS):
                self.buckets[(kind, band, phash[band * width : (band + 1) * width])].append(index)

    def copies(self) -> Iterator[tuple[Mark, Mark, float]]:
        """Pairs of marks on different forms that are one image."""
        seen: set[tuple[int, int]] = set()
        for members in self.buckets.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    pair = (min(a, b), max(a, b))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    ma, mb = self.marks[pair[0]], self.marks[pair[1]]
                    if ma.form == mb.form:
                        continue
                    distance = descriptor_distance(ma.descriptor, mb.descriptor)
                    if distance < COPY_DISTANCE:
                        yield ma, mb, distance


def _where(result: FormResult) -> str:
    return f"{result.source.path}#{result.source.page}"


def crossform_findings(results: Sequence[FormResult]) -> dict[int, tuple[Finding, ...]]:
    """New findings per result index: STAMP_/SIGNATURE_DUPLICATE and DUPLICATE_FORM."""
    found: dict[int, list[Finding]] = defaultdict(list)
    index = FingerprintIndex()
    for i, result in enumerate(results):
        index.add(i, result)
    for a, b, distance in index.copies():
        if results[a.form].source.sha256 == results[b.form].source.sha256:
            continue  # one scan submitted twice: DUPLICATE_FORM, not a pasted mark
        code = FindingCode.STAMP_DUPLICATE if a.kind == "stamp" else FindingCode.SIGNATURE_DUPLICATE
        for mine, other in ((a, b), (b, a)):
            found[mine.form].append(
                Finding(
                    code=code,
                    severity=FINDING_DOCS[code][0],
                    message=f"the same {mine.kind} image as on {_where(results[other.form])}",
                    evidence=Evidence(
                        bbox=mine.bbox,
                        values={
                            "descriptor_distance": round(distance, 4),
                            "threshold": COPY_DISTANCE,
                            "mark": mine.label,
                        },
                        related=(_where(results[other.form]),),
                    ),
                )
            )
    by_content: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, result in enumerate(results):
        by_content[(result.source.sha256, result.source.page)].append(i)
    for members in by_content.values():
        # the first in the sequence is taken as the submission; each later file with the
        # same content under another name is the re-submission that gets the finding
        first = results[members[0]].source.path
        for i in members[1:]:
            if results[i].source.path == first:
                continue
            others = (_where(results[members[0]]),)
            found[i].append(
                Finding(
                    code=FindingCode.DUPLICATE_FORM,
                    severity=FINDING_DOCS[FindingCode.DUPLICATE_FORM][0],
                    message=f"the same scan was already submitted as {others[0]}",
                    evidence=Evidence(values={"sha256": results[i].source.sha256}, related=others),
                )
            )
    return {i: tuple(f) for i, f in found.items()}
