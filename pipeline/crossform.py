"""Across forms: the same stamp or signature image on different forms, the same scan twice.

A digital paste repeats one impression's pixels (up to recompression and capture); a
physical stamp pressed again, or a signer signing again, never does. Candidates are found
through an index of perceptual-hash bands (no all-pairs comparison), then confirmed on
the descriptors. A signature's (32x32): mean absolute difference after contrast
normalisation. A stamp's (64x64 ink): every stamp has the same two rings and a ring of
text, so coarse difference cannot tell a pasted copy from another station's stamp; the
two are registered (a few pixels of shift and 4% of scale, what the detector's box
leaves) and compared by normalised cross-correlation, which only a copy of one
impression, at its own rotation and with its own patchy ink, brings close to 1 (the
copies of one station's form bear one rubber stamp, pressed on each, sometimes nearly
alike: between them a paste must come closer, SAME_STATION_STAMP_SIMILARITY). A pair
of two stations' stamps is also registered by a free affine map (ECC), which brings a
paste boxed unlike its original (an edge cut, a wider margin: the descriptors stretched
unlike; since the stamp's box is grown to its outer ring, `rings`, seldom) back near 1
while two impressions stay apart (`alignment`); the map also says
how far it turns one onto the other, and a paste keeps its orientation on the page where
a rubber stamp pressed by hand turns by degrees (UNTURNED_SIMILARITY). Those
comparisons are dear (2-3 ms), and stamps are alike enough that a hash band alone
leaves a fifth of all pairs as candidates; so a stamp is indexed under its form's
constituency (the header's code and name, and any code legible on its stamps: a paste
is made in one returning officer's office) and a candidate pair must also be near in
Hamming distance.
A pasted stamp is one image on both forms, so its text read on one (where legible) is
its text on the other: judged against each form's header (STAMP_TEXT_MISMATCH); and
another copy of a form whose stamp is so shown another station's names another station
too where its own stamp's centre reads a number not the header's.
DUPLICATE_FORM is identical content (sha256 of the file) under another name; the later
submission in the sequence carries it, and marks shared by such a pair are not copies.
The pass reads each result once and keeps only its marks (their descriptors in a
temporary file) and its source, so an archive's results need not fit in memory at once.
"""

from __future__ import annotations

import base64
import sys
import tempfile
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.model import BBox, Evidence, Finding, FormResult, SignatureStatus, Stamp
from pipeline.stages.stamp_text import (
    UNSURE_NUMBER,
    StampText,
    another_number,
    centre_numbers,
    constituency_codes,
    header_numbers,
    header_text,
    mismatch,
    names_neither,
    names_the_other,
    read_alike_as_other,
    two_stations,
)

BANDS = 8  # perceptual hash split into bands; sharing any band makes a candidate pair
COPY_DISTANCE = 0.065  # signatures, below: one image; set on seed 9001 (benchmarks/RESULTS.md)
# ... or below NEAR_COPY_DISTANCE with perceptual hashes at most SIGNATURE_HASH_RADIUS of 256
# bits apart. Every pair of signatures in one constituency on two forms, seeds 9002
# (1,026,462 pairs) and 9004 (824,168): the pasted pairs 4-28 bits and 0.008-0.138 apart,
# all but three within 20 bits and 0.080 (three of seed 9002's were missed at 0.068-0.076,
# blurred or recompressed); every other pair 28 bits or more apart, two signings by one
# hand (a form and its agent's copy) from 0.107. Seeds 9005 and 9006 (officers' signatures,
# 28,000 pairs): pastes up to 22 bits and 0.108 apart, every other pair 38 bits or more;
# a radius of 24 let through a pair of two images on seed 9006 (two agents' signatures, 24
# bits and 0.072 apart) and one on 9007 (runs of seeds 9002 and 9004-9008). Seed 9008's
# pastes missed at 0.095 and 20 bits: 22 bits (0.07, 0.09) and 16 bits (0.113), blurred
# and recompressed.
NEAR_COPY_DISTANCE = 0.14
SIGNATURE_HASH_RADIUS = 22
# the copies of one station's form bear one rubber stamp, pressed on each: as alike as
# 0.944 (seed 9002, 84 pairs of copies); a paste between them must be closer
SAME_STATION_STAMP_SIMILARITY = 0.97
# Shift and scale leave a paste apart from its original where the detector boxed the two
# differently (a stamp's edge cut on one, a wider margin on the other; the 64x64 ink
# descriptor then stretches them unlike): 15 of 104 pastes among the candidate pairs of
# seeds 9002, 9004, 9005 and 9006 came 0.66-0.85 alike. Registered again by a free
# affine map (`alignment`), those came 0.85-0.99 and 10 of them at or above
# ALIGNED_COPY_SIMILARITY. Every candidate pair of seeds 9002 and 9004-9008 (1,505; 168
# pastes): pairs of two stations' stamps 0.934 at most, two impressions of one rubber
# stamp on a form and its agent's copy (PS-57_ps224 of seed 9007) 0.942.
ALIGNED_COPY_SIMILARITY = 0.95
# Below it, a paste keeps its orientation on the page (each page's own turn is undone
# before its stamps are described) and a rubber stamp pressed by hand turns by degrees.
# Seeds 9013-9015, registered pairs 0.86-0.96 alike: the 30 pastes turned 0.27 degrees
# at most, 0.889 alike and up (phone photos at 150 dpi, boxes cut); the 46 pairs of
# impressions of one rubber stamp 1.18 degrees or more (0.945 at the most alike); two
# stations' stamps of one design 0.05 and 0.19 degrees at 0.876 and 0.880 alike, 0.39
# and 0.40 at 0.907 and 0.912 (taken for pastes when 0.85 alike under shift and scale and
# 0.90 registered sufficed: seeds 9013's PS-175 and 9015's PP-51 pairs).
UNTURNED_SIMILARITY = 0.885
UNTURNED_TURN = 0.3  # degrees
# ... and from this likeness where their centres read one station number, in either
# image of their ink (`_read_alike`): two stations' stamps of one design unturned read
# two numbers. Seed 9046's PK-32_ps133 and ps188 (station 133's stamp pasted onto a
# 150-dpi phone photo of 188's form under JPEG 43, "PS 133" read from its darkness):
# 0.879, turned 0.08 degrees. On seeds 9035-9046 judged again (`benchmarks.rejudge
# --all`), pairs so read 0.75-0.885 alike and turned 0.3 degrees or less: six pastes
# 0.870-0.884 (turned 0.18 degrees at most), and two pressings of one rubber stamp, each
# turned 0.23 degrees: 0.816 (a form and its agent's copy, its header's number unread)
# and 0.852 (seed 9036's NA-199_ps190 and ps231's agent copy, an echo of a paste,
# `_without_echoes`). The bar sits between, a thin margin: 0.86.
READ_ALIKE_UNTURNED = 0.86
# Two stamps whose centres read station numbers two digits or more apart are two rubber
# stamps of one design (`stamp_text.two_stations`) unless ALIGNED_COPY_SIMILARITY alike:
# seed 9010's PP-85_ps213 and PS-87_ps200 agent copy ("PS 213", "PS 200"; 0.889 alike,
# 0.901 registered), NA-146's ps055 agent copy and ps076 ("PS 55", "PS 76"; 0.914,
# 0.928), each pair the same kind of building round the ring, were taken for pastes; no
# paste of the seven stored runs (seeds 9002, 9004-9009: 260 found) was so read.
# less alike under shift and scale: not registered again (pastes 0.658 and up on seeds
# 9002-9012; seed 9017's NA-232_ps012 and ps028 0.635, 0.982 registered, turned 0.00
# degrees: 0.60 since, no other pair of seeds 9012-9017 taken; the cross-form pass over
# 10,000 forms 243 s against 140 s at 0.65, against some 16 hours of reading their pages
# on two cores (100 pages a minute). Seed 9016's NA-248_ps109
# 0.42-0.46, yet a floor of 0.40 took the cross-form pass over 10,000 forms from 140 s to
# 531 s and did not find it: 22 hash bits from both its copies, never a candidate)
ALIGNED_FLOOR = 0.60
# Two stamps of one constituency whose centres read one station number are compared
# however far apart their hashes, and registered from this likeness up: seed 9019's
# PP-196_ps133 and ps156, station 133's stamp pasted onto 156's form ("PS 133 PP-196" read
# on both): 22 hash bits apart, 0.53 alike under shift and scale (a signature's stroke
# boxed with one copy), 0.974 registered, turned 0.02 degrees. A form's own copies read
# alike as well; they are judged as one station's (SAME_STATION_STAMP_SIMILARITY).
READ_ALIKE_FLOOR = 0.40
ALIGNED_STEPS = 20  # the affine search's iterations (cv2.findTransformECC)
STAMP_SCALES = (0.96, 0.98, 1.0, 1.02, 1.04)
# of 64 bits: stamp pairs further apart are not compared. 12 until seed 9005: its pastes
# 14 and 16 bits apart at 0.86-0.92 alike (NA-36, NA-204); at 16 (with the one-bit band
# probes) seeds 9002, 9004 and 9005 gave one false pair, two stamps in two inks
# (`_other_inks`), and 18 no more pastes. Seed 9012's PK-46_ps167 and ps182 bore one paste
# 18 bits apart (0.969 registered, a band shared): 18 since, judged by registration, no
# other pair of its 1,153 pages taken (candidate stamp pairs 720 -> 1,309). The price is
# time: the cross-form pass over 10,000 forms of re-pressed stamps (`benchmarks.marks`)
# took 148 s at 18 against 238 s at 20 (no more pastes there on seed 9012)
STAMP_HASH_RADIUS = 18
# a stamp of a form whose constituency no other form names (header and stamps illegible,
# or misread: seed 9005's "NA-556" for NA-56) is compared with every stamp this near, in
# any constituency: seed 9005's two such pastes were 4 and 6 bits apart, its 12 lone
# forms' stamps had 3 others within 6 bits (12 within 8, 56 within 10) among 611
ORPHAN_HASH_RADIUS = 6
UNKNOWN_BLOCK = "?"  # constituency of a form whose header and stamps are both illegible
NAME_BLOCK = "name:"  # a constituency known by its header's name (`_constituencies`)
NAME_LETTERS = 4  # a name read shorter than this is no block
# the header fields a stamp's text is judged against (`stamp_text.mismatch`)
# (and the constituency's name: `_same_numbered_place`)
HEADER_FOR_STAMPS = frozenset(
    {
        "constituency",
        "constituency_name",
        "polling_station_number",
        "polling_station_name",
        UNSURE_NUMBER,
    }
)
# stamps whose registration views are kept while the pairs are judged (about 70 KB each;
# the pairs come sorted, each stamp's with the ones after it, mostly of its own block: on
# 10,000 forms of 700 a constituency, 256 kept: 46.5 s, 1,024: 43.6 s, 4,096: 42.4 s)
VIEWS_KEPT = 256


@dataclass(frozen=True, slots=True)
class Mark:
    form: int  # index of the result in the batch
    kind: str  # "stamp" | "signature"
    phash: str  # a stamp's (a signature's waits in the store, after its descriptor)
    at: int  # where its descriptor's bytes are in the index's store
    size: int
    hash_size: int  # a signature's hash, stored after its descriptor (0: none stored)
    box: tuple[int, int, int, int]
    label: str
    text: tuple[str, str] = ("", "")  # a stamp's ring and centre text as read
    again: tuple[str, str] = ("", "")  # ... and as read from its ink's darkness, if coloured

    @property
    def bbox(self) -> BBox:
        x0, y0, x1, y1 = self.box
        return BBox(x0=x0, y0=y0, x1=x1, y1=y1)


def _normalised(raw: bytes) -> np.ndarray | None:
    pixels = np.frombuffer(raw, dtype=np.uint8).astype(np.float32)
    side = round(pixels.size**0.5)
    if side < 8 or side * side != pixels.size:
        return None
    spread = pixels.std()
    return ((pixels - pixels.mean()) / spread).reshape(side, side) if spread > 1e-3 else None


def descriptor_array(encoded: str) -> np.ndarray | None:
    """A square descriptor, contrast-normalised (zero mean, unit spread)."""
    return _normalised(base64.b64decode(encoded)) if encoded else None


def descriptor_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean()) / 1.6  # ~0 identical, ~1 unrelated


@dataclass(frozen=True, slots=True)
class StampView:
    """A stamp descriptor and its middle at each registration scale, made once for the
    many pairs a stamp takes part in (the resizing was 40% of a comparison)."""

    image: np.ndarray
    middles: tuple[np.ndarray, ...]


def stamp_view(descriptor: np.ndarray) -> StampView:
    side = descriptor.shape[0]
    margin = side // 10
    middles = []
    for scale in STAMP_SCALES:
        size = round(side * scale)
        scaled = cv2.resize(descriptor, (size, size), interpolation=cv2.INTER_AREA)
        pad = max(0, side - size)
        scaled = np.pad(scaled, pad)
        off = (scaled.shape[0] - side) // 2
        middle = scaled[off + margin : off + side - margin, off + margin : off + side - margin]
        middles.append(np.ascontiguousarray(middle))
    return StampView(descriptor, tuple(middles))


def _registered(a: StampView, b: StampView) -> float:
    """Best correlation of b's middle, at a few scales, slid over a."""
    return max(
        float(cv2.matchTemplate(a.image, middle, cv2.TM_CCOEFF_NORMED).max())
        for middle in b.middles
    )


def view_similarity(a: StampView, b: StampView) -> float:
    if a.image.shape != b.image.shape:
        return 0.0
    return max(_registered(a, b), _registered(b, a))


def stamp_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """How nearly two stamp descriptors are one image (1 identical, ~0 unrelated)."""
    if a.shape != b.shape:
        return 0.0
    return view_similarity(stamp_view(a), stamp_view(b))


@dataclass(frozen=True, slots=True)
class Alignment:
    """Two stamp descriptors registered by a free affine map: how alike they then are
    (normalised cross-correlation over the middle one covers of the other) and by how
    many degrees the map turns one onto the other."""

    correlation: float
    turn: float


UNALIGNED = Alignment(0.0, 180.0)  # the search diverged: no map brings them together


def alignment(a: np.ndarray, b: np.ndarray) -> Alignment:
    """Two stamp descriptors registered by the affine map (stretch, shear and turn as
    well as shift and scale) that best correlates them, searched from no change
    (cv2.findTransformECC): the better of the two ways round."""
    return max(_aligned(a, b), _aligned(b, a), key=lambda found: found.correlation)


def aligned_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """How nearly two stamp descriptors are one image once registered (`alignment`)."""
    return alignment(a, b).correlation


def _aligned(a: np.ndarray, b: np.ndarray) -> Alignment:
    side = a.shape[0]
    if b.shape != a.shape:
        return UNALIGNED
    steps = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, ALIGNED_STEPS, 1e-4)
    everywhere = np.full(a.shape, 255, np.uint8)
    try:
        _, warp = cv2.findTransformECC(
            a, b, np.eye(2, 3, dtype=np.float32), cv2.MOTION_AFFINE, steps, everywhere, 3
        )
    except cv2.error:
        return UNALIGNED
    inverse = cv2.WARP_INVERSE_MAP
    mapped = cv2.warpAffine(b, warp, (side, side), flags=cv2.INTER_LINEAR + inverse)
    covered = cv2.warpAffine(
        np.ones_like(b), warp, (side, side), flags=cv2.INTER_NEAREST + inverse
    ).astype(bool)
    margin = side // 10
    covered[:margin], covered[-margin:] = False, False
    covered[:, :margin], covered[:, -margin:] = False, False
    if np.count_nonzero(covered) < side * side // 4:
        return UNALIGNED
    x, y = a[covered], mapped[covered]
    x, y = x - x.mean(), y - y.mean()
    spread = float(np.sqrt((x * x).sum() * (y * y).sum()))
    turn = float(np.degrees(np.arctan2(warp[1, 0] - warp[0, 1], warp[0, 0] + warp[1, 1])))
    return Alignment(float((x * y).sum()) / spread if spread > 1e-6 else 0.0, turn)


def _stamp_verdict(
    similarity: float, aligned: Alignment, one_station: bool, read_alike: bool = False
) -> bool:
    """Whether two stamps are one impression: for two copies of one station's form
    (`_one_station`) as alike as SAME_STATION_STAMP_SIMILARITY; else registered as alike
    as ALIGNED_COPY_SIMILARITY, or UNTURNED_SIMILARITY without a turn between them
    (READ_ALIKE_UNTURNED where their centres read one station, `_read_alike`)."""
    if one_station:
        return similarity >= SAME_STATION_STAMP_SIMILARITY
    unturned = READ_ALIKE_UNTURNED if read_alike else UNTURNED_SIMILARITY
    return aligned.correlation >= ALIGNED_COPY_SIMILARITY or (
        aligned.correlation >= unturned and abs(aligned.turn) <= UNTURNED_TURN
    )


def _one_signature(
    a: np.ndarray, b: np.ndarray, hash_bits: int | None = None
) -> tuple[bool, dict[str, float]]:
    """Whether two signatures' descriptors are one image, and the measure that says so
    (`hash_bits`: how far apart their perceptual hashes are, where known)."""
    distance = descriptor_distance(a, b) if a.shape == b.shape else 1.0
    measure = {"descriptor_distance": round(distance, 4), "threshold": COPY_DISTANCE}
    if distance < COPY_DISTANCE:
        return True, measure
    if hash_bits is None:
        return False, measure
    near = hash_bits <= SIGNATURE_HASH_RADIUS and distance < NEAR_COPY_DISTANCE
    return near, {
        **measure,
        "hash_bits_apart": hash_bits,
        "near_threshold": NEAR_COPY_DISTANCE,
        "hash_radius": SIGNATURE_HASH_RADIUS,
    }


def _other_inks(a: str, b: str) -> bool:
    """Two stamps in inks of different colours (a pasted copy keeps its colour; a grey
    scan or a black pad names none): seed 9002's violet PK-137_ps115 and blue ps116 came
    0.857 alike under shift and scale."""
    return a != b and "black" not in (a, b)


def _hash_bits(phash: str) -> int:
    """A stamp's 64-bit hash as a number (0 for one that is not hex: compared with all)."""
    try:
        return int(phash, 16) & 0xFFFF_FFFF_FFFF_FFFF
    except ValueError:
        return 0


def _hamming(a: str, b: str) -> int:
    if len(a) != len(b):
        return 4 * max(len(a), len(b))
    try:
        return (int(a, 16) ^ int(b, 16)).bit_count()
    except ValueError:  # not hex (a result from elsewhere): equal or as far as can be
        return 0 if a == b else 4 * len(a)


def _constituencies(result: FormResult) -> frozenset[str]:
    """Constituencies a form names: its header's code and those legible on its stamps
    (from their colour, and a coloured stamp's from its darkness too: seed 9043's
    PP-17_ps150, its code unread, its pasted stamp's colour illegible, "PS 126 PP-17" in
    its darkness), and its header's constituency name (a block of its own, "name:" and the name's
    letters and digits): a form whose code went unread is still indexed with the forms
    of its constituency (seed 9006's NA-41_ps144, "Faisalabad-I" read, no code: its
    pasted stamp 8 bits from the original, beyond ORPHAN_HASH_RADIUS)."""
    texts = [t or "" for s in result.stamps for t in (s.centre_text, s.ring_text)]
    again = [s.darkness_reading for s in result.stamps if s.darkness_reading is not None]
    texts += [t or "" for r in again for t in (r.centre_text, r.ring_text)]
    named = result.header.get("constituency")
    if named is not None and named.value is not None:
        texts.append(str(named.value))
    blocks = {code for text in texts for code in constituency_codes(text)}
    name = result.header.get("constituency_name")
    if name is not None and name.value is not None:
        letters = "".join(c for c in str(name.value).lower() if c.isalnum())
        if len(letters) >= NAME_LETTERS:
            blocks.add(NAME_BLOCK + letters)
    return frozenset(blocks) or frozenset({UNKNOWN_BLOCK})


class FingerprintIndex:
    """Incremental index of marks: add forms as they finish, ask for copies at the end.

    Small per mark, for archives of 100,000 forms: the descriptors (1-4 KB each) wait in
    a temporary file until a candidate pair needs them, and each hash band is one 64-bit
    key (block, kind, band, value) in an array, sorted when copies are asked for."""

    def __init__(self) -> None:
        self.marks: list[Mark] = []
        self._store = tempfile.TemporaryFile()  # noqa: SIM115 - lives as the index does
        self._stored = 0
        self._keys = array("q")  # one per (mark, block, band)
        self._members = array("q")  # the mark of each key
        self._block_ids: dict[str, int] = {}
        self._owners: dict[int, set[int]] = defaultdict(set)  # block: the files naming it
        self._stamp_blocks: dict[int, tuple[int, ...]] = {}  # stamp mark: its blocks
        # (block, station number its centre reads): the stamps reading it
        self._read_as: dict[tuple[int, int], list[int]] = defaultdict(list)

    def _key(self, kind: str, block: str, band: int, value: str) -> int:
        """Exact for hex hash bands up to 32 bits (a signature's 256-bit hash in 8 bands);
        a longer or non-hex band is folded to 32 bits (a shared key is only a candidate)."""
        block_id = self._block_ids.setdefault(block, len(self._block_ids))
        kind_bit = 1 if kind == "stamp" else 0
        try:
            bits = int(value, 16) if len(value) <= 8 else zlib.crc32(value.encode())
        except ValueError:
            bits = zlib.crc32(value.encode())
        return ((block_id * 2 + kind_bit) * BANDS + band) << 32 | bits

    def add(
        self,
        form: int,
        result: FormResult,
        blocks: frozenset[str] | None = None,
        owner: int | None = None,
    ) -> None:
        """Index a page's marks; `blocks`: the constituencies of its whole form, when a
        page of several (a stamp on the last page, the header on the first); `owner`: its
        file, when a file of several pages (`form` otherwise)."""
        items: list[tuple[str, str, str, BBox, str, tuple[str, str], tuple[str, str]]] = [
            ("stamp", s.fingerprint, s.descriptor, s.bbox, s.color, *_stamp_texts(s))
            for s in result.stamps
        ]
        items += [
            ("signature", s.fingerprint, s.descriptor, s.bbox, s.role.value, ("", ""), ("", ""))
            for s in result.signatures
            if s.status is SignatureStatus.PRESENT and s.kind == "signature"
        ]
        blocks = blocks or _constituencies(result)
        for block in blocks:
            block_id = self._block_ids.setdefault(block, len(self._block_ids))
            self._owners[block_id].add(form if owner is None else owner)
        for kind, phash, encoded, bbox, label, text, again in items:
            raw = base64.b64decode(encoded) if encoded else b""
            if _normalised(raw) is None or not phash:
                continue
            index = len(self.marks)
            if self._store.tell() != self._stored:  # a descriptor was read meanwhile
                self._store.seek(self._stored)
            stored = phash.encode("ascii", "replace") if kind == "signature" else b""
            self._store.write(raw + stored)
            box = (bbox.x0, bbox.y0, bbox.x1, bbox.y1)
            kept = phash if kind == "stamp" else ""
            mark = Mark(
                form,
                kind,
                kept,
                self._stored,
                len(raw),
                len(stored),
                box,
                sys.intern(label),
                text,
                again,
            )
            self.marks.append(mark)
            self._stored += len(raw) + len(stored)
            # stamps only: blocking signatures too lost pastes across a misread header
            # (seed 9001: SIGNATURE_DUPLICATE recall 0.83 -> 0.62, precision 0.55 -> 0.67)
            mine = blocks if kind == "stamp" else frozenset({""})
            if kind == "stamp":
                self._stamp_blocks[index] = tuple(self._block_ids[b] for b in sorted(blocks))
                # the number its centre reads, in either image of its ink
                numbers = {int(read[0]) for t in (text, again) if (read := centre_numbers(t[1]))}
                for block in sorted(blocks - {UNKNOWN_BLOCK}):  # every seat has its "PS 12"
                    for number in sorted(numbers):
                        self._read_as[(self._block_ids[block], number)].append(index)
            width = max(1, len(phash) // BANDS)
            for block in sorted(mine):
                for band in range(BANDS):
                    value = phash[band * width : (band + 1) * width]
                    self._keys.append(self._key(kind, block, band, value))
                    self._members.append(index)

    def descriptor(self, mark: Mark) -> np.ndarray:
        self._store.seek(mark.at)
        normalised = _normalised(self._store.read(mark.size))
        assert normalised is not None  # only descriptors that normalise are indexed
        return normalised

    def _stored_hash(self, mark: Mark) -> str:
        self._store.seek(mark.at + mark.size)
        return self._store.read(mark.hash_size).decode("ascii")

    def hash_bits(self, a: Mark, b: Mark) -> int | None:
        """How many bits apart two signatures' perceptual hashes are (None for stamps)."""
        if not (a.hash_size and b.hash_size):
            return None
        return _hamming(self._stored_hash(a), self._stored_hash(b))

    def _near(self, a: int, b: int) -> bool:
        """Stamps: within STAMP_HASH_RADIUS (checked before a pair is kept, so that a
        block of many alike stamps, such as the unknown constituency's, stays small)."""
        ma, mb = self.marks[a], self.marks[b]
        return ma.kind != "stamp" or _hamming(ma.phash, mb.phash) <= STAMP_HASH_RADIUS

    def candidate_pairs(self) -> list[tuple[int, int]]:
        """Pairs of marks (indices, in order) sharing a hash band in one block, stamps
        also near in Hamming distance; signatures also whose bands differ in one bit;
        stamps also whose centres read one station (`_read_alike`)."""
        return sorted(self._hash_pairs() | self._read_alike())

    def _hash_pairs(self) -> set[tuple[int, int]]:
        keys = np.frombuffer(self._keys, dtype=np.int64)
        members = np.frombuffer(self._members, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        keys, members = keys[order], members[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        ends = np.r_[starts[1:], len(keys)]
        pairs: set[tuple[int, int]] = set()
        for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
            group = sorted(set(members[start:end].tolist()))
            pairs.update(
                (a, b) for i, a in enumerate(group) for b in group[i + 1 :] if self._near(a, b)
            )
        pairs.update(_one_bit_apart(keys, members, stamps=False))
        pairs.update(
            pair for pair in _one_bit_apart(keys, members, stamps=True) if self._near(*pair)
        )
        pairs.update(self._lone_pairs())
        return pairs

    def _read_alike(self) -> set[tuple[int, int]]:
        """Stamps of one constituency whose centres read one station number."""
        return {
            (a, b)
            for marks in self._read_as.values()
            for i, a in enumerate(marks)
            for b in marks[i + 1 :]
        }

    def _lone_pairs(self) -> set[tuple[int, int]]:
        """Stamps of a form alone in its constituencies (or of none legible), each with
        every stamp within ORPHAN_HASH_RADIUS: a paste between such a form and one of its
        true constituency shares no block. Linear per lone stamp (popcounts over all)."""
        unknown = self._block_ids.get(UNKNOWN_BLOCK)
        lone = [
            mark
            for mark, blocks in self._stamp_blocks.items()
            if all(b == unknown or len(self._owners[b]) == 1 for b in blocks)
        ]
        if not lone:
            return set()
        stamps = np.fromiter(self._stamp_blocks, dtype=np.int64)
        hashes = np.array([_hash_bits(self.marks[i].phash) for i in stamps.tolist()], np.uint64)
        pairs: set[tuple[int, int]] = set()
        for mark in lone:
            bits = np.uint64(_hash_bits(self.marks[mark].phash))
            near = stamps[np.bitwise_count(hashes ^ bits) <= ORPHAN_HASH_RADIUS].tolist()
            pairs.update((min(mark, other), max(mark, other)) for other in near if other != mark)
        return pairs

    def copies(self) -> Iterator[tuple[Mark, Mark, dict[str, float]]]:
        """Pairs of marks on different forms that are one image."""
        views = lru_cache(maxsize=VIEWS_KEPT)(
            lambda mark: stamp_view(self.descriptor(self.marks[mark]))
        )
        read_alike = self._read_alike()
        for a, b in sorted(self._hash_pairs() | read_alike):
            ma, mb = self.marks[a], self.marks[b]
            if ma.form == mb.form:  # a band key holds one kind of mark
                continue
            if ma.kind == "stamp":
                if _other_inks(ma.label, mb.label):
                    continue
                similarity = view_similarity(views(a), views(b))
                floor = READ_ALIKE_FLOOR if (a, b) in read_alike else ALIGNED_FLOOR
                if similarity < floor:
                    continue
                da, db = views(a).image, views(b).image
                aligned = alignment(da, db)
                # judged in `crossform_findings`, where the forms' stations are known
                alike = (a, b) in read_alike
                same = _stamp_verdict(similarity, aligned, False, alike) or (
                    _stamp_verdict(similarity, aligned, one_station=True)
                )
                measure = {  # rounded when told
                    "similarity": similarity,
                    "aligned": aligned.correlation,
                    "turn_degrees": aligned.turn,
                    "read_alike": float(alike),
                }
            else:
                da, db = self.descriptor(ma), self.descriptor(mb)
                same, measure = _one_signature(da, db, self.hash_bits(ma, mb))
            if same:
                yield ma, mb, measure

    def close(self) -> None:
        self._store.close()


def _one_bit_apart(keys: np.ndarray, members: np.ndarray, *, stamps: bool) -> set[tuple[int, int]]:
    """Marks of one kind whose hashes differ in exactly one bit of a band (`keys` sorted).
    A signature paste recompressed or rescanned moves its 256-bit hash by 4-28 bits, and
    at 14 bits spread over all eight bands none is left equal (seed 9004: PK-5_ps237,
    0.038 apart in descriptor); one bit of slack in a band finds such pairs, at about three
    times the candidates of equal bands alone (on seeds 9002 and 9004's 12,983 signatures,
    315 pairs against 98). A stamp's 64-bit hash is eight 8-bit bands: two hashes up to 15
    bits apart have a band within one bit (seed 9005: a paste 12 bits apart shared no band,
    PP-168_ps021 and ps060). Each probe flips one bit of a band's value, the key's lowest
    32 bits (a stamp's band has 8)."""
    kind = ((keys >> 32) // BANDS) % 2 == int(stamps)  # the kind bit of `_key`: 1 for stamps
    probed, owners = keys[kind], members[kind]
    pairs: set[tuple[int, int]] = set()
    for bit in range(8 if stamps else 32):
        probes = probed ^ np.int64(1 << bit)
        low = np.searchsorted(keys, probes, side="left")
        high = np.searchsorted(keys, probes, side="right")
        for at in np.flatnonzero(high > low):
            owner = int(owners[at])
            for other in members[low[at] : high[at]].tolist():
                if other != owner:
                    pairs.add((min(owner, other), max(owner, other)))
    return pairs


@dataclass(frozen=True, slots=True)
class _Source:
    path: str
    page: int
    sha256: str
    # (constituency, the numbers the station may be) of its form's header
    station: tuple[str, frozenset[str]] | None
    header: tuple[tuple[str, str], ...]  # what `mismatch` reads of its form's header
    office: str | None = None  # a Form 47's constituency: its returning officer's stamp


def _stamps_alike(a: Mark, b: Mark, measure: dict[str, float], sources: list[_Source]) -> bool:
    """Whether two stamps on two forms are one image, by the bar their forms' stations set
    (`_one_station`, `_stamp_verdict`), and not two stations' stamps of one design whose
    centres name two stations (`stamp_text.two_stations`)."""
    one_station = _one_station(sources[a.form], sources[b.form])
    aligned = Alignment(measure["aligned"], measure["turn_degrees"])
    read_alike = bool(measure.get("read_alike"))
    if not _stamp_verdict(measure["similarity"], aligned, one_station, read_alike):
        return False  # not one image by the bar their stations set
    if measure["aligned"] >= ALIGNED_COPY_SIMILARITY:
        return True
    # alike only unturned (UNTURNED_SIMILARITY): in one ink, a black stamp's darkness and a
    # coloured one's saturation are two images of two inks (seed 9036's PP-198_ps168,
    # station 168's black stamp, and ps201's blue one: 0.921 registered, turned 0.26)
    seats = [dict(sources[m.form].header).get("constituency", "") for m in (a, b)]
    return (
        a.label == b.label
        and not two_stations(a.text[1], b.text[1], seats)
        and not _each_its_own(a, b, sources)
    )


def _each_its_own(a: Mark, b: Mark, sources: list[_Source]) -> bool:
    """Whether each stamp's centre reads its own form's station number (in either image of
    its ink), the two forms' numbers differing: each station's own stamp, where a paste
    carries its source's number onto the other form. Seed 9050's PS-93_ps122 and ps124,
    two stations' stamps of one design 0.891 alike turned 0.02 degrees, read "PS 122" and
    "P5124" ("PS 124" in its darkness) on the forms of stations 122 and 124. Seeds
    9035-9050 judged again (`benchmarks.rejudge --all`): that pair cleared, no other."""
    owns = []
    for mark in (a, b):
        header = dict(sources[mark.form].header)
        own = {int(n) for n in header_numbers(header)}
        seats = [header.get("constituency", "")]
        read = {
            int(n)
            for centre in (mark.text[1], mark.again[1])
            for n in centre_numbers(centre, seats)
        }
        if not own & read:
            return False
        owns.append(own)
    return not owns[0] & owns[1]


def _without_echoes(
    copies: list[tuple[Mark, Mark, dict[str, float]]], sources: list[_Source]
) -> list[tuple[Mark, Mark, dict[str, float]]]:
    """The pairs that are one image, less a pressing's echo of a paste. A stamp pasted
    from station Z's form onto Y's is Z's impression; another pressing of Z's rubber stamp
    on a copy X of Z's form, judged no copy of Z's impression by one station's bar, is
    none of Y's either, though unturned and alike enough (UNTURNED_SIMILARITY) to pass
    between two stations' forms: seed 9031's PP-57_ps140 agent copy, its violet stamp
    0.892 alike and 0.3 degrees turned from the paste on PP-57_ps238, 0.898 and 0.07 from
    the pasted impression on PP-57_ps140 itself (judged by one station's bar: 0.683)."""
    kept: list[tuple[Mark, Mark, dict[str, float]]] = []
    restamped: set[frozenset[int]] = set()  # pages: one station's pressings, no copies
    for a, b, measure in copies:
        if a.kind != "stamp" or _stamps_alike(a, b, measure, sources):
            kept.append((a, b, measure))
        elif _one_station(sources[a.form], sources[b.form]):
            restamped.add(frozenset((a.form, b.form)))
    partners: dict[int, set[int]] = defaultdict(set)  # page: pages sharing a stamp image
    for a, b, _ in kept:
        if a.kind == "stamp":
            partners[a.form].add(b.form)
            partners[b.form].add(a.form)

    def echo(mine: int, paste: int) -> bool:
        return any(frozenset((mine, z)) in restamped for z in partners[paste] - {mine})

    return [
        (a, b, measure)
        for a, b, measure in kept
        if a.kind != "stamp"
        or measure["aligned"] >= ALIGNED_COPY_SIMILARITY
        or not (echo(a.form, b.form) or echo(b.form, a.form))
    ]


def _station(pages: list[FormResult]) -> tuple[str, frozenset[str]] | None:
    """The polling station a form's header names (on its first page that names one): its
    constituency and number, or the numbers a withheld one may be (`header_numbers`)."""
    for page in pages:
        text = header_text(page.header)
        code, numbers = text.get("constituency"), header_numbers(text)
        if code is not None and numbers:
            return code, frozenset(str(int(n)) for n in numbers)
    return None


def _one_station(a: _Source, b: _Source) -> bool:
    """Whether two forms may be copies of one station's, whose stamps a paste must bring
    nearer (SAME_STATION_STAMP_SIMILARITY): seed 9002's PK-2_ps171 and its agent's copy,
    its number withheld at 0.88 as "171": one rubber stamp, 0.892 alike; or two Form 47s
    of one constituency (its returning officer's stamp on each: seed 9006's PP-62_form47
    .jpg and .png, 0.933 alike). Copies (`_copy_of`) whose codes read a character apart
    too: seed 9050's NA-56_ps036 ("NA-556") and its agent's copy, station 36's name read
    alike on both, two pressings of one rubber stamp 0.944 alike, turned 0.04 degrees.
    Seeds 9035-9050 judged again (`benchmarks.rejudge --all`): that pair cleared, no
    other."""
    return (
        _copy_of(a, b)
        or _same_numbered_place(a, b)
        or (a.office is not None and a.office == b.office)
    )


def _same_numbered_place(a: _Source, b: _Source) -> bool:
    """Where one header's constituency code went unread: a station number both headers
    may be, and the constituency's name read alike on both (seed 9031's PP-57_ps140,
    its code read "PP-ST", and its agent's copy: both "Karachi-II", station 140)."""
    if a.station is not None and b.station is not None:
        return False
    mine, theirs = dict(a.header), dict(b.header)
    name = mine.get("constituency_name")
    numbers = {int(n) for n in header_numbers(mine)}
    return (
        name is not None
        and name == theirs.get("constituency_name")
        and bool(numbers & {int(n) for n in header_numbers(theirs)})
    )


def _same_station(a: _Source, b: _Source) -> bool:
    """One constituency and a station number both headers may be."""
    return (
        a.station is not None
        and b.station is not None
        and a.station[0] == b.station[0]
        and bool(a.station[1] & b.station[1])
    )


def _stamp_texts(stamp: Stamp) -> tuple[tuple[str, str], tuple[str, str]]:
    """A stamp's ring and centre text as read from its colour (or, for a black stamp, its
    darkness), and as read again from a coloured stamp's darkness."""
    again = stamp.darkness_reading
    return (stamp.ring_text or "", stamp.centre_text or ""), (
        (again.ring_text or "", again.centre_text or "") if again is not None else ("", "")
    )


def _read_elsewhere(mine: Mark, other: Mark, sources: list[_Source]) -> Finding | None:
    """STAMP_TEXT_MISMATCH from a pasted stamp's other copy: the two are one image, so
    what the other copy's text says (read where it was clearer) is what this one says;
    if that names another station than this form's header, so does this stamp. Where
    neither copy's text names another station outright, it may still name the other
    form's (`names_the_other`: its station number in the centre, or its place on the
    ring): the stamp was pasted from there; or a number neither form's, read alike on both
    copies (`names_neither`). None when the readings name no other station."""
    here, there = sources[mine.form], sources[other.form]
    texts = [StampText(ring=m.text[0], centre=m.text[1]) for m in (mine, other) if any(m.text)]
    # every image read of both copies: a coloured stamp's darkness is often the clearer
    # (seed 9035's NA-106_ps055, station 52's stamp pasted onto station 55's form:
    # "BAGBANFLRA" twice round in its darkness, for station 52's Baghbanpura, its colour
    # giving no place; "PS 52", a digit from 55, in both)
    read = texts + [
        StampText(ring=m.again[0], centre=m.again[1]) for m in (mine, other) if any(m.again)
    ]
    if _own_number_read(read, dict(here.header)):
        return None
    said = (
        mismatch(StampText(ring=other.text[0], centre=other.text[1]), dict(here.header))
        if any(other.text)
        else None
    ) or names_the_other(read, dict(here.header), dict(there.header))
    said = (
        said
        or names_neither(texts, dict(here.header), dict(there.header))
        or read_alike_as_other(
            [_images(mine), _images(other)], dict(here.header), dict(there.header)
        )
    )
    if said is None:
        return None
    return _text_elsewhere(
        "the stamp names another polling station or constituency than the header "
        f"(read on its pasted copy on {_where(there)})",
        (mine.bbox, other.bbox),
        {**said, "read_on": _where(there)},
        _where(there),
    )


def _images(mark: Mark) -> list[StampText]:
    """Every image of a stamp read: its colour's (or a black stamp's darkness) and a
    coloured stamp's darkness."""
    return [StampText(ring=r, centre=c) for r, c in (mark.text, mark.again) if r or c]


def _own_number_read(read: list[StampText], header: dict[str, str]) -> bool:
    """Whether an image of a pasted stamp reads this form's own station number in its
    centre, and none reads another constituency's code: the stamp is this form's own,
    pasted from here, though its other copy's text, misread, names another station (seed
    9041's PK-259_ps093, its stamp pasted onto station 195's form: "PS 33" read from its
    colour on both copies, "PS 93" from its darkness here). The same rule as one form's
    two readings (`stamp_text.readings_mismatch`)."""
    own = {int(n) for n in header_numbers(header)}
    code = header.get("constituency")
    others = {c for t in read for c in constituency_codes(f"{t.ring} {t.centre}")} - {code}
    return not others and any(int(s) in own for t in read for s in centre_numbers(t.centre))


def _text_elsewhere(
    message: str, boxes: tuple[BBox, BBox], values: dict[str, str | float], related: str
) -> Finding:
    """STAMP_TEXT_MISMATCH shown with another form's stamp: the boxes here, then there."""
    return Finding(
        code=FindingCode.STAMP_TEXT_MISMATCH,
        severity=FINDING_DOCS[FindingCode.STAMP_TEXT_MISMATCH][0],
        message=message,
        evidence=Evidence(bbox=boxes[0], boxes=boxes, values=values, related=(related,)),
    )


def _copy_of(a: _Source, b: _Source) -> bool:
    """Whether two forms are copies of one station's: one station number, and one
    constituency or the code a character off with the station's name read alike (seed
    9013's NA-94_ps120 agent copy, "NA-4" in its header)."""
    if _same_station(a, b):
        return True
    if a.station is None or b.station is None or not a.station[1] & b.station[1]:
        return False
    name = dict(a.header).get("polling_station_name")
    return (
        Levenshtein.distance(a.station[0], b.station[0]) == 1
        and name is not None
        and name == dict(b.header).get("polling_station_name")
    )


def _copies_of_pasted_forms(
    marks: list[Mark], sources: list[_Source], pasted: set[int], texted: set[int]
) -> dict[int, Finding]:
    """STAMP_TEXT_MISMATCH on another copy of a form whose stamp names another station
    and is pasted from another station's form (its STAMP_DUPLICATE), where the copy's own
    stamp's centre reads a station number that is no misreading of its header's: two cues
    agree. An agent's copy stamped with the rubber stamp whose impression was pasted onto
    the original: its ring illegible, its centre's number read (seeds 9013 and 9014:
    NA-94_ps120, PP-229_ps107 and PP-69_ps117 agent copies, "PS 73", "Ps 74", "PS 13"
    for 120, 107 and 117)."""
    stations: dict[str, list[int]] = defaultdict(list)  # by station number
    for page, source in enumerate(sources):
        for number in source.station[1] if source.station is not None else ():
            stations[number].append(page)
    stamps: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        if mark.kind == "stamp":
            stamps[mark.form].append(mark)
    found: dict[int, Finding] = {}
    for page in sorted(pasted & texted):
        here = sources[page]
        if here.station is None or not stamps[page]:
            continue
        others = dict.fromkeys(o for n in sorted(here.station[1]) for o in stations[n])
        for other in others:
            there = sources[other]
            if other in texted or other in found or there.path == here.path:
                continue
            if there.sha256 == here.sha256 or not _copy_of(here, there):
                continue
            numbers = header_numbers(dict(there.header))
            for mark in stamps.get(other, ()):
                stamped = centre_numbers(mark.text[1], [dict(there.header).get("constituency", "")])
                if not another_number(stamped, numbers):
                    continue
                found[other] = _text_elsewhere(
                    "the stamp's centre names another polling station, and the stamp on "
                    f"this form's copy {_where(here)} was pasted from another's",
                    (mark.bbox, stamps[page][0].bbox),
                    {
                        "header_station_number": " or ".join(numbers),
                        "stamp_station_number": stamped[0],
                        "centre_text": mark.text[1],
                        "ring_text": mark.text[0],
                        "copy_with_pasted_stamp": _where(here),
                    },
                    _where(here),
                )
                break
    return found


def _where(source: _Source) -> str:
    return f"{source.path}#{source.page}"


def crossform_findings(results: Iterable[FormResult]) -> dict[int, tuple[Finding, ...]]:
    """New findings per result index: STAMP_/SIGNATURE_DUPLICATE, DUPLICATE_FORM, and
    STAMP_TEXT_MISMATCH where a pasted stamp's copy on another form reads another station.

    Reads the results once, in order, keeping their marks and sources only; a file's pages
    are adjacent (as `batch` writes them and `inspect` returns them)."""
    found: dict[int, list[Finding]] = defaultdict(list)
    index = FingerprintIndex()
    sources: list[_Source] = []
    texted: set[int] = set()  # pages with a STAMP_TEXT_MISMATCH already
    runs = groupby(results, key=lambda r: (r.source.sha256, r.source.path))
    for file, (_, run) in enumerate(runs):
        pages = list(run)
        named = frozenset().union(*(_constituencies(p) for p in pages)) - {UNKNOWN_BLOCK}
        station = _station(pages)
        header = tuple(
            (key, value)
            for key, value in header_text(pages[0].header).items()
            if key in HEADER_FOR_STAMPS
        )
        office = dict(header).get("constituency") if pages[0].form.type == "form47" else None
        for result in pages:
            index.add(len(sources), result, named or None, owner=file)
            read = result.source
            if any(f.code is FindingCode.STAMP_TEXT_MISMATCH for f in result.findings):
                texted.add(len(sources))  # its page said so itself
            sources.append(_Source(read.path, read.page, read.sha256, station, header, office))
    copies = [
        (a, b, measure)
        for a, b, measure in index.copies()
        if sources[a.form].sha256 != sources[b.form].sha256
        # (one scan submitted twice: DUPLICATE_FORM, not a pasted mark)
    ]
    index.close()
    copies = _without_echoes(copies, sources)
    pasted: set[int] = set()  # pages bearing a stamp pasted between two stations' forms
    for a, b, measure in copies:
        if a.kind == "stamp":
            one_station = _one_station(sources[a.form], sources[b.form])
            read_alike = bool(measure.get("read_alike"))
            if not one_station:
                pasted.update((a.form, b.form))
            measure = {
                "similarity": round(measure["similarity"], 4),
                "aligned": round(measure["aligned"], 4),
                "turn_degrees": round(measure["turn_degrees"], 2),
                **(
                    {"threshold": SAME_STATION_STAMP_SIMILARITY}
                    if one_station
                    else {
                        "aligned_threshold": ALIGNED_COPY_SIMILARITY,
                        "unturned_threshold": (
                            READ_ALIKE_UNTURNED if read_alike else UNTURNED_SIMILARITY
                        ),
                        "unturned_degrees": UNTURNED_TURN,
                        "centres_read_alike": read_alike,
                    }
                ),
            }
        code = FindingCode.STAMP_DUPLICATE if a.kind == "stamp" else FindingCode.SIGNATURE_DUPLICATE
        if a.kind == "stamp":
            for mine, other in ((a, b), (b, a)):
                text = None if mine.form in texted else _read_elsewhere(mine, other, sources)
                if text is not None:
                    found[mine.form].append(text)
                    texted.add(mine.form)
        for mine, other in ((a, b), (b, a)):
            found[mine.form].append(
                Finding(
                    code=code,
                    severity=FINDING_DOCS[code][0],
                    message=f"the same {mine.kind} image as on {_where(sources[other.form])}",
                    evidence=Evidence(
                        bbox=mine.bbox,
                        boxes=(mine.bbox, other.bbox),  # here, then on the related form
                        values={**measure, "mark": mine.label},
                        related=(_where(sources[other.form]),),
                    ),
                )
            )
    for page, finding in _copies_of_pasted_forms(index.marks, sources, pasted, texted).items():
        found[page].append(finding)
    by_content: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, source in enumerate(sources):
        by_content[(source.sha256, source.page)].append(i)
    for members in by_content.values():
        # the first in the sequence is taken as the submission; each later file with the
        # same content under another name is the re-submission that gets the finding
        first = sources[members[0]].path
        for i in members[1:]:
            if sources[i].path == first:
                continue
            others = (_where(sources[members[0]]),)
            found[i].append(
                Finding(
                    code=FindingCode.DUPLICATE_FORM,
                    severity=FINDING_DOCS[FindingCode.DUPLICATE_FORM][0],
                    message=f"the same scan was already submitted as {others[0]}",
                    evidence=Evidence(values={"sha256": sources[i].sha256}, related=others),
                )
            )
    return {i: tuple(f) for i, f in found.items()}
