"""Across forms: the same stamp or signature image on different forms, the same scan twice.

A digital paste repeats one impression's pixels (up to recompression and capture); a
physical stamp pressed again, or a signer signing again, never does. Candidates are found
through an index of perceptual-hash bands (no all-pairs comparison), then confirmed on
the descriptors. A signature's (32x32): mean absolute difference after contrast
normalisation. A stamp's (64x64 ink): every stamp has the same two rings and a ring of
text, so coarse difference cannot tell a pasted copy from another station's stamp; the
two are registered (a few pixels of shift and 4% of scale, what the detector's box
leaves) and compared by normalised cross-correlation, which only a copy of one
impression, at its own rotation and with its own patchy ink, brings close to 1. That
comparison is dear (about 2 ms), and stamps are alike enough that a hash band alone
leaves a fifth of all pairs as candidates; so a stamp is indexed under its form's
constituency (the header's, and any code legible on its stamps: a paste is made in one
returning officer's office) and a candidate pair must also be near in Hamming distance.
DUPLICATE_FORM is identical content (sha256 of the file) under another name; the later
submission in the sequence carries it, and marks shared by such a pair are not copies.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.model import BBox, Evidence, Finding, FormResult, SignatureStatus
from pipeline.stages.stamp_text import constituency_codes

BANDS = 8  # perceptual hash split into bands; sharing any band makes a candidate pair
COPY_DISTANCE = 0.065  # signatures, below: one image; set on seed 9001 (benchmarks/RESULTS.md)
STAMP_COPY_SIMILARITY = 0.85  # stamps, at or above: one impression; measured likewise
STAMP_SCALES = (0.96, 0.98, 1.0, 1.02, 1.04)
STAMP_HASH_RADIUS = 10  # of 64 bits: stamp pairs further apart are not compared
UNKNOWN_BLOCK = "?"  # constituency of a form whose header and stamps are both illegible


@dataclass(frozen=True)
class Mark:
    form: int  # index of the result in the batch
    kind: str  # "stamp" | "signature"
    phash: str
    descriptor: np.ndarray
    bbox: BBox
    label: str
    blocks: frozenset[str] = frozenset({""})  # constituencies it is indexed under


def descriptor_array(encoded: str) -> np.ndarray | None:
    """A square descriptor, contrast-normalised (zero mean, unit spread)."""
    if not encoded:
        return None
    raw = np.frombuffer(base64.b64decode(encoded), dtype=np.uint8).astype(np.float32)
    side = round(raw.size**0.5)
    if side < 8 or side * side != raw.size:
        return None
    spread = raw.std()
    return ((raw - raw.mean()) / spread).reshape(side, side) if spread > 1e-3 else None


def descriptor_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean()) / 1.6  # ~0 identical, ~1 unrelated


def _registered(a: np.ndarray, b: np.ndarray) -> float:
    """Best correlation of b's middle, at a few scales, slid over a."""
    side = a.shape[0]
    margin = side // 10
    best = -1.0
    for scale in STAMP_SCALES:
        size = round(side * scale)
        scaled = cv2.resize(b, (size, size), interpolation=cv2.INTER_AREA)
        pad = max(0, side - size)
        scaled = np.pad(scaled, pad)
        off = (scaled.shape[0] - side) // 2
        middle = scaled[off + margin : off + side - margin, off + margin : off + side - margin]
        scores = cv2.matchTemplate(a, np.ascontiguousarray(middle), cv2.TM_CCOEFF_NORMED)
        best = max(best, float(scores.max()))
    return best


def stamp_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """How nearly two stamp descriptors are one image (1 identical, ~0 unrelated)."""
    if a.shape != b.shape:
        return 0.0
    return max(_registered(a, b), _registered(b, a))


def _one_image(a: Mark, b: Mark) -> tuple[bool, dict[str, float]]:
    """Whether two marks are one image, and the measure that says so."""
    if a.kind == "stamp":
        similarity = stamp_similarity(a.descriptor, b.descriptor)
        return similarity >= STAMP_COPY_SIMILARITY, {
            "similarity": round(similarity, 4),
            "threshold": STAMP_COPY_SIMILARITY,
        }
    distance = (
        descriptor_distance(a.descriptor, b.descriptor)
        if a.descriptor.shape == b.descriptor.shape
        else 1.0
    )
    return distance < COPY_DISTANCE, {
        "descriptor_distance": round(distance, 4),
        "threshold": COPY_DISTANCE,
    }


def _hamming(a: str, b: str) -> int:
    if len(a) != len(b):
        return 4 * max(len(a), len(b))
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _constituencies(result: FormResult) -> frozenset[str]:
    """Constituency codes a form names: its header's and those legible on its stamps."""
    texts = [s.centre_text or "" for s in result.stamps] + [
        s.ring_text or "" for s in result.stamps
    ]
    named = result.header.get("constituency")
    if named is not None and named.value is not None:
        texts.append(str(named.value))
    codes = frozenset(code for text in texts for code in constituency_codes(text))
    return codes or frozenset({UNKNOWN_BLOCK})


@dataclass
class FingerprintIndex:
    """Incremental index of marks: add forms as they finish, ask for copies at the end."""

    marks: list[Mark] = field(default_factory=list)
    buckets: dict[tuple[str, str, int, str], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, form: int, result: FormResult, blocks: frozenset[str] | None = None) -> None:
        """Index a page's marks; `blocks`: the constituencies of its whole form, when a
        page of several (a stamp on the last page, the header on the first)."""
        items: list[tuple[str, str, str, BBox, str]] = [
            ("stamp", s.fingerprint, s.descriptor, s.bbox, s.color) for s in result.stamps
        ]
        items += [
            ("signature", s.fingerprint, s.descriptor, s.bbox, s.role.value)
            for s in result.signatures
            if s.status is SignatureStatus.PRESENT and s.kind == "signature"
        ]
        blocks = blocks or _constituencies(result)
        for kind, phash, encoded, bbox, label in items:
            descriptor = descriptor_array(encoded)
            if descriptor is None or not phash:
                continue
            index = len(self.marks)
            # stamps only: blocking signatures too lost pastes across a misread header
            # (seed 9001: SIGNATURE_DUPLICATE recall 0.83 -> 0.62, precision 0.55 -> 0.67)
            mine = blocks if kind == "stamp" else frozenset({""})
            self.marks.append(Mark(form, kind, phash, descriptor, bbox, label, mine))
            width = max(1, len(phash) // BANDS)
            for block in mine:
                for band in range(BANDS):
                    value = phash[band * width : (band + 1) * width]
                    self.buckets[(kind, block, band, value)].append(index)

    def copies(self) -> Iterator[tuple[Mark, Mark, dict[str, float]]]:
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
                    if ma.kind == "stamp" and _hamming(ma.phash, mb.phash) > STAMP_HASH_RADIUS:
                        continue
                    same, measure = _one_image(ma, mb)
                    if same:
                        yield ma, mb, measure


def _where(result: FormResult) -> str:
    return f"{result.source.path}#{result.source.page}"


def crossform_findings(results: Sequence[FormResult]) -> dict[int, tuple[Finding, ...]]:
    """New findings per result index: STAMP_/SIGNATURE_DUPLICATE and DUPLICATE_FORM."""
    found: dict[int, list[Finding]] = defaultdict(list)
    index = FingerprintIndex()
    of_form: dict[tuple[str, str], frozenset[str]] = defaultdict(frozenset)
    for result in results:
        key = (result.source.sha256, result.source.path)
        of_form[key] = of_form[key] | (_constituencies(result) - {UNKNOWN_BLOCK})
    for i, result in enumerate(results):
        named = of_form[(result.source.sha256, result.source.path)]
        index.add(i, result, named or None)
    for a, b, measure in index.copies():
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
                        boxes=(mine.bbox, other.bbox),  # here, then on the related form
                        values={**measure, "mark": mine.label},
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
