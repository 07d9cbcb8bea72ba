"""What a stamp impression says: the text around its ring and in its centre.

A polling station's stamp names the station (and its constituency) around the ring and
carries its number in the centre. The ring is unwrapped into a straight strip by a polar
transform (the impression's up is outward, so the strip is read with the outside on top)
and read by Tesseract, as is the centre. A stamp pasted from another station's form then
names another station than the header: `STAMP_TEXT_MISMATCH`. The finding needs two
independent cues to agree (another number in the centre and the header's station name
absent from a ring legible enough to show the header's constituency code, or another
constituency code in both ring and centre), so one misread digit does not accuse a form.
A ring whose code was lost may still prove itself legible by its printed words
("PRESIDING OFFICER", "UNION COUNCIL OFFICE") and name another place outright: a word
read on both turns of the strip that is no word of the header's station name; a ring
read whole (the header's own code and its printed words) that names another place so
needs no centre number.
A centre number two or more edits from the header's is another station's, not a misread
(of 350 centre numbers read on seed 9002, 31 were misread, 28 of them by one edit), when
a second cue agrees: the centre line reads the header's constituency code exactly (it
was read cleanly; the ring may be illegible), or a ring legible by its printed words
lacks the header's station name.
A stamp pasted from another form of the batch is judged between the two forms' headers
(`names_the_other`, called by the cross-form pass): the paste is one cue, its text naming
the form it is also on (that station's number, or its place) the second.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.model import FieldReading
from pipeline.stages.labels import similarity
from pipeline.stages.read import ASSEMBLIES, STATION_DIGITS
from pipeline.tools.tesseract import ocr_words

RING_BAND = (0.72, 0.97)  # the ring text lies between these fractions of the radius
CENTRE = (0.64, 0.3)  # the centre disc's radius and the lines' half height, in radii
MIN_RING_LETTERS = 12  # fewer legible letters: the ring is not read, no finding
NAME_ABSENT = 0.2  # at most this share of the station name's words on a legible ring
WORD_MATCH = 0.75  # similarity at which a word read on the ring is the name's word
LEGIBLE_RING_WORDS = 3  # printed ring words (RING_WORDS) read: the ring is legible
PLACE_LETTERS = 5  # a word naming the stamp's place has at least this many letters
PRINTED_MISREAD = 0.7  # a word this like a printed ring word is it misread (`_printed_misread`)
# ... and a word this near a word of the header's station name, letter for letter
# (Levenshtein's normalised similarity: `other_places`), is that word misread
OWN_PLACE_MISREAD = 0.55
OTHER_NUMBER_EDITS = 2  # a centre number this many edits from the header's is another's
UNSURE_NUMBER = "polling_station_number_unsure"  # `header_text`'s key: a withheld number's
UNSURE_NUMBER_FLOOR = 0.5  # ... readings, when it was read at least this surely
OUTLINE_INK = 0.5  # of the crop's strongest ink: the ink whose outline is the impression's
BORDER = 2  # px: outline points this near the crop's edge are the box's, not the ring's
MIN_OUTLINE_POINTS = 12  # hull corners
MIN_AXIS_RATIO = 0.4  # a flatter fitted ellipse is no stamp's outline: the box is squared
ROUND_AXES = 0.8  # a fitted ellipse's short axis over its long one above this: round
LEVEL_DEGREES = 8.0  # an oval's axes within this of the page's: level, the box squares it
BOX_SLACK = 0.04  # the fitted ellipse may fall this much short of the box's width or height
BOX_OVERREACH = 1.3  # ... and reach this far past it (a clipped impression)
# a round outline (axes within CLIPPED_ROUND) reaching past one side of the box by over this
# share of its diameter: an impression clipped there (a paste cut short of its ring, the
# page's edge), placed whole on a square of its diameter rather than the box stretched to
# one, which moves its centre and bends its ring. Seed 9048's PP-159_ps230, a paste cut
# 70 pixels into its top: stretched, nothing of ring or "PS 149" read
CLIPPED_ROUND = 0.9
CLIPPED_SHARE = 0.08
# a constituency code: "NA-104", "PP 2"; a Sindh assembly seat ("PS-234") only with its
# dash, since "PS 18" is a polling station's number
CODE = re.compile(rf"\b({ASSEMBLIES})\s*([-–—.]?)\s*(\d{{1,3}})\b")
DASHES = frozenset("-–—")
# a ring word begun with an assembly's prefix and a dash is a code read (`_code_read`)
CODE_READ = re.compile(rf"[^A-Z]*({ASSEMBLIES})[-–—]")
# the station's number in the centre, whole: "PS 16/7" or "PS 8&9" is a number misread;
# "PS-234" (a dash) is a Sindh seat's code
# "PS 12", also with the S read as 5 ("P5125": seed 9005's NA-204_ps188 agent copy)
STATION_NUMBER = re.compile(r"\bP\s*[S5]\s*[.:#]?\s*(\d{1,4})(?=\s|$)")
BARE_NUMBER = re.compile(r"(?<![\w-])(\d{2,4})(?![\w-])")  # a figure alone (`bare_numbers`)
FIGURE_BEFORE = re.compile(r"(?<![\w-])(\d{2,4})\s+$")  # ... just before a code
# ... or the station's number with its digits read as the letters they resemble ("PS Bg"
# for "PS 89": seed 9016's NA-192_ps089 stamp, pasted onto ps234's form), read as digits
DIGIT_LIKE = "[0-9BgqOoDIl|ZzSsG]"  # a digit, or a letter OCR reads for one (AS_DIGITS)
LETTERED_NUMBER = re.compile(rf"\b[Pp]\s*[Ss5]\s*[.:#]?\s*({DIGIT_LIKE}{{1,4}})(?=\s|$)")
AS_DIGITS = str.maketrans("BgqOoDIl|ZzSsG", "89900011122556")
# ... and a figure alone with some of its digits read so ("14s" for 145), at least
# LETTERED_DIGITS of them read as digits (`_own_number_beside`)
LETTERED_ALONE = re.compile(rf"(?<![\w-])({DIGIT_LIKE}{{2,4}})(?![\w-])")
LETTERED_DIGITS = 2
# words that say what kind of building a polling station is, shared by thousands of
# stations ("Govt Boys High School", "Basic Health Unit"): the name's other words (the
# place: "Gulberg", "Chak 12") are what tell one station's stamp from another's
INSTITUTION_WORDS = frozenset(
    """GOVT GOVERNMENT BOYS GIRLS PRIMARY MIDDLE HIGH HIGHER SECONDARY ELEMENTARY SCHOOL
    COLLEGE DEGREE BASIC HEALTH UNIT RURAL DISPENSARY HOSPITAL COMMUNITY CENTRE CENTER
    UNION COUNCIL OFFICE HALL MASJID MOSQUE MADRASSA PUBLIC LIBRARY NO""".split()  # noqa: SIM905
)
SAME_INSTITUTION = {"GOVERNMENT": "GOVT", "CENTER": "CENTRE"}
OTHER_INSTITUTION_WORDS = 2  # another kind of building: this many of its words
SHARED_KINDS = ("GOVT",)  # ... not counting those several kinds begin with
# ... and a word several kinds end with, on the name and the ring alike, ties them to no
# one kind: a "Govt Boys High School" and a "Govt Girls Primary School" of one place
GENERIC_KINDS = frozenset({"SCHOOL"})
# ... nor a kind every ring prints in part: "PRESIDING OFFICER" cut short where the ring
# was unrolled reads "OFFIC", an "OFFICE" (seed 9044's GBA-15_ps174 agent copy: "GOVT
# DEGREE COLLEGE" twice round for a "Union Council Office", tied to it by "OFFIC")
PRINTED_KINDS = frozenset({"OFFICE"})
LONE_KIND_LETTERS = 6  # ... or one of them alone, this long (`other_institution`)
# words every station's ring prints whatever its place
RING_WORDS = INSTITUTION_WORDS | {"PRESIDING", "OFFICER", "POLLING", "STATION"}


@dataclass(frozen=True)
class StampText:
    ring: str  # the ring text as read (the strip goes twice round)
    centre: str  # the centre lines as read


def _square(ink: np.ndarray) -> np.ndarray:
    """An impression whose outline cannot be fitted stretched to a square (ink = 255)."""
    h, w = ink.shape
    side = max(h, w)
    return cv2.resize(ink, (side, side), interpolation=cv2.INTER_LINEAR)


def _unclipped(
    ink: np.ndarray, centre: tuple[float, float], axes: tuple[float, float]
) -> np.ndarray:
    """A round impression clipped by its box (CLIPPED_SHARE, CLIPPED_ROUND) on a square of
    its fitted diameter, its centre in the middle; any other stretched to a square."""
    diameter = max(axes)
    (cx, cy), (h, w) = centre, ink.shape
    clipped = max(
        diameter / 2 - cx, diameter / 2 - cy, cx + diameter / 2 - w, cy + diameter / 2 - h
    )
    if min(axes) < CLIPPED_ROUND * diameter or clipped < CLIPPED_SHARE * diameter:
        return _square(ink)
    side = round(diameter)
    shift = np.float32([[1, 0, side / 2 - cx], [0, 1, side / 2 - cy]])
    return cv2.warpAffine(ink, shift, (side, side))


def _outline(ink: np.ndarray) -> np.ndarray | None:
    """Points of the impression's outer edge: the corners of the convex hull of its strong
    ink, less those on the crop's border (a detection box that clips the ring cuts a
    straight edge into the hull, which is no part of the ellipse). The hull, not the ink's
    outline: a faint ring falls apart into pieces, its hull does not; and its corners, not
    points all along it: across a gap in the ring a chord is one pair of corners, not many
    points that would pull the fit."""
    strong = cv2.findNonZero((ink > OUTLINE_INK * float(ink.max())).astype(np.uint8))
    if strong is None or len(strong) < MIN_OUTLINE_POINTS:
        return None
    points = cv2.convexHull(strong).reshape(-1, 2)
    h, w = ink.shape
    inside = (
        (points[:, 0] > BORDER)
        & (points[:, 1] > BORDER)
        & (points[:, 0] < w - 1 - BORDER)
        & (points[:, 1] < h - 1 - BORDER)
    )
    points = points[inside]
    return points if len(points) >= MIN_OUTLINE_POINTS else None


def _fits_box(axes: tuple[float, float], angle: float, shape: tuple[int, ...]) -> bool:
    """Whether an ellipse fitted to the outline spans the detection box: as wide and as
    tall as the box (the box holds the impression) and at most BOX_OVERREACH more where
    the box clipped it. An arc of a clipped round ring can be fitted by a narrower, longer
    ellipse that leaves the box's ink outside; the box is then squared as before."""
    a, b = axes[0] / 2, axes[1] / 2
    if min(a, b) < MIN_AXIS_RATIO * max(a, b):
        return False
    t = np.deg2rad(angle)
    width = 2 * np.hypot(a * np.cos(t), b * np.sin(t))
    height = 2 * np.hypot(a * np.sin(t), b * np.cos(t))
    return all(
        (1 - BOX_SLACK) * side <= extent <= BOX_OVERREACH * side
        for extent, side in ((width, shape[1]), (height, shape[0]))
    )


def _tilted_oval(axes: tuple[float, float], angle: float) -> bool:
    """An oval (axes unequal by more than ROUND_AXES) pressed off level by more than
    LEVEL_DEGREES: the one impression that stretching its box to a square leaves an
    ellipse."""
    off_level = abs((angle + 45) % 90 - 45)
    return min(axes) < ROUND_AXES * max(axes) and off_level > LEVEL_DEGREES


def _circled(ink: np.ndarray) -> np.ndarray:
    """The impression mapped onto a circle (ink = 255), so that its ring text runs round a
    circle, as `unwrap_ring` and `centre_of` need. A round impression, or an oval pressed
    level, is its box stretched to a square. A tilted oval's ring stays an ellipse under
    that stretch and its strip wanders off the text (seed 9002's NA-104 and NA-229 stamps):
    the ellipse fitted to its outer edge is turned onto a circle of its long radius. (Fitted
    to every impression, the arcs of a round ring clipped by its box gave an ellipse worse
    than the box: seed 9002 STAMP_TEXT_MISMATCH 12 / 1 / 7 -> 10 / 0 / 9, RESULTS Marks.)"""
    points = _outline(ink) if ink.any() else None
    if points is None:
        return _square(ink)
    (cx, cy), (d1, d2), angle = cv2.fitEllipse(points.astype(np.float32))
    if not _fits_box((d1, d2), angle, ink.shape):
        return _square(ink)
    if not _tilted_oval((d1, d2), angle):
        return _unclipped(ink, (cx, cy), (d1, d2))
    radius = max(d1, d2) / 2
    turn = np.deg2rad(angle)
    rotation = np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
    # into the ellipse's axes, each axis stretched to the radius, and back
    linear = rotation.T @ np.diag([radius / (d1 / 2), radius / (d2 / 2)]) @ rotation
    shift = np.array([radius, radius]) - linear @ np.array([cx, cy])
    side = round(2 * radius)
    return cv2.warpAffine(ink, np.hstack([linear, shift[:, None]]), (side, side))


def unwrap_ring(square: np.ndarray) -> np.ndarray:
    """The ring band of a circled impression (`_circled`; ink = 255) as a straight strip,
    outside up, read left to right; twice round, so words across the seam are whole once."""
    radius = square.shape[0] / 2
    angular = max(64, int(2 * np.pi * radius * sum(RING_BAND) / 2))
    polar = cv2.warpPolar(
        square,
        (int(radius), angular),
        (radius, radius),
        radius,
        cv2.WARP_POLAR_LINEAR + cv2.INTER_LINEAR,
    )
    band = polar[:, int(RING_BAND[0] * radius) : int(RING_BAND[1] * radius)]
    strip = cv2.rotate(band, cv2.ROTATE_90_COUNTERCLOCKWISE)
    # the inner and outer rings become long straight lines: remove them
    lines = cv2.morphologyEx(strip, cv2.MORPH_OPEN, np.ones((1, max(20, strip.shape[0] * 2))))
    strip = cv2.subtract(strip, cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    return np.hstack([strip, strip])


def _turned(image: np.ndarray, angle: float) -> np.ndarray:
    h, w = image.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR)


def _level_angle(disc: np.ndarray) -> float:
    """The turn that makes the centre lines horizontal: a stamp is pressed at any angle
    (the angle whose row profile is most uneven: lines of text and the gaps between)."""

    def score(angle: float) -> float:
        return float(_turned(disc, angle).sum(axis=1, dtype=np.float64).var())

    coarse = max(range(-60, 61, 4), key=score)
    return max(np.arange(coarse - 3, coarse + 3.5, 1.0), key=score)


def centre_of(square: np.ndarray) -> np.ndarray:
    """The centre lines of a circled impression (ink = 255), inside the inner ring,
    levelled."""
    radius = square.shape[0] / 2
    c, half = int(radius), int(radius * CENTRE[0])
    disc = square[c - half : c + half, c - half : c + half].copy()
    mask = np.zeros_like(disc)
    cv2.circle(mask, (half, half), half, 255, -1)
    disc = cv2.bitwise_and(disc, mask)  # nothing of the rings at the corners
    level = _turned(disc, _level_angle(disc))
    band = int(radius * CENTRE[1])
    return level[max(0, half - band) : half + band]


def _page(ink: np.ndarray) -> np.ndarray:
    return cv2.copyMakeBorder(255 - ink, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)


def _words_read(page: np.ndarray, psm: int) -> str:
    words = ocr_words(page, lang="eng", psm=psm)
    return " ".join(w.text for w in words if w.confidence >= 0.3)


def _read(ink: np.ndarray, psm: int) -> str:
    if ink.size == 0 or not ink.any():
        return ""
    return _words_read(_page(ink), psm)


def read_centre(ink: np.ndarray) -> str:
    """The centre lines (`centre_of`) as read: as a block of lines (psm 6), and where that
    reads no station number, as sparse text (psm 11: a line the block's layout loses),
    then binarised (Otsu: a blurred "PS 153" over a grey disc); the first reading that
    holds a station number, else the first. On 104 stamps of seed 9006 whose station is
    known, the number read right 76 -> 82 times, wrongly 3 -> 4, not at all 25 -> 18
    (RESULTS, Marks)."""
    if ink.size == 0 or not ink.any():
        return ""
    page = _page(ink)
    first = _words_read(page, 6)
    if STATION_NUMBER.search(first.upper()):
        return first
    sparse = _words_read(page, 11)
    if STATION_NUMBER.search(sparse.upper()):
        return sparse
    _, binary = cv2.threshold(page, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    binarised = _words_read(binary, 6)
    return binarised if STATION_NUMBER.search(binarised.upper()) else first


def read_stamp_text(ink: np.ndarray) -> StampText:
    """Ring and centre text of one impression (its tight crop, graded: ink = 255)."""
    if min(ink.shape) < 60:
        return StampText(ring="", centre="")
    circle = _circled(ink)
    return StampText(ring=_read(unwrap_ring(circle), psm=7), centre=read_centre(centre_of(circle)))


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", text.upper())


def constituency_codes(text: str) -> set[str]:
    return {
        f"{p}-{int(n)}" for p, dash, n in CODE.findall(text.upper()) if p != "PS" or dash in DASHES
    }


def _words(text: str, letters: int) -> list[str]:
    return [w for w in (_letters(part) for part in text.split()) if len(w) >= letters]


def _like_any(word: str, others: Sequence[str] | frozenset[str]) -> bool:
    return any(similarity(word, other) >= WORD_MATCH for other in others)


def name_on_ring(name: str, ring: str) -> float:
    """Share of the station name's own words (3+ letters, not INSTITUTION_WORDS unless it
    has no other) found on the ring, each allowing a misread letter or two; one word lost
    to a faint patch leaves the rest."""
    words = _words(name, 3)
    return _share_on_ring([w for w in words if w not in INSTITUTION_WORDS] or words, ring)


def words_on_ring(text: str, ring: str) -> float:
    """Share of `text`'s words (3+ letters) found on the ring as read, each allowing a
    misread letter or two (`benchmarks.stamp_reading`: the true ring's words)."""
    return _share_on_ring(_words(text, 3), ring)


def _share_on_ring(wanted: Sequence[str], ring: str) -> float:
    read = _words(ring, 2)
    if not wanted or not read:
        return 0.0
    return sum(_like_any(word, read) for word in wanted) / len(wanted)


def legible_ring_words(ring: str) -> int:
    """How many of the ring's words read as words every ring prints (RING_WORDS)."""
    return sum(_like_any(word, RING_WORDS) for word in _words(ring, 4))


def _code_read(part: str) -> bool:
    """Whether a word of the ring is a constituency code as read, its number garbled:
    an assembly's prefix and a dash, whatever follows ("PK-1LLO" for PK-110: seed 9031's
    PK-110_ps058, its letters "PKLLO" no place)."""
    return CODE_READ.match(part.upper()) is not None


def other_places(ring: str, name: str) -> list[str]:
    """Words of the ring that name a place other than the header's station: long, unlike
    the printed ring words and the name's own words, and read alike on both turns of the
    strip (the strip goes twice round: noise is not read the same twice, a word is).
    Unlike, by OWN_PLACE_MISREAD: a word as near one of the name's as "GAPERG" is to
    GULBERG (0.57), "SHADVEN" to SHADMAN (0.71), "ISLAVPLRA" to a header's "ISLAMPU"
    (0.56), is the name's own place misread (seeds 9022, 9020 and 9015's false pages); of
    the generator's places the nearest two, SHADMAN and SHAHDARA, are 0.5 apart."""
    named = _words(name, 3)
    own = frozenset(RING_WORDS | set(named))
    strange = [
        w
        for w in _words(" ".join(p for p in ring.split() if not _code_read(p)), PLACE_LETTERS)
        if not _like_any(w, own)
        and not _printed_misread(w)
        and not any(Levenshtein.normalized_similarity(w, n) >= OWN_PLACE_MISREAD for n in named)
    ]
    return [
        w
        for i, w in enumerate(strange)
        if _like_any(w, [o for j, o in enumerate(strange) if j != i])
    ]


def _printed_misread(word: str) -> bool:
    """Whether a word is nearer a printed ring word than any place name comes: "SOCOL" and
    "HEALD", read twice round for SCHOOL and HEALTH (seed 9006's PP-59_ps061, NA-96_ps112),
    are no places; of the generator's places the nearest to a ring word is MOHALLAH, 0.67
    from HALL. Nor is a word of a printed word's length that keeps half its letters in
    their places: OCR misreads a letter for a letter ("CEFICEP" for OFFICER, "CEMIPE" for
    CENTRE, both twice round: seed 9009's NA-131_ps043 and PB-190_ps218); of the
    generator's place names the nearest is SHADMAN, 3 of STATION's 7 letters in place."""
    return any(
        similarity(word, printed) >= PRINTED_MISREAD or _letters_in_place(word, printed)
        for printed in RING_WORDS
    )


def _letters_in_place(word: str, printed: str) -> bool:
    """Whether `word` has `printed`'s length and half or more of its letters in place."""
    if len(word) != len(printed):
        return False
    return 2 * sum(a == b for a, b in zip(word, printed, strict=True)) >= len(word)


def _institution(word: str) -> str | None:
    """The institution word (INSTITUTION_WORDS, of 4+ letters) that `word` reads as, one
    spelling for "GOVT" and "GOVERNMENT", "CENTRE" and "CENTER"; None for any other word."""
    score, best = max((similarity(word, i), i) for i in RING_WORDS if len(i) >= 4)
    # the nearest of all ring words: "OFFICER" is no "OFFICE"
    if score < WORD_MATCH or best not in INSTITUTION_WORDS:
        return None
    return SAME_INSTITUTION.get(best, best)


def other_institution(ring: str, name: str, *, once: bool = False) -> list[str]:
    """Words of the ring that say it is another kind of building than the header's
    station: OTHER_INSTITUTION_WORDS or more institution words, one of them at least read
    on both turns of the strip (noise is not read as the same word twice), while none of
    the name's institution words is on the ring ("BASIC HEALTH UNIT" twice round for a
    "Govt Degree College": seed 9002's NA-104_ps073, its place "CHAK" lost, its centre
    number 53 one digit from the header's 73; seed 9004's NA-40_ps026, "PRIMPRY" twice and
    "GOAT GIRLS" once for a "Basic Health Unit"). On seeds 9002 and 9004 (863 stamps read)
    such words were on 16 rings, every one another station's stamp. "GOVT", which schools
    and colleges begin with alike, counts for neither (SHARED_KINDS); "SCHOOL", which
    two kinds end with, ties the ring to neither (GENERIC_KINDS): "GOVT BOYS HIGH SCHOOL
    GULBERG" twice round, "PS 15", on the form of station 115, "Govt Girls Primary School
    Gulberg" (seed 9031's NA-182_ps115 agent copy). One word of 6+
    letters on both turns says it too ("DEGREE" twice for a "Govt Girls Primary School":
    seed 9008's PP-243_ps175), and with `once` (a second cue holds: the centre's number
    far from the header's) read once; but not "OFFICE", which is "OFFICER" read short."""
    named = {i for w in _words(name, 4) if (i := _institution(w)) not in (None, *SHARED_KINDS)}
    seen = [i for w in _words(ring, 4) if (i := _institution(w)) not in (None, *SHARED_KINDS)]
    if not named or (named - GENERIC_KINDS - PRINTED_KINDS) & set(seen):
        return []
    kinds = sorted(set(seen) - named)
    twice = any(seen.count(i) >= 2 for i in kinds)
    alone = any(
        seen.count(i) >= (1 if once else 2) and len(i) >= LONE_KIND_LETTERS and i != "OFFICE"
        for i in kinds
    )
    return kinds if (twice or once) and (len(kinds) >= OTHER_INSTITUTION_WORDS or alone) else []


def another_number(stamped: Sequence[str], numbers: Sequence[str]) -> bool:
    """Every station number read in the centre is OTHER_NUMBER_EDITS or more edits
    from each reading of the header's (leading zeros aside): not one misread digit of it."""
    own = [str(int(n)) for n in numbers]
    return (
        bool(stamped)
        and bool(own)
        and all(
            Levenshtein.distance(str(int(s)), o) >= OTHER_NUMBER_EDITS for s in stamped for o in own
        )
    )


def centre_numbers(centre: str, seats: Sequence[str] = ()) -> list[str]:
    """The station numbers a centre's text reads (STATION_NUMBER), of STATION_DIGITS at
    most: "PS 1326" is a misreading (seed 9032's PB-163_ps186, a GIF's palette, for
    "PS 186"), no number of another station. A Sindh seat's code among `seats` (the
    forms' headers') read without its dash is no station's number either: "P3 108 Ps 40"
    for "PS 108 / PS-40" (seed 9035's PS-40_ps108)."""
    dashless = {int(n) for seat in seats for p, _, n in CODE.findall(seat.upper()) if p == "PS"}
    return [
        n
        for n in STATION_NUMBER.findall(centre.upper())
        if len(n.lstrip("0")) <= STATION_DIGITS and int(n) not in dashless
    ]


def figures_alone(centre: str) -> list[str]:
    """The figures of two digits or more a centre's text holds alone, outside a
    constituency code (BARE_NUMBER)."""
    return BARE_NUMBER.findall(CODE.sub(" ", centre.upper()))


def figures_above_code(centre: str) -> list[str]:
    """The figures of two digits or more read just before a constituency code, nothing
    but space between: the station number's line over the code's, its "PS" lost or
    garbled ("FS 60 NA-34", "?3 31 NA-164", "70 PB-36")."""
    upper = centre.upper()
    found = (FIGURE_BEFORE.search(upper[: code.start()]) for code in CODE.finditer(upper))
    return [f.group(1) for f in found if f and len(f.group(1).lstrip("0")) <= STATION_DIGITS]


def bare_numbers(centre: str) -> list[str]:
    """The station numbers a centre's text reads (`centre_numbers`), or where it reads
    none, the figures of two digits or more it holds outside a constituency code: the
    number with its "PS" lost ("32 PP-2" for "PS 32 / PP-2"), or else its digits read as
    letters (LETTERED_NUMBER). Only for a stamp known to be pasted, whose number must then
    be the other form's (`names_the_other`)."""
    numbers = centre_numbers(centre)
    if numbers:
        return numbers
    bare = figures_alone(centre)
    if bare:
        return bare
    lettered = (n.translate(AS_DIGITS) for n in LETTERED_NUMBER.findall(CODE.sub(" ", centre)))
    return [n for n in lettered if n.isdigit()]


def two_stations(centre: str, other: str, seats: Sequence[str] = ()) -> bool:
    """Whether two centres read station numbers OTHER_NUMBER_EDITS or more apart, each
    from each: two rubber stamps, not one image read twice (a misreading changes a digit:
    "PS 105" and "PS 106"); `seats`: the forms' constituency codes (`centre_numbers`)."""
    mine = centre_numbers(centre, seats)
    return bool(mine) and another_number(mine, centre_numbers(other, seats))


def header_numbers(header: Mapping[str, str]) -> list[str]:
    """The header's station number as read, or where it was withheld as unsure, what it
    may be (`header_text`): the figure read and its alternatives."""
    number = header.get("polling_station_number", "")
    if number.isdecimal():
        return [number]
    return [n for n in header.get(UNSURE_NUMBER, "").split() if n.isdecimal()]


def header_text(header: Mapping[str, FieldReading]) -> dict[str, str]:
    """The header's fields as text, for `mismatch`. A station number withheld as unsure
    (its confidence under the reader's acceptance, above UNSURE_NUMBER_FLOOR) still says
    which numbers it can be: under UNSURE_NUMBER, the figure read and its alternatives. A
    stamp's number far from all of them is another station's (seed 9002's NA-166_ps108:
    "108" withheld at 0.92, 708 the alternative, the stamp "PS 96"). A figure read under
    that floor still says which numbers its alternatives read at or above it may be: the
    page's OCR reading a typed number surely where the digit reader did not (seed 9042's
    NA-258_ps068, "8" at 0.48, OCR's "68" at 0.97; its own stamp, pasted onto station
    98's form and read "PS 68" on both copies, was taken for a third station's). Seeds
    9035-9042 judged again (`benchmarks.rejudge --all`): that page cleared, no other."""
    text = {k: str(v.value) for k, v in header.items() if v.value is not None}
    number = header.get("polling_station_number")
    if number is None or number.value is not None:
        return text
    if number.text.isdecimal() and number.confidence >= UNSURE_NUMBER_FLOOR:
        readings = [number.text, *(str(a) for a, _ in number.alternatives)]
    else:  # the figure read too unsure: only such alternatives as are not
        readings = [str(a) for a, sure in number.alternatives if sure >= UNSURE_NUMBER_FLOOR]
    if readings:
        text[UNSURE_NUMBER] = " ".join(r for r in readings if r.isdecimal())
    return text


def mismatch(text: StampText, header: dict[str, str]) -> dict[str, str | float] | None:
    """What on the stamp names another station or constituency than the header, if
    two cues agree; None when they do not (or the stamp is not legible)."""
    return _ring_mismatch(text, header) or _another_station(text, header)


def readings_mismatch(
    readings: Mapping[str, StampText], header: dict[str, str]
) -> dict[str, str | float] | None:
    """What a stamp read from more than one image of its ink (a coloured stamp: its
    colour, then its darkness; by name) says of another station: the first reading's
    `mismatch`, named under "read_from"; None where none says so, or where another
    reading's centre reads the header's own station number, or one a digit from it, that
    the accusing one does not (`_read_otherwise`: the images disagree, one at or near the
    header's; a reading of the header's own number accuses nothing itself). One image
    is legible where the other is not: seed 9026's NA-42_ps235, a violet paste, reads
    "ws 36° wade" from its colour and "PS 169 NA-42" from its darkness. Every page of seed
    9026 (1158, 35 with another station's stamp) read both ways: the colour's reading
    alone 30 / 1 / 5 (TP / FP / FN), either reading 35 / 3 / 0, either unless one reads
    the header's number 35 / 0 / 0 (RESULTS, Marks). The own number read in either image
    clears the stamp: PP-162_ps181, "PS 162" read from its colour, "PS 181" from its
    darkness. Unseen seeds 9027 and 9028, judged with the colour's reading alone and with
    both: 31 / 0 / 11 -> 41 / 0 / 1, and 18 / 4 / 11 -> 29 / 0 / 0."""
    numbers = header_numbers(header)
    for name, text in readings.items():
        found = mismatch(text, header)
        if found is not None and not _read_otherwise(name, readings, numbers):
            return {**found, "read_from": name}
    return None


def _read_otherwise(name: str, readings: Mapping[str, StampText], numbers: Sequence[str]) -> bool:
    """Whether another reading than `name`'s holds a centre number a digit or less from
    the header's that `name`'s reading does not: the two images disagree on the number,
    one of them near the header's (seed 9028's GBA-24_ps136, its own stamp "PS 136" at
    150 dpi read "PS 174" from its colour and "PS 134" from its darkness). A number of
    more than STATION_DIGITS counts too: no station's, but a digit off the header's it is
    the header's misread (seed 9041's NA-37_ps113: "PS 142" and "PS 1123" for 113; seeds
    9035-9041 judged again, `benchmarks.rejudge --all`: that page cleared, no other)."""
    mine = {int(s) for s in centre_numbers(readings[name].centre)}
    centres = [t.centre.upper() for n, t in readings.items() if n != name]
    others = [s for centre in centres for s in STATION_NUMBER.findall(centre)]
    return any(int(s) not in mine and not another_number([s], numbers) for s in others)


def _a_character_off(codes: set[str], wanted: set[str]) -> bool:
    """Whether a code read is one character from one of the header's (a misreading)."""
    return any(Levenshtein.distance(c, w) == 1 for c in codes for w in wanted)


def _ring_mismatch(text: StampText, header: dict[str, str]) -> dict[str, str | float] | None:
    """Another constituency code in ring and centre, or another station number in the
    centre with the header's station name absent from a legible ring."""
    if len(_letters(text.ring)) < MIN_RING_LETTERS:
        return None
    constituency = header.get("constituency", "")
    numbers = header_numbers(header)
    wanted = constituency_codes(constituency)
    ring_codes, centre_codes = constituency_codes(text.ring), constituency_codes(text.centre)
    other_code = (ring_codes & centre_codes) - wanted
    stamped = centre_numbers(text.centre)
    # the header's own station number in the centre: one of the two codes was misread
    same_station = any(int(s) == int(n) for s in stamped for n in numbers)
    # ... or the ring names the header's station, the codes a character apart, the centre
    # number no other station's: the header's code misread (seed 9007's NA-38_ps068: "NA-88"
    # in the header, NA-38 and "CULBERG" twice round its own stamp, "PS 63" for 68)
    # ... or the centre's number a digit from the header's, the codes a character apart
    # and no other place round the ring: each a misreading (seed 9012's PS-15_ps217:
    # "PS-5" in the header, "PS 237 PS-15", the ring's place words illegible)
    name = header.get("polling_station_name", "")
    near_number = bool(stamped) and not _elsewhere(text.ring, name, once=False)
    same_station = same_station or (
        (near_number or (bool(name) and name_on_ring(name, text.ring) > NAME_ABSENT))
        and _a_character_off(other_code, wanted)
        and not another_number(stamped, numbers)
    )
    if wanted and other_code and not (wanted & (ring_codes | centre_codes)) and not same_station:
        return {
            "header_constituency": constituency,
            "stamp_constituency": sorted(other_code)[0],
            "ring_text": text.ring,
            "centre_text": text.centre,
        }
    if not name or same_station:
        return None
    share = name_on_ring(name, text.ring)  # share of the name's words
    if share > NAME_ABSENT:
        # the centre's number may be a digit from the header's: the stations of one place
        # are numbered one after another (seed 9030's NA-141_ps188, "PS 184" round "GOVT
        # BOYS HIGH SCHOOL MODEL TOWN" on the form of station 188, Community Centre Model
        # Town; judged again, seeds 9012-9030 gain it and 9015's PK-247_ps161, none false)
        kind = other_institution(text.ring, name)
        if kind and wanted and not ring_codes - wanted:
            return _another_kind_here(text, name, share, kind)
        return None
    # another place, or another kind of building, named on both turns of the ring (a
    # kind once where the centre's number is far from the header's: two cues agree). A
    # centre holding the header's number beside the one its "PS" took is no other
    # station's (`_own_number_beside`): seed 9063's PB-2_ps121, its own stamp read "ps8
    # 123 PB-2" round "UNION COUNCIL ... PB-2", the place's word illegible
    far = another_number(stamped, numbers) and not _own_number_beside(text.centre, numbers)
    elsewhere = _elsewhere(text.ring, name, once=far)
    if not (numbers and stamped):
        # no station number read in the centre: a ring read whole (the header's own
        # code, its printed words) that names another place on both turns says it alone
        legible = legible_ring_words(text.ring) >= LEGIBLE_RING_WORDS
        if wanted & ring_codes and legible and elsewhere:
            return {
                "header_station_name": name,
                "name_words_on_ring": round(share, 3),
                **elsewhere,
                "ring_text": text.ring,
                "centre_text": text.centre,
            }
        return None
    found: dict[str, str | float] = {
        "header_station_number": " or ".join(numbers),
        "stamp_station_number": stamped[0],
        "header_station_name": name,
        "name_words_on_ring": round(share, 3),
        "ring_text": text.ring,
        "centre_text": text.centre,
    }
    # the ring must be read well enough to show the header's own constituency code (a
    # garbled ring also "lacks" the station name, and a centre digit is easily misread),
    # and the centre number be no misread digit of the header's (on seed 10001's stored
    # run, benchmarks.rejudge: of its 153 findings, 6 false and 2 true ones gone)
    if wanted & ring_codes and far:
        return found
    # or, its code lost, its printed words show it legible, it names another place (or
    # another kind of building), and no code read on it contradicts the header's (a
    # misread code is a garbled ring)
    # (one printed word fewer where the centre's number is far from the header's: two cues
    # agree; seed 9006's NA-41_ps162, "PS 127" for 162 and BILAL twice round)
    legible = LEGIBLE_RING_WORDS - (1 if far else 0)
    read = legible_ring_words(text.ring) >= legible
    if wanted and not ring_codes - wanted and read and elsewhere:
        return {**found, **elsewhere}
    return None


def _another_kind_here(
    text: StampText, name: str, share: float, kind: list[str]
) -> dict[str, str | float] | None:
    """A ring naming the header's place but another kind of building (`other_institution`,
    no other code on it: checked by `_ring_mismatch`): the stamp of another station of
    that place, whatever its centre's number, if the ring is legible by its printed
    words (seed 9009's NA-128_ps030 agent copy: "COMMUNITY CENTRE MODEL TOWN" round the
    stamp of "Govt Girls Primary School Model Town")."""
    if legible_ring_words(text.ring) < LEGIBLE_RING_WORDS:
        return None
    return {
        "header_station_name": name,
        "name_words_on_ring": round(share, 3),
        "stamp_institution_words": " ".join(kind),
        "ring_text": text.ring,
        "centre_text": text.centre,
    }


def _elsewhere(ring: str, name: str, *, once: bool = False) -> dict[str, str]:
    """The ring's words that name another place, or another kind of building, than the
    header's station name (evidence), or nothing (`once`: see `other_institution`)."""
    places = other_places(ring, name)
    if places:
        return {"stamp_place_words": " ".join(dict.fromkeys(places))}
    kind = other_institution(ring, name, once=once)
    return {"stamp_institution_words": " ".join(kind)} if kind else {}


def _own_number_beside(centre: str, numbers: Sequence[str]) -> bool:
    """The header's number read as a figure alone in the centre, beside the number its
    "PS" took: seed 9019's PP-76_ps155, "p53 155 PP 76" for "PS 155 PP-76" (the "S" read
    "5" and a stray "3" taken as the number); or so read with a digit as the letter it
    resembles, two digits of it read as digits (seed 9024's GBA-23_ps145, "P53 14s
    GBA-23"); or read a digit off, as a number after the "PS" may be (`another_number`:
    seed 9025's NA-20_ps101, "P53 102 Na-20")."""
    alone = CODE.sub(" ", centre)
    lettered = [
        t.translate(AS_DIGITS)
        for t in LETTERED_ALONE.findall(alone)
        if sum(c.isdigit() for c in t) >= LETTERED_DIGITS
    ]
    return any(
        not another_number([figure], numbers)
        for figure in [*figures_alone(centre), *lettered]
        if figure.isdigit()
    )


def _another_station(text: StampText, header: dict[str, str]) -> dict[str, str | float] | None:
    """A centre number that is no misread of the header's, and a second cue: the centre
    line reads the header's constituency code exactly, or a ring legible by its printed
    words lacks the header's station name (and names no other constituency). A centre
    whose "PS" was lost, its code read exactly, has its number in the figure just before
    the code (`figures_above_code`). Seeds 9035-9053 judged again (`benchmarks.rejudge
    --all`): two more pages with another station's stamp found, no false one."""
    numbers = header_numbers(header)
    wanted = constituency_codes(header.get("constituency", ""))
    stamped = centre_numbers(text.centre)
    lost = not STATION_NUMBER.search(text.centre.upper())  # no "PS" and number read
    if lost and wanted and constituency_codes(text.centre) == wanted:
        stamped = figures_above_code(text.centre)
    if not another_number(stamped, numbers) or _own_number_beside(text.centre, numbers):
        return None
    name = header.get("polling_station_name", "")
    found: dict[str, str | float] = {
        "header_station_number": " or ".join(numbers),
        "stamp_station_number": stamped[0],
        "ring_text": text.ring,
        "centre_text": text.centre,
    }
    centre_codes = constituency_codes(text.centre)
    if wanted and centre_codes == wanted:
        return {**found, "stamp_constituency": sorted(wanted)[0]}
    # a centre line whose code is misread may have its number misread too: then the ring
    # must be read well, twice the printed words (seed 9006's PP-253_ps171, "PS 372
    # PP-252" for 171 and PP-253, three printed words round the ring; its PB-36_ps195,
    # "PS 46 PB-35" on another station's stamp, seven)
    misread = _a_character_off(centre_codes - wanted, wanted)
    legible = LEGIBLE_RING_WORDS * (2 if misread else 1)
    if not name or legible_ring_words(text.ring) < legible:
        return None
    share = name_on_ring(name, text.ring)
    if share <= NAME_ABSENT and not constituency_codes(text.ring) - wanted:
        return {**found, "header_station_name": name, "name_words_on_ring": round(share, 3)}
    return None


def names_the_other(
    texts: Sequence[StampText], own: Mapping[str, str], other: Mapping[str, str]
) -> dict[str, str | float] | None:
    """What a stamp pasted on two forms of different stations says of the other's: the
    same image on both, so it is one station's stamp, and the text read on either copy
    picks which. A centre number (`bare_numbers`: seed 9012's PP-2_ps113, "32 PP-2"
    pasted from station 32) that is the other form's station number (`_the_number`:
    exactly, or a digit off in two digits or more) and no misread of this form's
    (OTHER_NUMBER_EDITS; where this form's number went unread, the two names must say two
    places), or a ring bearing half the other's place words (those of its name not in
    this one's) and none of this one's: the stamp is the other's. Two cues agree (the
    paste, and the text naming the form it was pasted from), where `mismatch` alone,
    knowing no candidate, needs two readings to agree; so a ring read half (seed 9008's
    NA-129_ps217: "PS 105" for 217, its ring garbled, pasted from station 105's form)
    still says whose stamp it is. None when it says neither."""
    own_numbers, other_numbers = header_numbers(own), header_numbers(other)
    own_name = own.get("polling_station_name", "")
    other_name = other.get("polling_station_name", "")
    if not other_numbers or set(own_numbers) & set(other_numbers):
        return None
    if not own_numbers and not _other_places(own_name, other_name):
        return None  # this form's number unread, and its name may be the other's
    stamped = [s for t in texts for s in bare_numbers(t.centre)]
    if any(int(s) == int(n) for s in stamped for n in own_numbers):
        return None  # the centre reads this form's own number
    # the other's number, and no misread digit of this form's own: neighbouring
    # stations' numbers are a digit apart (seed 9008's PP-243_ps171, its own stamp read
    # "PS 172", pasted onto station 172's form)
    named = sorted(
        {s for s in stamped if any(_the_number(s, n) for n in other_numbers)}
        if not own_numbers or another_number(stamped, own_numbers)
        else set()
    )
    ring = " ".join(t.ring for t in texts)
    found: dict[str, str | float] = {
        "header_station_number": " or ".join(own_numbers) or "unread",
        "pasted_from_station_number": " or ".join(other_numbers),
        "ring_text": " | ".join(t.ring for t in texts),
        "centre_text": " | ".join(t.centre for t in texts),
    }
    if named:
        return {**found, "stamp_station_number": named[0]}
    mine, theirs = _place_words(own_name), _place_words(other_name)
    # each name's own place words: those the other name does not share
    mine, theirs = (
        [w for w in mine if not _like_any(w, theirs)],
        [w for w in theirs if not _like_any(w, mine)],
    )
    read = _words(ring, 4)  # shorter pieces of a garbled ring match too much ("OT": KOT)
    on_ring = [w for w in theirs if _like_any(w, read)]
    if (
        not mine
        or any(_like_any(w, read) for w in mine)
        or len(on_ring) * 2 < len(theirs)
        or not any(len(w) >= PLACE_LETTERS for w in on_ring)
    ):
        return None
    return {
        **found,
        "header_station_name": own_name,
        "stamp_place_words": " ".join(on_ring),
        "pasted_from_station_name": other_name,
    }


def names_neither(
    texts: Sequence[StampText], own: Mapping[str, str], other: Mapping[str, str]
) -> dict[str, str | float] | None:
    """What a stamp pasted on two forms of different stations says when it is neither's:
    both copies' centres read one station number, and it is OTHER_NUMBER_EDITS or more
    from each form's (seed 9010's PK-228_ps079 and ps127, "PS 44" read on both: station
    44's stamp). Two readings of one image agreeing rule out a misread digit, and the
    paste says one form at least bears another's stamp; a number neither form's says
    both do. None otherwise (a copy's centre unread, the readings apart, or near either
    form's number), or where a form's number was withheld as unsure: what it may be is
    then a guess, and the stamp's number may be it (seed 9055's PP-192_ps067, its header
    read "0" or "9", its own "PS 67" pasted onto station 83's form; seeds 9035-9055 judged
    again: that false page gone, no other page changed)."""
    if not all(h.get("polling_station_number", "").isdecimal() for h in (own, other)):
        return None  # a form's number withheld as unsure: the stamp's may be it after all
    own_numbers, other_numbers = header_numbers(own), header_numbers(other)
    number = _read_alike([[text] for text in texts], own_numbers, other_numbers)
    if number is None:
        return None
    stamped = [str(number)]
    if not (another_number(stamped, own_numbers) and another_number(stamped, other_numbers)):
        return None
    return {
        "header_station_number": " or ".join(own_numbers),
        "pasted_also_on_station_number": " or ".join(other_numbers),
        "stamp_station_number": stamped[0],
        "ring_text": " | ".join(t.ring for t in texts),
        "centre_text": " | ".join(t.centre for t in texts),
    }


def _read_alike(
    copies: Sequence[Sequence[StampText]],
    own_numbers: Sequence[str],
    other_numbers: Sequence[str],
) -> int | None:
    """The one station number every copy's centre reads, from any image of its ink, both
    forms' numbers read; None where a copy's centre is unread, the copies have no number
    or more than one in common, or a form's number is unread."""
    if not own_numbers or not other_numbers:
        return None
    read = [{int(n) for t in images for n in centre_numbers(t.centre)} for images in copies]
    if len(read) < 2 or not all(read):
        return None
    alike = set.intersection(*read)
    return alike.pop() if len(alike) == 1 else None


def read_alike_as_other(
    copies: Sequence[Sequence[StampText]], own: Mapping[str, str], other: Mapping[str, str]
) -> dict[str, str | float] | None:
    """What a stamp pasted on two forms of different stations says when both copies'
    centres read the other form's station number exactly, though a digit from this
    form's: two readings of one image agreeing rule out a misread digit (`names_neither`),
    and the number is the form it was pasted from. Seed 9053's NA-3_ps059: station 54's
    stamp, "PS 54" on both copies, pasted onto station 59's form. Each copy is read from
    every image of its ink (its colour, a coloured stamp's darkness) and reads the
    numbers any of them reads; the copies must have one in common: seed 9050's
    NA-206_ps236, station 220's stamp, "PS 226" from its colour here and "PS 220" from
    its darkness, "PS 220" on station 220's copy; seed 9049's NA-71_ps026, "PS 22" and
    "PS 12" here, station 12's stamp. None otherwise."""
    own_numbers, other_numbers = header_numbers(own), header_numbers(other)
    number = _read_alike(copies, own_numbers, other_numbers)
    if number is None or number in {int(n) for n in own_numbers}:
        return None
    if number not in {int(n) for n in other_numbers}:
        return None
    return {
        "header_station_number": " or ".join(own_numbers),
        "pasted_from_station_number": " or ".join(other_numbers),
        "stamp_station_number": str(number),
        "ring_text": " | ".join(t.ring for images in copies for t in images),
        "centre_text": " | ".join(t.centre for images in copies for t in images),
    }


def _the_number(read: str, number: str) -> bool:
    """Whether a centre number read is `number`: exactly, or of two digits or more with
    one of them misread (seed 9008's PB-8_ps091: "PS 42" on station 43's stamp pasted
    onto station 91's form); one digit misread of a one-digit number is any other."""
    a, b = str(int(read)), str(int(number))
    if a == b:
        return True
    return len(a) == len(b) >= 2 and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _place_words(name: str) -> list[str]:
    """The words of a station's name that say where it is (not INSTITUTION_WORDS)."""
    return [w for w in _words(name, 3) if w not in INSTITUTION_WORDS]


def _other_places(name: str, other: str) -> bool:
    """Whether two station names say two places: each has place words (`_place_words`),
    none of one's like any of the other's."""
    mine, theirs = _place_words(name), _place_words(other)
    return bool(mine) and bool(theirs) and not any(_like_any(w, theirs) for w in mine)
